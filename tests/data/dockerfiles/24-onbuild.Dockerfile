FROM node:20.11-bookworm-slim
WORKDIR /usr/src/app
ONBUILD COPY package*.json ./
ONBUILD RUN npm install
ONBUILD COPY . .
ONBUILD RUN cd /usr/src/app && npm run build
USER node
CMD ["npm", "start"]
