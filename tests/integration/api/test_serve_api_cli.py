"""``hullguard serve`` (API mode) usage: wrong combinations and bad files are exit 2/3
with one line on stderr, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("HULLGUARD_API_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "hullguard", "serve", "--port", "0", *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--policy", "p.yaml"], 2, "--policy: only with --admission"),
        (["--admission", "--read-only"], 2, "--read-only: only for the API server"),
        (["--admission", "--tls-cert", "c", "--tls-key", "k"], 2, "--admission needs --policy"),
        (["--token-file", "{tmp}/missing"], 2, "cannot read --token-file"),
        (["--token-file", "{tmp}/short"], 2, "shorter than 16 characters"),
        (["--database", "{tmp}/garbage.db"], 3, "not a usable inventory database"),
        (["--database", "mysql://x/y"], 2, "unsupported database URL"),
    ],
)
def test_serve_usage_errors(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    (tmp_path / "short").write_text("abc\n")
    (tmp_path / "garbage.db").write_bytes(b"this is not SQLite" * 100)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--database" not in args and "--admission" not in args:
        args += ["--database", str(tmp_path / "inventory.db")]
    done = _serve(*args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
