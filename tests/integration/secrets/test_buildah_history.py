"""Build-history leaks in the exact form a real builder records them.

buildah builds a tiny image FROM scratch (static busybox as /bin/sh, no network)
with a secret ENV, a --build-arg token and a --password on a RUN line; its
history (`buildah inspect`) then goes through scan_history / scan_env. All values
are FAKE.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from secret_fakes import ALNUM, fake

from hullguard.secrets import SecretScanner

BUSYBOX = Path("/bin/busybox")
NPM = "npm_" + fake(ALNUM, 36, "buildarg")
DBPW = fake(ALNUM, 16, "envpw")
WGETPW = fake(ALNUM, 14, "wget")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("buildah") is None or not BUSYBOX.is_file(),
        reason="needs buildah and busybox-static (Makefile APT_PACKAGES)",
    ),
]

DOCKERFILE = f"""FROM scratch
COPY busybox /bin/busybox
COPY busybox /bin/sh
ARG NPM_TOKEN
ARG MODE=prod
ENV DB_PASSWORD={DBPW} APP_ENV=prod
RUN /bin/busybox mkdir -p /tmp && echo $NPM_TOKEN > /tmp/t && /bin/busybox rm /tmp/t
RUN /bin/busybox wget -q --user=deploy --password={WGETPW} http://127.0.0.1:9/x || true
"""


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    work = tmp_path_factory.mktemp("buildah")
    ctx = work / "ctx"
    ctx.mkdir()
    shutil.copy(BUSYBOX, ctx / "busybox")
    (ctx / "Dockerfile").write_text(DOCKERFILE)
    store = [
        "--root",
        str(work / "root"),
        "--runroot",
        str(work / "run"),
        "--storage-driver",
        "vfs",
    ]
    subprocess.run(
        ["buildah", *store, "bud", "--isolation", "chroot", "--layers", "--build-arg",
         f"NPM_TOKEN={NPM}", "-f", str(ctx / "Dockerfile"), "-t", "leaky", str(ctx)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    out = subprocess.run(
        ["buildah", *store, "inspect", "leaky"], check=True, capture_output=True, text=True
    )
    oci: dict[str, object] = json.loads(out.stdout)["OCIv1"]
    return oci


def test_history_leaks_are_found(config: dict[str, object]) -> None:
    scanner = SecretScanner()
    history = config["history"]
    assert isinstance(history, list)
    found = [
        (i, m.rule_id, m.redacted)
        for i, step in enumerate(history)
        for m in scanner.scan_history(step.get("created_by", ""), source=f"history[{i}]")
    ]
    steps = {i: step["created_by"] for i, step in enumerate(history)}
    env_step = next(i for i, s in steps.items() if "ENV DB_PASSWORD" in s)
    run_steps = [i for i, s in steps.items() if s.startswith("|2 ")]
    assert len(run_steps) == 2  # both RUN steps record the build args
    expected = {(env_step, "generic-password"), *((i, "npm-access-token") for i in run_steps)}
    expected.add((run_steps[1], "cli-password-option"))
    assert {(i, rule) for i, rule, _ in found} == expected
    text = json.dumps(found)
    assert NPM[:8] not in text and DBPW[:6] not in text and WGETPW[:6] not in text


def test_config_env_leak_is_found(config: dict[str, object]) -> None:
    env = config["config"]["Env"]  # type: ignore[index]
    found = SecretScanner().scan_env(env)
    assert [(m.rule_id, m.line) for m in found] == [
        ("generic-password", env.index(f"DB_PASSWORD={DBPW}") + 1)
    ]
