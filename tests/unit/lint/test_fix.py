"""--fix: secret-mount rewrite, non-root USER, digest pins, formatting preserved."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.lint.dockerfile.parser import DockerfileError, parse
from hullguard.lint.dockerfile.pinning import (
    RESOLVERS,
    MappingResolver,
    ResolverKind,
    pin_fixes,
)
from hullguard.lint.dockerfile.rules.framework import LintContext
from hullguard.lint.engine import lint_dockerfile
from hullguard.lint.fix import apply_fixes, unified_diff
from hullguard.lint.interface import Fix, LintUsageError, TextEdit

CORPUS = Path(__file__).resolve().parents[2] / "data" / "dockerfiles"
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


def valid(text: str) -> bool:
    try:
        parse(text.encode())
    except DockerfileError:
        return False
    return True


def fixed(text: str, resolver: MappingResolver | None = None) -> str:
    df = parse(text.encode())
    result = lint_dockerfile(df, LintContext())
    fixes = [f.fix for f in result.active if f.fix is not None]
    if resolver is not None:
        fixes = pin_fixes(df, resolver)[0] + fixes
    return apply_fixes(text, fixes, valid).text


def test_secret_mount_rewrite_of_corpus_file() -> None:
    before = (CORPUS / "02-node-npmrc-removed.Dockerfile").read_text()
    after = fixed(before)
    diff = unified_diff(before, after, "Dockerfile")
    assert diff.splitlines()[2:] == [
        "@@ -1,9 +1,8 @@",
        " FROM node:20.11-alpine AS deps",
        " WORKDIR /app",
        " COPY package.json package-lock.json ./",
        "-COPY .npmrc /app/.npmrc",
        "-RUN npm ci --omit=dev \\",
        "-    && rm -f /app/.npmrc",
        "+# .npmrc is now a build secret: docker build --secret id=npmrc,src=.npmrc",
        "+RUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci --omit=dev",
        " ",
        " FROM node:20.11-alpine",
        " ENV NODE_ENV=production",
    ]
    rules = {f.rule_id for f in lint_dockerfile(parse(after.encode()), LintContext()).active}
    assert not {"HGD010", "HGD012"} & rules


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (
            "RUN npm ci && rm -f /root/.npmrc",
            "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci",
        ),
        (
            "RUN npm ci; rm /root/.npmrc",
            "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci",
        ),
        (
            "RUN npm ci && rm -f /root/.npmrc && echo ok",
            "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci && echo ok",
        ),
        (
            "RUN set -e \\\n  && npm ci \\\n  && rm -f /root/.npmrc \\\n"
            "  && npm cache clean --force",
            "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc set -e \\\n  && npm ci \\\n"
            "  && npm cache clean --force",
        ),
    ],
)
def test_secret_mount_rewrite_shapes(run: str, expected: str) -> None:
    text = f"FROM node:20\nCOPY .npmrc /root/.npmrc\n{run}\nUSER node\n"
    after = fixed(text)
    assert after == (
        "FROM node:20\n# .npmrc is now a build secret: docker build --secret id=npmrc,src=.npmrc\n"
        f"{expected}\nUSER node\n"
    )


def test_secret_mount_not_applied_when_another_run_needs_the_file() -> None:
    text = "FROM node:20\nCOPY .npmrc /root/.npmrc\nRUN npm ci\nRUN rm /root/.npmrc\nUSER node\n"
    result = lint_dockerfile(parse(text.encode()), LintContext())
    (finding,) = [f for f in result.active if f.rule_id == "HGD012"]
    assert finding.fix is None and "--mount=type=secret,id=npmrc" in finding.message


def test_add_user_where_safe_and_formatting_is_preserved() -> None:
    before = (CORPUS / "03-python-slim.Dockerfile").read_text()
    after = fixed(before)
    assert before.splitlines() == [
        line
        for line in after.splitlines()
        if "USER 65532" not in line and "unprivileged" not in line
    ]
    lines = after.splitlines()
    assert lines.index("USER 65532:65532") == lines.index("COPY . .") + 2
    assert "HGD020" not in {
        f.rule_id for f in lint_dockerfile(parse(after.encode()), LintContext()).active
    }


@pytest.mark.parametrize(
    "text",
    [
        "FROM nginx:1.25\nCOPY site /usr/share/nginx/html\nEXPOSE 80\n",  # privileged port
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir\n",
        "FROM alpine:3\nUSER root\n",  # explicit root is a decision, not an omission
    ],
)
def test_add_user_not_applied_when_unsafe(text: str) -> None:
    assert fixed(text) == text


def test_pin_map_pins_every_stage_and_keeps_alias_and_platform() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go version\n"
        "FROM alpine:3.19\nUSER 1\n"
    )
    resolver = MappingResolver({"docker.io/library/golang:1.22": DIGEST_A, "alpine:3.19": DIGEST_B})
    after = fixed(text, resolver)
    assert after.splitlines()[0] == (
        f"FROM --platform=$BUILDPLATFORM golang:1.22@{DIGEST_A} AS build"
    )
    assert after.splitlines()[2] == f"FROM alpine:3.19@{DIGEST_B}"
    assert "HGD003" not in {
        f.rule_id for f in lint_dockerfile(parse(after.encode()), LintContext()).active
    }


def test_pinning_skips_variables_and_reports_unresolved() -> None:
    df = parse(b"ARG V=3.19\nFROM alpine:${V}\nFROM debian:12\n")
    fixes, unresolved = pin_fixes(df, MappingResolver({"alpine:3.19": DIGEST_A}))
    assert fixes == [] and unresolved == ["alpine:3.19", "debian:12"]


def test_pin_map_yaml_and_resolver_registry() -> None:
    resolver = RESOLVERS[ResolverKind.PIN_MAP](f"python:3.12: {DIGEST_A}\n")
    df = parse(b"FROM python:3.12\n")
    assert resolver.resolve(df.stages[0].ref) == DIGEST_A  # type: ignore[arg-type]
    with pytest.raises(LintUsageError):
        RESOLVERS[ResolverKind.PIN_MAP]("python:3.12: not-a-digest\n")
    from hullguard.lint.dockerfile.pinning import RegistryResolver

    assert isinstance(RESOLVERS[ResolverKind.REGISTRY](""), RegistryResolver)


def test_crlf_and_missing_final_newline_are_preserved() -> None:
    text = 'FROM alpine:3\r\nCOPY a /a\r\nCMD ["/a"]'
    after = fixed(text)
    assert after == (
        "FROM alpine:3\r\nCOPY a /a\r\n"
        "# run as an unprivileged user (65532 is distroless's nonroot)\r\n"
        'USER 65532:65532\r\nCMD ["/a"]'
    )


def test_overlapping_and_breaking_fixes_are_skipped() -> None:
    text = "FROM a:1\nRUN x\n"
    first = Fix("one", (TextEdit(2, 2, "RUN y\n"),))
    second = Fix("two", (TextEdit(2, 2, "RUN z\n"),))
    breaking = Fix("bad", (TextEdit(1, 2, "RUN <<EOF\n"),))
    outcome = apply_fixes(text, [first, second], valid)
    assert outcome.text == "FROM a:1\nRUN y\n" and outcome.skipped == (second,)
    outcome = apply_fixes(text, [breaking], valid)
    assert outcome.text == text and outcome.skipped == (breaking,)
