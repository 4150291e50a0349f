FROM node:20.11-alpine
WORKDIR app
WORKDIR /srv/app
WORKDIR src/web
WORKDIR $HOME/cache
RUN cd /tmp && npm pack left-pad@1.3.0
RUN mkdir -p build && cd build && echo done
RUN npm ci || (cd / && echo failed)
USER node
CMD ["node", "index.js"]
