FROM redis:7.2.4-alpine AS cache
CMD ["redis-server"]

FROM alpine:3.19
HEALTHCHECK CMD wget -q -O- http://localhost:8080/health || exit 1
HEALTHCHECK --interval=10s CMD ["wget", "-q", "-O-", "http://localhost:8080/health"]
ENTRYPOINT /usr/bin/app
ENTRYPOINT ["/usr/bin/app"]
CMD ["--help"]
CMD --serve
USER 1000:1000
