"""CLI behaviour that needs no registry: key generation, passwords, usage errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hullguard.sign.keys import load_private_key, load_public_key


def hg(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("COSIGN_PASSWORD", "HULLGUARD_KEY_PASSWORD")
    }
    return subprocess.run(
        [sys.executable, "-m", "hullguard", *args], capture_output=True, text=True,
        env={**base, **(env or {})}, cwd=cwd, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip


def test_key_generate_uses_env_password_and_keeps_existing_files(tmp_path: Path) -> None:
    done = hg(
        "key",
        "generate",
        "--output-key-prefix",
        str(tmp_path / "k"),
        env={"HULLGUARD_KEY_PASSWORD": "pw"},
    )
    assert done.returncode == 0, done.stderr
    key = load_private_key((tmp_path / "k.key").read_bytes(), b"pw")
    assert (
        load_public_key((tmp_path / "k.pub").read_bytes()).public_numbers()
        == key.public_key().public_numbers()
    )
    assert (tmp_path / "k.key").stat().st_mode & 0o777 == 0o600
    again = hg(
        "key", "generate", "--output-key-prefix", str(tmp_path / "k"), env={"COSIGN_PASSWORD": "pw"}
    )
    assert again.returncode == 2
    assert "exists" in again.stderr and "--force" in again.stderr


def test_no_password_without_terminal_is_a_usage_error(tmp_path: Path) -> None:
    done = hg("key", "generate", "--output-key-prefix", str(tmp_path / "k"))
    assert done.returncode == 2
    assert "COSIGN_PASSWORD" in done.stderr
    assert "Traceback" not in done.stderr


def test_sign_with_wrong_password_and_non_registry_image(tmp_path: Path) -> None:
    assert (
        hg(
            "key",
            "generate",
            "--output-key-prefix",
            str(tmp_path / "k"),
            env={"COSIGN_PASSWORD": "pw"},
        ).returncode
        == 0
    )
    layout = tmp_path / "layout"
    layout.mkdir()
    (layout / "index.json").write_text("{}")
    done = hg("sign", str(layout), "--key", str(tmp_path / "k.key"), env={"COSIGN_PASSWORD": "pw"})
    assert done.returncode == 2
    assert "is not a registry image" in done.stderr
    done = hg(
        "sign",
        "127.0.0.1:1/x:y",
        "--key",
        str(tmp_path / "k.key"),
        "--insecure",
        env={"COSIGN_PASSWORD": "nope"},
    )
    assert done.returncode == 2
    assert "wrong password" in done.stderr


def test_verify_needs_a_key_or_identity(tmp_path: Path) -> None:
    done = hg("verify", "127.0.0.1:1/x:y", "--insecure")
    assert done.returncode == 2
    assert "nothing to verify against" in done.stderr
    done = hg("verify", "127.0.0.1:1/x:y", "--insecure", "--certificate-identity", "a@b.c")
    assert done.returncode == 2
    assert "--certificate-oidc-issuer" in done.stderr or "--trusted-root" in done.stderr
