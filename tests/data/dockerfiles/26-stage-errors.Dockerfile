FROM golang:1.22.5 AS build
COPY --from=build /go/bin /tmp/bin
COPY --from=assets /dist /srv/dist
COPY --from=0 /etc/passwd /tmp/passwd
COPY --from=nginx:1.25.4 /etc/nginx/nginx.conf /tmp/nginx.conf
COPY main.go go.mod /src
RUN go build -o /app /src

FROM golang:1.22.5 AS build
COPY --from=build /app /app

FROM alpine:3.19 AS Final
COPY --from=BUILD /app /app
COPY a.txt b.txt /srv/
USER 1000
