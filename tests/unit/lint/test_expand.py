from __future__ import annotations

import pytest

from hullguard.lint.dockerfile.expand import expand
from hullguard.lint.dockerfile.imageref import parse_image_ref, with_digest

ENV = {"A": "x", "EMPTY": "", "V": "1.2"}


@pytest.mark.parametrize(
    ("word", "text", "resolved"),
    [
        ("$A", "x", True),
        ("${A}", "x", True),
        ("img:${V}-slim", "img:1.2-slim", True),
        ("${MISSING:-dflt}", "dflt", True),
        ("${EMPTY:-dflt}", "dflt", True),
        ("${EMPTY-dflt}", "", True),
        ("${A:+set}", "set", True),
        ("${EMPTY:+set}", "", True),
        ("${EMPTY+set}", "set", True),
        ("${MISSING+set}", "", True),
        ("${MISSING}", "", False),
        ("$MISSING/x", "/x", False),
        ("${MISSING:?must be set}", "", False),
        ("'$A'", "$A", True),
        ('"$A b"', "x b", True),
        ("\\$A", "$A", True),
        ("a$", "a$", True),
        ("${A:-${V}}", "x", True),
        ("${MISSING:-${V}}", "1.2", True),
        ("${A#x}", "", False),
    ],
)
def test_expand_like_buildkit(word: str, text: str, resolved: bool) -> None:
    result = expand(word, ENV)
    assert (result.text, result.resolved) == (text, resolved)


def test_backtick_escape() -> None:
    assert expand("`$A", ENV, escape="`").text == "$A"


@pytest.mark.parametrize(
    ("text", "name", "tag", "digest"),
    [
        ("alpine", "docker.io/library/alpine", "", ""),
        ("alpine:3.19", "docker.io/library/alpine", "3.19", ""),
        ("bitnami/node:20", "docker.io/bitnami/node", "20", ""),
        ("index.docker.io/library/nginx:1", "docker.io/library/nginx", "1", ""),
        ("localhost:5000/team/base", "localhost:5000/team/base", "", ""),
        ("ghcr.io/org/app:v1@sha256:" + "a" * 64, "ghcr.io/org/app", "v1", "sha256:" + "a" * 64),
        (
            "gcr.io/distroless/static-debian12:nonroot",
            "gcr.io/distroless/static-debian12",
            "nonroot",
            "",
        ),
    ],
)
def test_image_refs_are_normalised(text: str, name: str, tag: str, digest: str) -> None:
    ref = parse_image_ref(text)
    assert ref is not None
    assert (ref.name, ref.tag, ref.digest) == (name, tag, digest)


@pytest.mark.parametrize("text", ["ALPINE:3", "a:b:c", "img@sha256:short", "", "a//b"])
def test_invalid_refs(text: str) -> None:
    assert parse_image_ref(text) is None


def test_with_digest_keeps_tag_as_written() -> None:
    assert with_digest("python:3.12", "sha256:ab") == "python:3.12@sha256:ab"
