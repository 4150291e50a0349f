FROM alpine:3.19
ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-static /sbin/tini
ADD --checksum=sha256:c5b5c8b7b9e4cd7bd03c3eb6c4b0ed1e1e5bfe1e8c6e8f6e5b0b6c6b8c5d2e4f https://example.com/app.tar.gz /opt/
ADD rootfs.tar.gz /
ADD config/ /etc/app/
ADD https://example.com/releases/v1.2.3.tar.gz /tmp/
ADD git@github.com:moby/buildkit.git#v0.13.0 /buildkit
RUN chmod +x /sbin/tini
USER 1000
ENTRYPOINT ["/sbin/tini", "--"]
