FROM ubuntu AS a
FROM ubuntu:latest AS b
FROM docker.io/library/debian AS c
FROM debian@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS d
FROM alpine:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS e
FROM c AS f
FROM scratch
COPY --from=a /etc/os-release /os-release

FROM localhost:5000/team/base AS g
RUN echo local
