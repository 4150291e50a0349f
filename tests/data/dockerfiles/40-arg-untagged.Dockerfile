ARG NODE_IMAGE=node
ARG ALPINE_TAG
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json ./
RUN npm install --omit=dev

FROM alpine:${ALPINE_TAG:-3.19}
RUN apk add --no-cache nodejs
COPY --from=build /app/node_modules /app/node_modules
USER 1000
CMD ["node", "/app/index.js"]
