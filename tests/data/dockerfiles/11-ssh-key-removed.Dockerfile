FROM golang:1.22.5-alpine AS build
RUN apk add --no-cache git openssh-client
WORKDIR /src
COPY id_rsa /root/.ssh/id_rsa
RUN ssh-keyscan github.com >> /root/.ssh/known_hosts \
    && git clone git@github.com:example/private-lib.git /src/lib \
    && rm /root/.ssh/id_rsa
COPY . .
RUN go build -o /bin/app ./cmd/app

FROM alpine:3.19
COPY --from=build /bin/app /bin/app
CMD ["/bin/app"]
