FROM python:3.12.2-alpine
RUN ["/bin/sh", "-c", "pip install --no-cache-dir flask==3.0.2"]
RUN ["pip", "install", "gunicorn==21.2.0"]
COPY ["app files/", "/srv/app/"]
VOLUME ["/data"]
USER 1000
ENTRYPOINT ["gunicorn"]
CMD ["-b", "0.0.0.0:8000", "app:app"]
