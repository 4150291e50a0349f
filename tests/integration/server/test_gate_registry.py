"""``hullguard gate`` on registry images: signatures per policy, runtime rules on manifests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
Images = Any


def _gate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "hullguard", "--quiet", "gate", *args],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip


def _policy(images: Images, extra: str = "") -> Path:
    path = images.pub.parent / f"gate-{abs(hash(extra))}.yaml"
    path.write_text(
        "signatures:\n  policies:\n"
        f"    - {{name: team, images: ['{images.host}/team/**'], "
        f"authorities: [{{key: {images.pub.name}}}]}}\n" + extra
    )
    return path


def test_signed_image_passes_unsigned_is_blocked(images: Images) -> None:
    policy = str(_policy(images))
    ok = _gate(images.signed, "--policy", policy, "--insecure", "--no-cache", "-f", "json")
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(ok.stdout)
    assert doc["decision"] == "allow" and doc["digest"] == images.signed_digest
    assert any("satisfied by" in r["message"] for r in doc["reasons"])
    bad = _gate(images.unsigned, "--policy", policy, "--insecure", "--no-cache")
    assert bad.returncode == 1
    assert "Decision: BLOCK" in bad.stdout and "policy team failed" in bad.stdout


def test_runtime_rules_on_manifests(images: Images, tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        f"    - {{name: a, image: '{images.signed}', securityContext: {{privileged: true}}}}\n"
    )
    policy = str(_policy(images, "runtime: {profile: baseline, rules: [AU103]}\n"))
    done = _gate(images.signed, "--policy", policy, "--insecure", "--no-cache",
                 "--manifests", str(tmp_path))  # fmt: skip
    assert done.returncode == 1
    assert "runtime.AU103" in done.stdout and "deploy.yaml" in done.stdout
    without = _gate(images.signed, "--policy", policy, "--insecure", "--no-cache")
    assert without.returncode == 0
    assert "policy section runtime was not evaluated" in without.stderr
