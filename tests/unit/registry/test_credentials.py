"""Credential lookup: config.json, credential helpers, DOCKER_CONFIG, command line."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from hullguard.errors import UsageError
from hullguard.image.registry.credentials import (
    docker_config_dir,
    normalize_key,
    resolve_credentials,
    run_credential_helper,
)
from hullguard.image.registry.options import RegistryOptions, resolve_endpoint

# Obviously fake credentials.
USER, PASSWORD = "tester", "test-password-not-secret"


def _auth(user: str = USER, password: str = PASSWORD) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def _write(directory: Path, config: dict) -> Path:  # type: ignore[type-arg]
    (directory / "config.json").write_text(json.dumps(config))
    return directory


def _resolve(registry: str, directory: Path, warnings: list[str] | None = None, **kw):  # type: ignore[no-untyped-def]
    options = RegistryOptions(docker_config=directory, **kw)
    endpoint = resolve_endpoint(registry, options)
    return resolve_credentials(endpoint, options, (warnings if warnings is not None else []).append)


def _helper(bin_dir: Path, name: str, body: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / f"docker-credential-{name}"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def helper_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir


def test_auths_base64_entry(tmp_path: Path) -> None:
    _write(tmp_path, {"auths": {"registry.example.com:5000": {"auth": _auth()}}})
    creds = _resolve("registry.example.com:5000", tmp_path)
    assert creds is not None
    assert (creds.username, creds.password) == (USER, PASSWORD)
    assert creds.source == str(tmp_path / "config.json")
    assert PASSWORD not in repr(creds)


def test_keys_with_scheme_and_path_match(tmp_path: Path) -> None:
    assert normalize_key("https://registry.example.com/v2/") == "registry.example.com"
    _write(tmp_path, {"auths": {"https://registry.example.com/v1/": {"auth": _auth()}}})
    assert _resolve("registry.example.com", tmp_path) is not None
    assert _resolve("other.example.com", tmp_path) is None


def test_docker_hub_key(tmp_path: Path) -> None:
    _write(tmp_path, {"auths": {"https://index.docker.io/v1/": {"auth": _auth()}}})
    for name in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        creds = _resolve(name, tmp_path)
        assert creds is not None and creds.username == USER


def test_password_with_colon_and_identity_token(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "auths": {
                "a.example.com": {"auth": _auth(password="p:a:ss")},
                "b.example.com": {"identitytoken": "fake-refresh-token"},
            }
        },
    )
    a = _resolve("a.example.com", tmp_path)
    assert a is not None and a.password == "p:a:ss"
    b = _resolve("b.example.com", tmp_path)
    assert b is not None and b.identity_token == "fake-refresh-token" and not b.has_basic


def test_bad_auth_entry_is_a_usage_error(tmp_path: Path) -> None:
    _write(tmp_path, {"auths": {"a.example.com": {"auth": "%%%not base64"}}})
    with pytest.raises(UsageError, match="not base64"):
        _resolve("a.example.com", tmp_path)


def test_broken_config_json_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(UsageError, match="not valid JSON"):
        _resolve("a.example.com", tmp_path)


def test_missing_config_is_anonymous(tmp_path: Path) -> None:
    assert _resolve("a.example.com", tmp_path) is None


def test_command_line_wins(tmp_path: Path) -> None:
    _write(tmp_path, {"auths": {"a.example.com": {"auth": _auth("other")}}})
    creds = _resolve("a.example.com", tmp_path, username="cli-user", password="cli-pass")
    assert creds is not None and (creds.username, creds.source) == ("cli-user", "the command line")


def test_docker_config_env(tmp_path: Path) -> None:
    assert docker_config_dir({"DOCKER_CONFIG": str(tmp_path)}) == tmp_path
    assert docker_config_dir({}) == Path.home() / ".docker"


def test_helper_protocol(tmp_path: Path, helper_path: Path) -> None:
    log = tmp_path / "calls"
    _helper(
        helper_path,
        "fake",
        f'read server; echo "$1|$server" >> {log}\n'
        'printf \'{"ServerURL":"%s",\' "$server"\n'
        'printf \'"Username":"tester","Secret":"test-password-not-secret"}\'\n',
    )
    _write(tmp_path, {"credHelpers": {"a.example.com": "fake"}, "credsStore": "absent"})
    creds = _resolve("a.example.com", tmp_path)
    assert creds is not None and creds.source == "docker-credential-fake"
    assert (creds.username, creds.password) == (USER, PASSWORD)
    # Docker Hub is asked for under its legacy server URL
    _write(tmp_path, {"credHelpers": {"index.docker.io": "fake"}})
    assert _resolve("docker.io", tmp_path) is not None
    assert log.read_text().splitlines() == ["get|a.example.com", "get|https://index.docker.io/v1/"]


def test_helper_identity_token(tmp_path: Path, helper_path: Path) -> None:
    _helper(
        helper_path,
        "tok",
        'cat >/dev/null; echo \'{"Username":"<token>","Secret":"fake-refresh"}\'\n',
    )
    _write(tmp_path, {"credsStore": "tok"})
    creds = _resolve("a.example.com", tmp_path)
    assert creds is not None and creds.identity_token == "fake-refresh" and not creds.username


def test_store_not_found_falls_back_to_auths(tmp_path: Path, helper_path: Path) -> None:
    _helper(
        helper_path,
        "empty",
        "cat >/dev/null; echo 'credentials not found in native keychain'; exit 1\n",
    )
    _write(tmp_path, {"credsStore": "empty", "auths": {"a.example.com": {"auth": _auth()}}})
    warnings: list[str] = []
    creds = _resolve("a.example.com", tmp_path, warnings)
    assert creds is not None and creds.username == USER
    assert warnings == []  # "not found" is an answer, not a failure


def test_missing_or_failing_helper_warns(tmp_path: Path, helper_path: Path) -> None:
    warnings: list[str] = []
    _write(tmp_path, {"credsStore": "nonexistent-helper"})
    assert _resolve("a.example.com", tmp_path, warnings) is None
    assert "docker-credential-nonexistent-helper" in warnings[0] and "not on PATH" in warnings[0]
    _helper(helper_path, "broken", "cat >/dev/null; echo 'keychain locked' >&2; exit 3\n")
    assert run_credential_helper("broken", "a.example.com", warnings.append) is None
    assert "keychain locked" in warnings[1]
    _helper(helper_path, "garbage", "cat >/dev/null; echo 'not json'\n")
    assert run_credential_helper("garbage", "a.example.com", warnings.append) is None
    assert "not JSON" in warnings[2]
