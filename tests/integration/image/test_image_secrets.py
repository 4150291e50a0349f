"""Secrets planted in a real buildah-built image: found in every layer, history and config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any


def _hg(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hullguard", "--quiet", "--cache-dir", str(cache), *args],
        capture_output=True, text=True, check=False, env={**os.environ},
    )  # fmt: skip


def _findings(proc: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["secrets"]["findings"]  # type: ignore[no-any-return]


def test_planted_secrets_found_with_layer_story(
    app_oci: Path, imagebuild: ModuleType, tmp_path: Path
) -> None:
    ref = f"oci:{app_oci}:1.0"
    cold = _hg("scan", "--scanners", "secret", "-f", "json", ref, cache=tmp_path)
    found = _findings(cold)
    by = {(f["rule_id"], f["path"]) for f in found}
    # .env added by layer 2 (COPY), deleted by layer 3 (RUN rm): still extractable
    env_key = next(f for f in found if f["rule_id"] == "aws-secret-access-key")
    assert env_key["path"] == "/app/.env" and env_key["line"] == 2
    assert env_key["layer"] == 2 and env_key["status"] == "deleted"
    assert env_key["removed_by_layer"] == 3 and "still extractable from layer 2" in env_key["story"]
    assert ("aws-access-key-id", "/app/.env") in by
    assert ("sensitive-file-env", "/app/.env") in by
    # token in a file overwritten by a later COPY
    cfg = next(f for f in found if f["path"] == "/app/config.ini")
    assert cfg["rule_id"] == "github-pat" and cfg["status"] == "replaced"
    assert cfg["layer"] == 2 and cfg["removed_by_layer"] == 6
    # build argument recorded in the history of every RUN step
    history = [f for f in found if f["origin"] == "history"]
    assert history and all(f["rule_id"] == "github-pat" for f in history)
    # nothing else: the Debian base, pip and npm layers are clean
    assert {f["path"] for f in found if f["origin"] == "layer"} == {"/app/.env", "/app/config.ini"}
    # warm cache: same answer, no layer read
    warm = _hg("scan", "--scanners", "secret", "-f", "json", ref, cache=tmp_path)
    assert _findings(warm) == found
    assert json.loads(warm.stdout)["secrets"]["summary"]["layers_read"] == 0


def test_values_never_printed(app_oci: Path, imagebuild: ModuleType, tmp_path: Path) -> None:
    ref = f"oci:{app_oci}:1.0"
    outputs = [
        _hg("scan", "--scanners", "secret,misconfig", "-f", "json", ref, cache=tmp_path).stdout,
        _hg("scan", "--scanners", "secret", ref, cache=tmp_path).stdout,
        _hg("image", "inspect", ref, cache=tmp_path).stdout,
        _hg("image", "inspect", "-f", "json", ref, cache=tmp_path).stdout,
        _hg("image", "files", "--all-layers", "-f", "json", ref, cache=tmp_path).stdout,
    ]
    secrets = [imagebuild.FAKE_AWS_SECRET, imagebuild.FAKE_GITHUB_TOKEN]
    for text in outputs:
        assert text
        for value in secrets:
            for i in range(0, len(value) - 8):
                assert value[i : i + 8] not in text, value[i : i + 8]
    # nor in the cache
    for path in tmp_path.rglob("*.json"):
        data = path.read_text()
        for value in secrets:
            assert value[6:14] not in data


def test_clean_debian_base_has_no_findings(imagebuild: ModuleType, tmp_path: Path) -> None:
    base = imagebuild.debian_oci()
    proc = _hg("scan", "--scanners", "secret", "-f", "json", f"oci:{base}:base", cache=tmp_path)
    assert _findings(proc) == []


def test_exit_code_flag(app_oci: Path, tmp_path: Path) -> None:
    proc = _hg(
        "scan", "--scanners", "secret", "--exit-code", "5", f"oci:{app_oci}:1.0", cache=tmp_path
    )
    assert proc.returncode == 5


def test_misconfig_and_inspect_hardening(imagebuild: ModuleType, tmp_path: Path) -> None:
    base = f"oci:{imagebuild.debian_oci()}:base"
    proc = _hg("scan", "--scanners", "misconfig", "-f", "json", base, cache=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rules = {f["rule_id"] for f in json.loads(proc.stdout)["misconfigurations"]["findings"]}
    assert {"IMG001", "IMG002", "IMG003", "IMG004"} <= rules  # root, shell, apt, setuid
    assert "IMG008" not in rules  # bookworm is supported
    inspect = json.loads(_hg("image", "inspect", "-f", "json", base, cache=tmp_path).stdout)
    assert inspect["os"]["id"] == "debian" and inspect["os"]["version_id"] == "12"
    assert {f["rule_id"] for f in inspect["hardening"]} == rules
