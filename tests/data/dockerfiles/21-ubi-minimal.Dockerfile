FROM registry.access.redhat.com/ubi9/ubi-minimal:9.3
RUN microdnf install -y python3.11 && microdnf clean all
WORKDIR /opt/app-root
COPY --chown=1001:0 app.py .
USER 1001
CMD ["python3.11", "app.py"]
