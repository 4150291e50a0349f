import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hullguard", *args], capture_output=True, text=True, check=False
    )


def test_help_lists_every_family() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for family in (
        "image",
        "sbom",
        "scan",
        "lint",
        "audit",
        "sign",
        "verify",
        "attest",
        "db",
        "inventory",
        "serve",
    ):
        assert f"  {family} " in proc.stdout, family


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0
    assert "hullguard" in proc.stdout


def test_unknown_command_is_usage_error() -> None:
    proc = run("no-such-command")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
