FROM node:20.11-alpine
WORKDIR /app
COPY .env ./
COPY .env.example ./
COPY config/.npmrc /root/.npmrc
COPY --chown=node:node certs/server.pem certs/server.key /etc/ssl/private/
COPY .aws /root/.aws
COPY deploy/id_ed25519.pub /tmp/
ADD .git-credentials /root/
COPY . .
USER node
CMD ["node", "index.js"]
