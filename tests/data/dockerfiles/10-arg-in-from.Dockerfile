ARG REGISTRY=docker.io
ARG PYTHON_VERSION=3.11
ARG VARIANT
ARG BASE=${REGISTRY}/library/python:${PYTHON_VERSION}-${VARIANT:-slim}

FROM ${BASE} AS runtime
ARG PYTHON_VERSION
RUN pip install --no-cache-dir "uvicorn==0.29.0"
WORKDIR /srv
COPY app/ /srv/app/
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]
