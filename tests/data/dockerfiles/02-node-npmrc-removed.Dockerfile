FROM node:20.11-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY .npmrc /app/.npmrc
RUN npm ci --omit=dev \
    && rm -f /app/.npmrc

FROM node:20.11-alpine
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
USER node
EXPOSE 3000
CMD ["node", "server.js"]
