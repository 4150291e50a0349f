"""``hullguard sbom``: formats, output file, exit codes (run as a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

REPO = Path(__file__).resolve().parents[3]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "hullguard", *args],
        capture_output=True,
        text=True,
        check=False,
        env=full_env,
    )


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory, fixtures: Path) -> Path:
    root = tmp_path_factory.mktemp("rootfs")
    host = fixtures / "local-debian12-host"
    (root / "etc").mkdir()
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "etc/os-release").write_bytes((host / "etc/os-release").read_bytes())
    (root / "var/lib/dpkg/status").write_bytes((host / "var/lib/dpkg/status").read_bytes())
    return root


def test_cyclonedx_default_is_valid_and_reproducible(rootfs: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    first = run("sbom", f"dir:{rootfs}", env=env)
    second = run("sbom", f"dir:{rootfs}", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(first.stdout) is None
    doc = json.loads(first.stdout)
    assert doc["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"
    assert len([c for c in doc["components"] if c["type"] == "library"]) == 730


def test_spec_version_and_output_file(rootfs: Path, tmp_path: Path) -> None:
    out = tmp_path / "bom.json"
    proc = run("sbom", f"dir:{rootfs}", "--spec-version", "1.5", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert json.loads(out.read_text())["specVersion"] == "1.5"


def test_table_and_json(rootfs: Path) -> None:
    table = run("sbom", f"dir:{rootfs}", "--format", "table")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0] == "OS: Debian GNU/Linux 12 (bookworm)"
    assert table.stdout.rstrip().endswith("730 packages")
    doc = json.loads(run("sbom", f"dir:{rootfs}", "-f", "json").stdout)
    assert doc["os"]["version_codename"] == "bookworm"
    assert len(doc["packages"]) == 730


def test_sbom_input_target(rootfs: Path, tmp_path: Path) -> None:
    cdx = tmp_path / "in.cdx.json"
    cdx.write_text(run("sbom", f"dir:{rootfs}").stdout)
    proc = run("sbom", f"sbom:{cdx}", "-f", "spdx-json")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["packages"]) == 1 + 730 + 1


@pytest.mark.parametrize(
    ("target", "code"),
    [("Not/A::ref", 2), ("dir:/definitely/not/here", 3), ("sbom:/no/such/file.json", 2)],
)
def test_errors_have_no_traceback(target: str, code: int) -> None:
    proc = run("sbom", target)
    assert proc.returncode == code
    assert proc.stderr.startswith("hullguard: error:")
    assert "Traceback" not in proc.stderr
