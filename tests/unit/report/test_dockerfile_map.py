"""History ``created_by`` strings (BuildKit and buildah spellings) -> Dockerfile lines."""

from __future__ import annotations

from hullguard.report.dockerfile_map import map_history

DOCKERFILE = b"""\
FROM golang:1.22 AS build
RUN go build -o /out/app ./cmd/app

FROM debian:12-slim
ARG VERSION=1
RUN apt-get update \\
 && apt-get install -y --no-install-recommends openssl
COPY --from=build /out/app /usr/local/bin/app
ADD requirements.txt /srv/
RUN pip install -r /srv/requirements.txt
"""


def test_buildkit_and_buildah_spellings() -> None:
    history = [
        "RUN |1 VERSION=1 /bin/sh -c apt-get update  && apt-get install -y "
        "--no-install-recommends openssl # buildkit",
        "COPY /out/app /usr/local/bin/app # buildkit",
        "/bin/sh -c #(nop) ADD file:0123abcd in /srv/ ",
        "/bin/sh -c pip install -r /srv/requirements.txt",
        "/bin/sh -c go build -o /out/app ./cmd/app",  # build stage: not in the image
        '/bin/sh -c #(nop)  CMD ["app"]',
    ]
    mapped = map_history(DOCKERFILE, "Dockerfile", history)
    assert mapped == {
        history[0]: ("Dockerfile", 6),
        history[1]: ("Dockerfile", 8),
        history[2]: ("Dockerfile", 9),
        history[3]: ("Dockerfile", 10),
    }
