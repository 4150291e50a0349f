# syntax=docker/dockerfile:1
FROM debian:bookworm-20240311-slim

RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends ca-certificates curl
rm -rf /var/lib/apt/lists/*
EOF

RUN <<-EOT bash
	set -euo pipefail
	curl -fsSL https://example.com/releases/tool.tar.gz | tar -xz -C /usr/local/bin
	EOT

RUN useradd --uid 10001 --create-home app
USER app
CMD ["bash"]
