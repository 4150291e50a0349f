"""Directory scan safety (no symlink is followed) and the `hullguard scan` CLI contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from secret_fakes import ALNUM, fake

from hullguard.secrets import SecretScanner
from hullguard.secrets.dirscan import scan_directory

GHP = "ghp_" + fake(ALNUM, 36, "dir")


def hullguard(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hullguard", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def context(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"token={GHP}\n")
    root = tmp_path / "ctx"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(f'TOKEN = "{GHP}"\n')
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / ".git" / "objects").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n")
    (root / ".git" / "objects" / "blob").write_text(f"{GHP}\n")
    return root


def test_symlinks_are_never_followed(context: Path) -> None:
    result = scan_directory(context, SecretScanner())
    assert [(m.rule_id, m.path) for m in result.matches] == [
        ("sensitive-file-git-repo", ".git/config"),
        ("github-pat", "src/app.py"),
    ]
    assert ("link.txt", "symlink (not followed)") in result.skipped
    assert ("linkdir", "symlink (not followed)") in result.skipped


def test_special_files_are_not_opened(context: Path) -> None:
    """A FIFO would block a naive reader forever; the walk only opens regular files."""
    os.mkfifo(context / "src" / "pipe")
    result = scan_directory(context, SecretScanner())
    assert [m.path for m in result.matches] == [".git/config", "src/app.py"]
    assert result.files_scanned == 2


def test_cli_json_is_deterministic_and_redacted(context: Path) -> None:
    a = hullguard("scan", f"dir:{context}", "-f", "json")
    b = hullguard("scan", f"dir:{context}", "-f", "json", "--scanners", "secret")
    assert a.returncode == 0 and a.stdout == b.stdout
    doc = json.loads(a.stdout)
    assert doc["target"] == f"dir:{context}" and doc["scanners"] == ["secret"]
    summary = doc["secrets"]["summary"]
    assert summary["total"] == 2 and summary["by_severity"]["CRITICAL"] == 1
    finding = doc["secrets"]["findings"][1]
    assert set(finding) == {
        "rule_id", "category", "severity", "title", "path", "line", "column", "redacted",
        "length", "fingerprint", "note", "remediation",
    }  # fmt: skip
    assert GHP[:8] not in a.stdout


def test_cli_severity_filter_and_exit_code(context: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = hullguard("scan", f"dir:{context}", "--severity", "critical", "-f", "json",
                     "-o", str(out), "--exit-code", "5")  # fmt: skip
    assert proc.returncode == 5 and proc.stdout == ""
    assert [f["rule_id"] for f in json.loads(out.read_text())["secrets"]["findings"]] == [
        "github-pat"
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "Not/A::ref"],
        ["scan", "dir:/nonexistent/path"],
        ["scan", "dir:.", "--scanners", "vuln"],
        ["scan", "dir:.", "--scanners", "bogus"],
        ["scan", "dir:.", "--severity", "severe"],
        ["scan", "dir:.", "--secret-config", "/nonexistent.yaml"],
    ],
)
def test_cli_usage_errors(args: list[str]) -> None:
    proc = hullguard(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("hullguard: error:")


def test_cli_bad_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("rules: [{id: x, regex: '('}]\n")
    proc = hullguard("scan", f"dir:{tmp_path}", "--secret-config", str(cfg))
    assert proc.returncode == 2 and "invalid regex" in proc.stderr
