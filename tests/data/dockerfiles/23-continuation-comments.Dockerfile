FROM debian:12.5

# Comments and blank lines inside a continuation are dropped by the parser,
# but line numbers of later instructions must stay exact.
RUN set -eux; \
    apt-get update; \
    # tools needed for the build only
    apt-get install -y --no-install-recommends \
        gcc \
        # headers
        libc6-dev \
        make \
    ; \

    rm -rf /var/lib/apt/lists/*

RUN cd /usr/local/src \
 && make install   # trailing comment is part of the command
ENV LANG=C.UTF-8 \
    # the locale
    LC_ALL=C.UTF-8
USER nobody
