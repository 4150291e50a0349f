FROM node:20.11-alpine AS build
WORKDIR /build
COPY package.json pnpm-lock.yaml ./
USER root
RUN npm install -g pnpm@8.15.4 && pnpm install --frozen-lockfile

FROM node:20.11-alpine
USER node
WORKDIR /home/node/app
COPY --chown=node:node . .
COPY --from=build /build/node_modules ./node_modules
USER 0
CMD ["node", "index.js"]
