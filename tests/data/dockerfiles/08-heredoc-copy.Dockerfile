# syntax=docker/dockerfile:1.4
FROM nginx:1.25.4-alpine

COPY <<EOF /etc/nginx/conf.d/default.conf
server {
    listen 8080;
    location / {
        root /usr/share/nginx/html;
    }
}
EOF

COPY <<'INDEX' <<"HEALTH" /usr/share/nginx/html/
<html><body>$TITLE</body></html>
INDEX
ok
HEALTH

RUN chown -R nginx:nginx /usr/share/nginx/html
USER nginx
EXPOSE 8080
