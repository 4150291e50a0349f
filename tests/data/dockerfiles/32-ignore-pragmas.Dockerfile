# hadolint global ignore=DL3059
FROM ubuntu:22.04
# hadolint ignore=DL3015,DL3009
RUN apt-get update && apt-get install -y curl
# hullguard ignore=HGD031
RUN curl -fsSL https://example.com/install.sh | bash
# hadolint ignore=DL3003
RUN cd /opt && ls
# hadolint ignore=DL3002
USER root
