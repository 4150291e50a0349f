"""`hullguard lint` through the real CLI in a subprocess: exit codes, formats, fixes,
and one-line errors (no traceback) for broken input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "data" / "dockerfiles"
DIGEST = "sha256:" + "c" * 64


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hullguard", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        timeout=120,
    )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("hullguard: error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("content", "code", "fragment"),
    [
        (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), 3, "binary"),
        (b"", 3, "empty Dockerfile"),
        (b"FROM alpine:3\nRUN <<EOF\necho never closed\n", 3, "unterminated heredoc"),
        (b"FROM alpine\nRUN \xff\n", 3, "not UTF-8"),
    ],
)
def test_broken_input_gives_one_line_and_exit_code(
    tmp_path: Path, content: bytes, code: int, fragment: str
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(content)
    proc = run("lint", str(path))
    assert proc.returncode == code
    assert fragment in one_line_error(proc)
    assert proc.stdout == ""


def test_missing_file_and_directory_are_usage_errors(tmp_path: Path) -> None:
    proc = run("lint", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "does not exist" in one_line_error(proc)
    proc = run("lint", str(tmp_path))
    assert proc.returncode == 2 and "not a regular file" in one_line_error(proc)


@pytest.mark.parametrize(
    "args",
    [
        ("--fail-on", "SEVERE"),
        ("--severity", "HIGH,NOPE"),
        ("--ignore", "HGD999"),
        ("--build-arg", "NOVALUE"),
    ],
)
def test_bad_options_are_usage_errors(args: tuple[str, ...]) -> None:
    proc = run("lint", str(CORPUS / "05-distroless-pinned.Dockerfile"), *args)
    assert proc.returncode == 2
    one_line_error(proc)


def test_exit_code_follows_fail_on() -> None:
    path = str(CORPUS / "14-ubuntu-legacy-sshd.Dockerfile")
    assert run("lint", path).returncode == 0  # MEDIUM at most
    assert run("lint", path, "--fail-on", "medium").returncode == 1
    secrets = str(CORPUS / "38-copy-secrets.Dockerfile")
    assert run("lint", secrets).returncode == 1
    assert run("lint", secrets, "--fail-on", "CRITICAL").returncode == 1
    assert run("lint", secrets, "--ignore", "HGD010", "--fail-on", "CRITICAL").returncode == 0


def test_formats_and_output_file(tmp_path: Path) -> None:
    path = str(CORPUS / "20-untrusted-bases.Dockerfile")
    proc = run("lint", path, "-f", "json")
    doc = json.loads(proc.stdout)
    assert proc.returncode == 1 and doc["summary"]["HIGH"] == 3
    out = tmp_path / "report.sarif"
    proc = run("lint", path, "-f", "sarif", "-o", str(out))
    assert proc.stdout == "" and json.loads(out.read_text())["version"] == "2.1.0"
    proc = run(
        "lint",
        path,
        "--trusted-registry",
        "bitnami",
        "--trusted-registry",
        "ghcr.io/someuser",
        "--trusted-registry",
        "quay.io/randomdev",
    )
    assert proc.returncode == 0, proc.stdout


def test_config_file(tmp_path: Path) -> None:
    config = tmp_path / "hullguard.yaml"
    config.write_text(
        "lint:\n  ignore: [DL3008, base-image-not-pinned]\n"
        "  trusted-registries: [bitnami, ghcr.io/someuser, quay.io/randomdev]\n  fail-on: LOW\n"
    )
    proc = run(
        "lint", str(CORPUS / "20-untrusted-bases.Dockerfile"), "--config", str(config), "-f", "json"
    )
    doc = json.loads(proc.stdout)
    active = [f["rule_id"] for f in doc["files"][0]["findings"] if not f["suppressed"]]
    assert "HGD004" not in active and "HGD003" not in active
    assert doc["fail_on"] == "LOW"
    config.write_text("lint:\n  unknown-key: 1\n")
    proc = run("lint", str(CORPUS / "05-distroless-pinned.Dockerfile"), "--config", str(config))
    assert proc.returncode == 2 and "unknown-key" in one_line_error(proc)


def test_diff_writes_nothing_and_fix_rewrites(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    shutil.copy(CORPUS / "11-ssh-key-removed.Dockerfile", path)
    original = path.read_text()
    pins = tmp_path / "pins.yaml"
    pins.write_text(f"golang:1.22.5-alpine: {DIGEST}\nalpine:3.19: {DIGEST}\n")
    proc = run("lint", str(path), "--diff", "--pin-map", str(pins))
    assert path.read_text() == original
    assert proc.returncode == 1
    assert f"+FROM golang:1.22.5-alpine@{DIGEST} AS build" in proc.stdout
    assert "+USER 65532:65532" in proc.stdout
    assert "-COPY id_rsa /root/.ssh/id_rsa" in proc.stdout
    proc = run("lint", str(path), "--fix", "--pin-map", str(pins), "-f", "json")
    assert proc.returncode == 0, proc.stdout
    text = path.read_text()
    assert "--mount=type=secret,id=id_rsa,target=/root/.ssh/id_rsa" in text
    assert "rm /root/.ssh/id_rsa" not in text
    assert json.loads(proc.stdout)["passed"] is True


def test_context_option_reports_sensitive_files(tmp_path: Path) -> None:
    context = tmp_path / "ctx"
    (context / ".git").mkdir(parents=True)
    (context / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (context / "certs").mkdir()
    (context / "certs" / "dev.pem").write_text("not a real certificate\n")
    (context / ".env").write_text("FAKE_TOKEN=not-a-real-secret\n")
    (context / "index.html").write_text("<html></html>\n")
    (context / ".dockerignore").write_text(".git\n")
    proc = run(
        "lint",
        str(CORPUS / "19-nginx-static-context.Dockerfile"),
        "--context",
        str(context),
        "-f",
        "json",
    )
    findings = json.loads(proc.stdout)["files"][0]["findings"]
    (hit,) = [f for f in findings if f["rule_id"] == "HGD013"]
    assert hit["line"] == 2 and proc.returncode == 1
    assert hit["details"] == ["sent: .env", "sent: certs/dev.pem", "add: **/.env", "add: **/*.pem"]
