"""Image config Env/Labels and build history: ENV/ARG values, --build-arg leaks, curl -u."""

from __future__ import annotations

import pytest
from secret_fakes import ALNUM, fake

from hullguard.secrets import SecretScanner
from hullguard.secrets.imageconfig import history_assignments

NPM = "npm_" + fake(ALNUM, 36, "hist")
PW = fake(ALNUM, 14, "histpw")


def test_env_secrets_by_name_whatever_their_entropy(scanner: SecretScanner) -> None:
    env = [
        "PATH=/usr/local/bin:/usr/bin",
        "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",  # python image: a key fingerprint
        "PYTHON_SHA256=" + "a" * 64,
        "POSTGRES_PASSWORD=postgres",
        "SESSION_SECRET=s3ss10n",
        "API_TOKEN_FILE=/run/secrets/token",
        "DB_PASSWORD=${DB_PASSWORD}",
        "AUTH_ENABLED=true",
        f"NPM_TOKEN={NPM}",
    ]
    found = scanner.scan_env(env)
    assert [(m.line, m.rule_id) for m in found] == [
        (4, "env-password"), (5, "env-secret"), (9, "npm-access-token"),
    ]  # fmt: skip
    assert all(m.path == "config:Env" for m in found)


def test_labels(scanner: SecretScanner) -> None:
    found = scanner.scan_labels({"org.opencontainers.image.source": "https://github.com/o/r",
                                 "deploy.token": NPM})  # fmt: skip
    assert [(m.path, m.line, m.rule_id) for m in found] == [
        ("config:Labels", 2, "npm-access-token")
    ]


@pytest.mark.parametrize(
    ("created_by", "expected"),
    [
        ("/bin/sh -c #(nop)  ENV DB_PASSWORD=" + PW, ["DB_PASSWORD=" + PW]),
        ("ENV A=1 B_TOKEN=" + PW, ["A=1", "B_TOKEN=" + PW]),
        ("/bin/sh -c #(nop)  ENV LEGACY_PASSWORD " + PW, ["LEGACY_PASSWORD=" + PW]),
        ("ARG NPM_TOKEN", []),
        (f"RUN |2 NPM_TOKEN={NPM} MODE=prod /bin/sh -c npm ci", [f"NPM_TOKEN={NPM}", "MODE=prod"]),
        (f"|1 GH_TOKEN={PW} /bin/sh -c make", [f"GH_TOKEN={PW}"]),
        ("/bin/sh -c apt-get update", []),
    ],
)
def test_history_assignments(created_by: str, expected: list[str]) -> None:
    assert history_assignments(created_by) == expected


@pytest.mark.parametrize(
    ("created_by", "rule"),
    [
        ("/bin/sh -c #(nop)  ENV DB_PASSWORD=" + PW, "generic-password"),
        ("/bin/sh -c #(nop)  ENV DB_PASSWORD=postgres", "env-password"),
        (f"RUN |1 GITHUB_TOKEN={PW} /bin/sh -c make release", "env-secret"),
        (f"RUN |1 NPM_TOKEN={NPM} /bin/sh -c npm ci", "npm-access-token"),
        (
            f"RUN /bin/sh -c curl -fsSL -u deploy:{PW} https://files.corp.io/a -o a",
            "curl-basic-auth",
        ),
        (f"RUN /bin/sh -c git clone https://ci:{PW}@git.corp.io/r.git", "url-credentials"),
        (
            f"RUN /bin/sh -c pip install --index-url https://u1:{PW}@pypi.corp.io/simple x",
            "url-credentials",
        ),
        (f"RUN /bin/sh -c wget https://x.corp.io/f?token={PW}aZ9 -O f", "generic-secret"),
        (f"RUN /bin/sh -c app-cli login --password {PW}", "cli-password-option"),
        (f"RUN /bin/sh -c docker login -u ci -p {PW} r.corp.io", "cli-password-flag"),
    ],
)
def test_history_leaks(scanner: SecretScanner, created_by: str, rule: str) -> None:
    found = scanner.scan_history(created_by, source="history[3]")
    assert [m.rule_id for m in found] == [rule]
    assert found[0].path == "history[3]" and found[0].line == 1
    value_start = found[0].column - 1
    assert created_by[value_start:].startswith(found[0].redacted.split("…")[0])


def test_history_without_secrets(scanner: SecretScanner) -> None:
    for step in ("ARG NPM_TOKEN", "RUN --mount=type=secret,id=npm,target=/root/.npmrc npm ci",
                 "ENV PATH=/usr/local/bin:$PATH", "RUN |1 MODE=prod /bin/sh -c make"):  # fmt: skip
        assert scanner.scan_history(step) == [], step
