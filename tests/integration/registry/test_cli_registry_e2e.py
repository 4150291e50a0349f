"""`hullguard image` end to end against the real docker-registry (plain HTTP and TLS + auth)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]


def _app_layout() -> Path:
    spec = importlib.util.spec_from_file_location("imagebuild", REPO / "tools" / "imagebuild.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app_oci()  # type: ignore[no-any-return]


def _hg(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "hullguard", "--quiet", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        input=stdin,
    )


def test_files_from_registry_equal_oci_layout(plain_registry: Any, tmp_path: Path) -> None:
    app = _app_layout()
    subprocess.run(
        ["skopeo", "copy", "-q", "--dest-tls-verify=false", f"oci:{app}:1.0",
         f"docker://{plain_registry.host}/sample/app:1.0"],
        check=True,
    )  # fmt: skip
    cache = str(tmp_path / "cache")
    remote = _hg("--cache-dir", cache, "image", "files", "--all-layers", "-f", "json",
                 "--insecure", f"{plain_registry.host}/sample/app:1.0")  # fmt: skip
    assert remote.returncode == 0, remote.stderr
    local = _hg("--cache-dir", str(tmp_path / "c2"), "image", "files",
                "--all-layers", "-f", "json", f"oci:{app}:1.0")  # fmt: skip
    assert json.loads(remote.stdout)["files"] == json.loads(local.stdout)["files"]
    inspect = _hg("--cache-dir", cache, "image", "inspect", "-f", "json", "--insecure",
                  f"{plain_registry.host}/sample/app:1.0")  # fmt: skip
    doc = json.loads(inspect.stdout)
    raw = plain_registry.raw_manifest("sample/app:1.0")
    import hashlib

    assert doc["manifest_digest"] == "sha256:" + hashlib.sha256(raw).hexdigest()
    pinned = _hg("--cache-dir", cache, "image", "inspect", "-f", "json", "--insecure",
                 f"{plain_registry.host}/sample/app@{doc['manifest_digest']}")  # fmt: skip
    assert json.loads(pinned.stdout)["layers"] == doc["layers"]


def test_multi_platform_selection(plain_registry: Any) -> None:
    ref = f"{plain_registry.host}/team/app:multi"
    arm = _hg("image", "inspect", "-f", "json", "--no-cache", "--insecure",
              "--platform", "linux/arm64", ref)  # fmt: skip
    assert arm.returncode == 0, arm.stderr
    doc = json.loads(arm.stdout)
    assert doc["platform"]["architecture"] == "arm64"
    assert doc["index_digest"] and "linux/amd64" in doc["platforms_available"]
    bad = _hg("image", "inspect", "--no-cache", "--insecure", "--platform", "linux/s390x", ref)
    assert bad.returncode == 3
    assert "available platforms" in bad.stderr and "Traceback" not in bad.stderr


def test_tls_with_basic_auth(tls_registry: Any) -> None:
    assert tls_registry.ca_pem and tls_registry.creds
    user, password = tls_registry.creds
    ref = f"{tls_registry.host}/team/app:amd64"
    ok = _hg("image", "inspect", "-f", "json", "--no-cache", "--ca-cert", str(tls_registry.ca_pem),
             "--username", user, "--password-stdin", ref, stdin=password + "\n")  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["platform"]["os"] == "linux"
    denied = _hg("image", "inspect", "--no-cache", "--ca-cert", str(tls_registry.ca_pem),
                 "--username", user, "--password-stdin", ref, stdin="wrong\n",
                 env={"DOCKER_CONFIG": "/nonexistent"})  # fmt: skip
    assert denied.returncode == 3 and "Traceback" not in denied.stderr
    untrusted = _hg("image", "inspect", "--no-cache", ref, env={"DOCKER_CONFIG": "/nonexistent"})
    assert untrusted.returncode == 3 and "--ca-cert" in untrusted.stderr


def test_unreachable_registry_is_one_line(closed_port: int) -> None:
    proc = _hg("image", "inspect", "--no-cache", "--insecure", f"127.0.0.1:{closed_port}/x/y:1")
    assert proc.returncode == 3
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach" in lines[0], proc.stderr


def test_lint_fix_pins_from_to_registry_digest(plain_registry: Any, tmp_path: Path) -> None:
    """`lint --fix --resolver registry` asks the real registry for the tag's digest."""
    ref = f"{plain_registry.host}/team/app:amd64"
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f'FROM {ref}\nUSER 1000\nCMD ["/bin/true"]\n')
    proc = _hg("lint", str(dockerfile), "--fix", "--resolver", "registry", "--fail-on", "CRITICAL")
    assert proc.returncode in (0, 1), proc.stderr
    import hashlib

    digest = "sha256:" + hashlib.sha256(plain_registry.raw_manifest("team/app:amd64")).hexdigest()
    assert f"FROM {ref}@{digest}\n" in dockerfile.read_text()
