"""hullguard's own rules (those hadolint lacks) on the corpus, plus targeted cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.lint.dockerfile.parser import parse
from hullguard.lint.dockerfile.rules.framework import LintContext
from hullguard.lint.engine import all_rules, lint_dockerfile

CORPUS = Path(__file__).resolve().parents[2] / "data" / "dockerfiles"
#: rules with no hadolint counterpart (those with one are checked against hadolint)
OWN = {m.id for m in all_rules() if not m.aliases} | {"HGD004", "HGD021"}

EXPECTED: dict[str, set[tuple[str, int]]] = {
    "01": {("HGD003", 5), ("HGD003", 14), ("HGD005", 14)},
    "02": {("HGD003", 1), ("HGD003", 8), ("HGD010", 4), ("HGD012", 5)},
    "03": {("HGD003", 1), ("HGD020", 1)},
    "05": {("HGD005", 2)},
    "06": {("HGD003", 1), ("HGD005", 1), ("HGD020", 1)},
    "11": {
        ("HGD003", 1),
        ("HGD003", 11),
        ("HGD005", 11),
        ("HGD010", 4),
        ("HGD012", 5),
        ("HGD020", 11),
    },
    "12": {("HGD003", 1), ("HGD011", 3), ("HGD011", 6), ("HGD011", 7)},
    "13": {("HGD003", 1), ("HGD031", 5), ("HGD031", 6), ("HGD031", 7)},
    "14": {("HGD003", 1), ("HGD020", 1), ("HGD023", 7), ("HGD044", 4)},
    "15": {("HGD003", 1), ("HGD005", 9)},
    "18": {("HGD003", 1), ("HGD003", 8), ("HGD005", 8)},
    "20": {
        ("HGD003", 1),
        ("HGD003", 6),
        ("HGD003", 9),
        ("HGD004", 1),
        ("HGD004", 6),
        ("HGD004", 9),
    },
    "21": {("HGD003", 1), ("HGD005", 1)},
    "22": {("HGD003", 1), ("HGD005", 8)},
    "29": {("HGD003", 1), ("HGD005", 1), ("HGD030", 2), ("HGD030", 6), ("HGD030", 7)},
    "30": {("HGD003", 2)},
    "32": {("HGD003", 2), ("HGD021", 10), ("HGD031", 6)},
    "33": {("HGD003", 1), ("HGD003", 7), ("HGD021", 12)},
    "37": {("HGD004", 10), ("HGD020", 10)},
    "38": {
        ("HGD003", 1),
        ("HGD010", 3),
        ("HGD010", 5),
        ("HGD010", 6),
        ("HGD010", 7),
        ("HGD010", 9),
    },
}


def lint_text(text: str, context: LintContext | None = None):  # type: ignore[no-untyped-def]
    return lint_dockerfile(parse(text.encode(), "Dockerfile"), context or LintContext())


def ids(result) -> set[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return {(f.rule_id, f.line) for f in result.active}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_corpus_expectations(prefix: str) -> None:
    path = next(CORPUS.glob(f"{prefix}-*.Dockerfile"))
    result = lint_dockerfile(parse(path.read_bytes(), path.name), LintContext())
    found = {(f.rule_id, f.line) for f in result.findings if f.rule_id in OWN}
    assert found == EXPECTED[prefix]


def test_every_rule_fires_somewhere_in_the_corpus() -> None:
    fired = set()
    for path in CORPUS.glob("*.Dockerfile"):
        result = lint_dockerfile(parse(path.read_bytes(), path.name), LintContext())
        fired |= {f.rule_id for f in result.findings}
    assert {m.id for m in all_rules()} - fired == {"HGD013"}  # needs --context


def test_messages_say_what_to_do_and_rules_are_documented() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "lint.md").read_text()
    for meta in all_rules():
        assert f'<a id="{meta.id.lower()}"></a>' in docs, meta.id
        assert meta.summary.endswith(".")


def test_trusted_registry_allowlist_and_namespaces() -> None:
    text = "FROM ghcr.io/acme/base:1\nFROM myorg/tool:2\nFROM ghcr.io/other/x:1\nUSER 1\n"
    default = ids(lint_text(text))
    assert {("HGD004", 1), ("HGD004", 2), ("HGD004", 3)} <= default
    ctx = LintContext(trusted=("ghcr.io/acme", "myorg"))
    custom = ids(lint_text(text, ctx))
    assert ("HGD004", 3) in custom
    assert ("HGD004", 1) not in custom and ("HGD004", 2) not in custom


@pytest.mark.parametrize(
    "image",
    [
        "alpine:3.19",
        "gcr.io/distroless/base-debian12:nonroot",
        "cgr.dev/chainguard/go:1",
        "registry.access.redhat.com/ubi9/ubi:9.3",
        "mcr.microsoft.com/dotnet/runtime:8.0",
        "public.ecr.aws/docker/library/python:3.12",
        "quay.io/fedora/fedora:40",
    ],
)
def test_default_trusted_sources(image: str) -> None:
    assert "HGD004" not in {f.rule_id for f in lint_text(f"FROM {image}\nUSER 1\n").active}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM alpine:3\n", True),
        ("FROM alpine:3\nUSER app\n", False),
        ("FROM alpine:3\nUSER app\nFROM alpine:3\n", True),
        ("FROM alpine:3 AS base\nUSER app\nFROM base\n", False),  # inherited from the stage
        ("FROM gcr.io/distroless/static:nonroot\n", False),
        ("FROM cgr.dev/chainguard/static:latest\n", False),
        ("FROM scratch\nCOPY a /a\n", True),
    ],
)
def test_final_stage_without_user(text: str, expected: bool) -> None:
    assert ("HGD020" in {f.rule_id for f in lint_text(text).active}) is expected


@pytest.mark.parametrize("user", ["root", "0", "root:root", "0:0"])
def test_final_user_root(user: str) -> None:
    assert ("HGD021", 2) in ids(lint_text(f"FROM alpine:3\nUSER {user}\n"))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ENV GITHUB_TOKEN=abc", True),
        ("ENV API_KEY abc", True),
        ("ARG DB_PASSWORD", True),
        ("ENV PASSWORD_FILE=/run/secrets/pw", False),
        ("ENV TOKEN_URL=https://auth.example.com", False),
        ("ENV SECRET_KEY=", False),
        ("ENV PWD_HINT=x", False),
        ("ENV CONFIG=xoxb-123456789012-abcdefghij", True),
        ("ENV DSN=postgres://app:s3cr3t@db:5432/app", True),
        ("ARG VERSION=1.2", False),
    ],
)
def test_secret_arg_env(line: str, expected: bool) -> None:
    found = "HGD011" in {f.rule_id for f in lint_text(f"FROM alpine:3\n{line}\nUSER 1\n").active}
    assert found is expected


def test_removed_secret_outside_copies_is_not_flagged() -> None:
    text = (
        "FROM alpine:3\nCOPY app.tar.gz /tmp/\nRUN tar xf /tmp/app.tar.gz && rm /tmp/app.tar.gz\n"
    )
    assert "HGD012" not in {f.rule_id for f in lint_text(text).active}


def test_removed_secret_relative_to_workdir() -> None:
    text = "FROM alpine:3\nWORKDIR /app\nCOPY .npmrc .\nRUN npm ci && rm .npmrc\nUSER 1\n"
    assert ("HGD012", 4) in ids(lint_text(text))


def test_context_sends_secrets_lists_files_and_missing_lines() -> None:
    text = "FROM nginx:1.25\nCOPY . /srv\nUSER 101\n"
    ctx = LintContext(
        context_files=(".env", ".git/HEAD", "certs/dev.pem", "src/index.html", "notes.md"),
        dockerignore=(".git", "*.md"),
    )
    (finding,) = [f for f in lint_text(text, ctx).active if f.rule_id == "HGD013"]
    assert finding.line == 2
    assert "sent: .env" in finding.details and "sent: certs/dev.pem" in finding.details
    assert "sent: .git" not in finding.details
    assert "add: **/.env" in finding.details and "add: **/*.pem" in finding.details


def test_context_rule_quiet_when_dockerignore_covers_everything() -> None:
    text = "FROM nginx:1.25\nCOPY . /srv\nUSER 101\n"
    ctx = LintContext(context_files=(".env", "a/.env", "x.html"), dockerignore=("**/.env",))
    assert "HGD013" not in {f.rule_id for f in lint_text(text, ctx).active}
    ctx = LintContext(context_files=(".env",), dockerignore=None)
    assert "HGD013" not in {f.rule_id for f in lint_text("FROM a:1\nCOPY src /s\n", ctx).active}


def test_inline_and_config_suppressions_are_kept_with_reason() -> None:
    text = (
        "FROM alpine:3\n# hadolint ignore=DL3003\nRUN cd /x\n# hullguard ignore=sudo\nRUN sudo ls\n"
    )
    result = lint_text(text)
    by_rule = {f.rule_id: f for f in result.findings}
    assert by_rule["HGD051"].suppressed.startswith("ignored by an inline comment")
    assert by_rule["HGD022"].suppressed
    assert "HGD051" not in {f.rule_id for f in result.active}
    from hullguard.lint.interface import RuleId

    result = lint_dockerfile(parse(text.encode()), LintContext(), frozenset({RuleId("HGD020")}))
    assert next(f for f in result.findings if f.rule_id == "HGD020").suppressed == (
        "ignored by configuration"
    )
