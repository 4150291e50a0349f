FROM debian:12.5-slim AS fetch
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL https://example.com/archive.tar.gz | tar -xz -C /opt

FROM debian:12.5-slim
COPY --from=fetch /opt /opt
RUN grep -v '^#' /etc/services | wc -l > /tmp/services.count
SHELL ["/bin/sh", "-c"]
RUN ls / | sort
USER nobody
