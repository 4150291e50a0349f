FROM --platform=$BUILDPLATFORM golang:1.22.5-alpine AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/tool .

FROM --platform=$TARGETPLATFORM alpine:3.19
RUN apk add --no-cache ca-certificates
COPY --from=build /out/tool /usr/bin/tool
ENTRYPOINT ["/usr/bin/tool"]
