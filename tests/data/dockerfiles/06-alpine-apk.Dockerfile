FROM alpine:3.19
RUN apk update && apk add --update curl bash ca-certificates
RUN apk add --no-cache tini
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
RUN chmod +x /usr/local/bin/entrypoint.sh
ENTRYPOINT ["/sbin/tini", "--", "/usr/local/bin/entrypoint.sh"]
