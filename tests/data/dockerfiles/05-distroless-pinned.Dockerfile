# A well-behaved Dockerfile: pinned base, non-root, exec form.
FROM gcr.io/distroless/static-debian12:nonroot@sha256:8dd8d3ca2cf283383304fd45a5c9c74d5f2cd9da8d3b9e17a1ae32d28a6b4e1e
COPY --chown=65532:65532 bin/server /server
USER 65532:65532
ENTRYPOINT ["/server"]
