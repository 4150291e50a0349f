FROM ubuntu:22.04
RUN apt-get update \
    && apt-get install --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get -qq install --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
EXPOSE 80/tcp 443 8080-8090
EXPOSE 65536/udp
USER www-data
CMD ["nginx", "-g", "daemon off;"]
