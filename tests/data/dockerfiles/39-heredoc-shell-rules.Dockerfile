# syntax=docker/dockerfile:1
FROM debian:12.5-slim

RUN <<EOF
apt-get update
apt-get install -y curl
cd /opt
curl -fsSL https://example.com/tool.tgz | tar -xz
sudo ln -s /opt/tool/bin/tool /usr/local/bin/tool
EOF

RUN <<EOF python3
import sys
print("cd /tmp | sudo rm", file=sys.stderr)
EOF

COPY <<EOF /etc/motd
Welcome. Run: cd /srv && sudo ./start.sh
EOF

USER nobody
