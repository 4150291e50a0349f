FROM debian:12.5-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl wget \
    && rm -rf /var/lib/apt/lists/*
RUN curl -fsSLo /tmp/a.txt https://example.com/a.txt
RUN wget -q -O /tmp/b.txt https://example.com/b.txt
RUN curl -fsSLo /tmp/c.txt https://example.com/c.txt

FROM debian:12.5-slim
RUN wget -q -O /tmp/d.txt https://example.com/d.txt
USER nobody
