FROM bitnami/node:20 AS assets
WORKDIR /app
COPY package.json .
RUN npm install

FROM ghcr.io/someuser/custom-base:1.2 AS tools
RUN echo tools

FROM quay.io/randomdev/python-base:3.11
COPY --from=assets /app/node_modules /srv/node_modules
COPY --from=tools /etc/hostname /tmp/hostname
USER 1001
CMD ["python3"]
