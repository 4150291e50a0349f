"""``hullguard audit`` end to end in a subprocess: exit codes, fix, diff, stdin, formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MANIFESTS = Path(__file__).resolve().parents[2] / "data" / "manifests"


def run(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "hullguard", "audit", *args],
        input=stdin,
        capture_output=True,
        check=False,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", b"binary file"),
        (b"a: [1,\n", b"broken YAML at line"),
        (b"hello: world\n", b"not a Kubernetes manifest"),
    ],
)
def test_bad_input_one_line_exit_3(tmp_path: Path, content: bytes, message: bytes) -> None:
    path = tmp_path / "in.yaml"
    path.write_bytes(content)
    proc = run(str(path))
    assert proc.returncode == 3
    assert message in proc.stderr
    assert b"Traceback" not in proc.stderr
    assert proc.stderr.count(b"\n") == 1


def test_missing_file_is_exit_3(tmp_path: Path) -> None:
    proc = run(str(tmp_path / "nope.yaml"))
    assert proc.returncode == 3
    assert b"cannot read" in proc.stderr and b"Traceback" not in proc.stderr


def test_usage_errors_are_exit_2() -> None:
    assert run("--profile", "strict", str(MANIFESTS / "cronjob.yaml")).returncode == 2
    assert run().returncode == 2


def test_fail_on_threshold(tmp_path: Path) -> None:
    target = str(MANIFESTS / "cronjob.yaml")  # worst finding: high (seccomp Unconfined)
    assert run(target).returncode == 1  # default --fail-on high
    assert run("--fail-on", "critical", target).returncode == 0
    assert run("--profile", "baseline", "--fail-on", "critical", target).returncode == 0


def test_fix_writes_in_place_and_result_passes(tmp_path: Path) -> None:
    target = tmp_path / "cronjob.yaml"
    shutil.copy(MANIFESTS / "cronjob.yaml", target)
    proc = run("--fix", "--format", "json", str(target))
    assert b"fixed" in proc.stderr
    fixed = target.read_text()
    assert "# Nightly report job" in fixed
    assert "type: Unconfined" not in fixed
    assert "            seccompProfile:\n              type: RuntimeDefault" in fixed
    doc = json.loads(proc.stdout)
    assert not [f for f in doc["findings"] if f["pss_level"]]
    assert proc.returncode == 0  # only low findings (digest, token) remain
    again = run("--format", "json", str(target))
    assert json.loads(again.stdout)["findings"] == doc["findings"]


def test_diff_does_not_write(tmp_path: Path) -> None:
    target = tmp_path / "cronjob.yaml"
    shutil.copy(MANIFESTS / "cronjob.yaml", target)
    before = target.read_bytes()
    proc = run("--diff", str(target))
    assert target.read_bytes() == before
    assert proc.stdout.startswith(b"--- a/")
    assert b"+              type: RuntimeDefault" in proc.stdout
    assert b"AU111" in proc.stderr  # the report moved to stderr
    assert proc.returncode == 1


def test_stdin_and_sarif_output(tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    data = (MANIFESTS / "compose.yaml").read_bytes()
    proc = run("--format", "sarif", "--output", str(out), "-", stdin=data)
    assert proc.returncode == 1
    assert proc.stdout == b""
    sarif = json.loads(out.read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]}  # fmt: skip
    assert uris == {"stdin"}


def test_stdin_fix_prints_hardened_text() -> None:
    data = (MANIFESTS / "cronjob.yaml").read_bytes()
    proc = run("--fix", "-", stdin=data)
    assert proc.stdout.startswith(b"# Nightly report job")
    assert b"allowPrivilegeEscalation: false" in proc.stdout


def test_directory_walk_skips_non_manifests(tmp_path: Path) -> None:
    shutil.copy(MANIFESTS / "ephemeral.yaml", tmp_path / "pod.yaml")
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / "chart.yaml").write_text("image: {{ .Values.image }}\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "bad.yaml").write_text("a: [")
    proc = run("--format", "json", str(tmp_path))
    doc = json.loads(proc.stdout)
    assert [f["path"] for f in doc["files"]] == [str(tmp_path / "pod.yaml")]
    assert proc.stderr.count(b"skipped") == 2
    assert proc.returncode == 1  # privileged ephemeral container


def test_docker_run_lines_from_stdin() -> None:
    proc = run("--format", "json", "-", stdin=b"docker run --privileged alpine:3.20\n")
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert "AU103" in rules
    assert proc.returncode == 1
