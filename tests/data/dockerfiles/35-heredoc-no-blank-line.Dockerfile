FROM alpine:3.19
RUN <<EOF
apk add --no-cache curl
cd /tmp
EOF
RUN echo done
USER 1000
