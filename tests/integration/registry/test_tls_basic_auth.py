"""A real docker-registry with TLS (test CA from trustme) and htpasswd Basic auth."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from hullguard.errors import AuthError, RegistryError
from hullguard.image.registry import RegistryClient, RegistryOptions

pytestmark = pytest.mark.integration

USER = "tester"
PASSWORD = "test-password-not-secret"


def _options(registry, docker_config: Path, **kw) -> RegistryOptions:  # type: ignore[no-untyped-def]
    return RegistryOptions(ca_cert=registry.ca_pem, docker_config=docker_config, **kw)


def test_tls_with_ca_and_basic_auth_matches_skopeo(tls_registry, empty_docker_config) -> None:
    options = _options(tls_registry, empty_docker_config, username=USER, password=PASSWORD)
    with RegistryClient(tls_registry.host, options) as client:
        raw = client.get_manifest("team/app", "amd64")
        layer = json.loads(raw.data)["layers"][0]
        with client.open_blob("team/app", layer["digest"], size=layer["size"], verify=True) as blob:
            data = blob.read()
    skopeo_bytes = tls_registry.raw_manifest("team/app:amd64")
    assert raw.digest == "sha256:" + hashlib.sha256(skopeo_bytes).hexdigest()
    assert "sha256:" + hashlib.sha256(data).hexdigest() == layer["digest"]


def test_untrusted_certificate_says_pass_ca_cert(tls_registry, empty_docker_config) -> None:
    options = RegistryOptions(username=USER, password=PASSWORD, docker_config=empty_docker_config)
    with RegistryClient(tls_registry.host, options) as client, pytest.raises(RegistryError) as info:
        client.get_manifest("team/app", "amd64")
    text = info.value.diagnostics()
    assert "not trusted" in text
    assert "--ca-cert" in text


def test_no_credentials_says_docker_login(tls_registry, empty_docker_config) -> None:
    options = _options(tls_registry, empty_docker_config)
    with RegistryClient(tls_registry.host, options) as client, pytest.raises(AuthError) as info:
        client.get_manifest("team/app", "amd64")
    text = info.value.diagnostics()
    assert text.startswith(f"authentication required by registry {tls_registry.host}")
    assert "docker login" in text and "--password-stdin" in text
    assert info.value.exit_code == 3


def test_wrong_password_is_an_auth_error(tls_registry, empty_docker_config) -> None:
    options = _options(tls_registry, empty_docker_config, username=USER, password="wrong")
    with RegistryClient(tls_registry.host, options) as client, pytest.raises(AuthError) as info:
        client.get_manifest("team/app", "amd64")
    assert "rejected the credentials of tester (from the command line)" in info.value.diagnostics()


def test_credentials_from_config_json_auths(tls_registry, tmp_path) -> None:
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {f"https://{tls_registry.host}": {"auth": encoded}}})
    )
    with RegistryClient(tls_registry.host, _options(tls_registry, tmp_path)) as client:
        assert client.get_manifest("team/app", "amd64").digest is not None


def test_credentials_from_docker_config_env(tls_registry, tmp_path, monkeypatch) -> None:
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {tls_registry.host: {"auth": encoded}}})
    )
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    options = RegistryOptions(ca_cert=tls_registry.ca_pem)
    with RegistryClient(tls_registry.host, options) as client:
        assert client.get_manifest("team/app", "amd64").digest is not None


def _helper(bin_dir: Path, name: str, log: Path, user: str, secret: str) -> None:
    """A docker-credential-NAME that logs its argv and stdin and answers for any server."""
    script = bin_dir / f"docker-credential-{name}"
    script.write_text(
        "#!/bin/sh\n"
        f'server=$(cat); echo "$1 $server" >> {log}\n'
        f'printf \'{{"ServerURL":"%s","Username":"{user}","Secret":"{secret}"}}\' "$server"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize("style", ["credsStore", "credHelpers"])
def test_credentials_from_helper(tls_registry, tmp_path, monkeypatch, style) -> None:
    bin_dir, log = tmp_path / "bin", tmp_path / "helper.log"
    bin_dir.mkdir()
    _helper(bin_dir, "test", log, USER, PASSWORD)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    config = (
        {"credsStore": "test"}
        if style == "credsStore"
        else {"credHelpers": {tls_registry.host: "test"}}
    )
    (tmp_path / "config.json").write_text(json.dumps(config))
    with RegistryClient(tls_registry.host, _options(tls_registry, tmp_path)) as client:
        assert client.get_manifest("team/app", "amd64").digest is not None
        client.get_manifest("team/app", "amd64")
    # asked once (credentials are cached per client), with the registry as server URL
    assert log.read_text().splitlines() == [f"get {tls_registry.host}"]


def test_helper_with_wrong_secret_is_rejected(tls_registry, tmp_path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _helper(bin_dir, "test", tmp_path / "log", USER, "stale-secret")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "config.json").write_text(json.dumps({"credsStore": "test"}))
    with (
        RegistryClient(tls_registry.host, _options(tls_registry, tmp_path)) as client,
        pytest.raises(AuthError, match="from docker-credential-test"),
    ):
        client.get_manifest("team/app", "amd64")
