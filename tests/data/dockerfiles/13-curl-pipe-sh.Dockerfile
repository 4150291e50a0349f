FROM ubuntu:22.04
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
RUN wget -qO- https://get.example.dev/install.sh | sh -s -- --yes
RUN sh -c "$(curl -fsSL https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh)"
RUN curl -fsSLo /tmp/rustup.sh https://sh.rustup.rs && sh /tmp/rustup.sh -y && rm /tmp/rustup.sh
USER 1000
