"""A real docker-registry with ``auth: token`` and a JWT token service on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from hullguard.errors import AuthError
from hullguard.image.registry import RegistryClient, RegistryOptions, RegistryPusher

pytestmark = pytest.mark.integration

USER = "tester"
PASSWORD = "test-password-not-secret"
IDENTITY_TOKEN = "test-identity-token-not-secret"


def _options(docker_config: Path, **kw) -> RegistryOptions:  # type: ignore[no-untyped-def]
    return RegistryOptions(insecure=True, docker_config=docker_config, **kw)


def test_bearer_flow_with_basic_credentials(token_registry, empty_docker_config) -> None:
    server = token_registry.token_server
    before = len(server.requests)
    options = _options(empty_docker_config, username=USER, password=PASSWORD)
    with RegistryClient(token_registry.host, options) as client:
        raw = client.get_manifest("team/app", "amd64")
        manifest = json.loads(raw.data)
        for desc in [manifest["config"], *manifest["layers"]]:
            with client.open_blob(
                "team/app", desc["digest"], size=desc["size"], verify=True
            ) as blob:
                blob.read()
        assert client.list_tags("team/app") == ["amd64"]
    issued = server.requests[before:]
    skopeo_bytes = token_registry.raw_manifest("team/app:amd64")
    assert raw.digest == "sha256:" + hashlib.sha256(skopeo_bytes).hexdigest()
    # one token for repository:team/app:pull, cached for the blob and tag requests
    assert [r["scopes"] for r in issued] == [["repository:team/app:pull"]]
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert issued[0]["auth"] == expected


def test_anonymous_token_for_public_repository(token_registry, empty_docker_config) -> None:
    with RegistryClient(token_registry.host, _options(empty_docker_config)) as client:
        assert client.get_manifest("public/app", "amd64").digest is not None
        assert token_registry.token_server.requests[-1]["auth"] == ""


def test_anonymous_is_denied_a_private_repository(token_registry, empty_docker_config) -> None:
    options = _options(empty_docker_config)
    with RegistryClient(token_registry.host, options) as client, pytest.raises(AuthError) as info:
        client.get_manifest("team/app", "amd64")
    assert "docker login" in info.value.diagnostics()


def test_wrong_password_at_the_token_service(token_registry, empty_docker_config) -> None:
    options = _options(empty_docker_config, username=USER, password="wrong")
    with RegistryClient(token_registry.host, options) as client, pytest.raises(AuthError) as info:
        client.get_manifest("team/app", "amd64")
    assert "rejected the credentials of tester" in info.value.diagnostics()


def test_identity_token_uses_the_oauth2_refresh_flow(token_registry, tmp_path) -> None:
    key = token_registry.host
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {key: {"identitytoken": IDENTITY_TOKEN}}})
    )
    with RegistryClient(token_registry.host, _options(tmp_path)) as client:
        assert client.get_manifest("team/app", "amd64").digest is not None
    last = token_registry.token_server.requests[-1]
    assert last["method"] == "POST"
    assert last["form"]["grant_type"] == ["refresh_token"]
    assert last["form"]["scope"] == ["repository:team/app:pull"]


def test_push_asks_for_push_scope(token_registry, empty_docker_config) -> None:
    options = _options(empty_docker_config, username=USER, password=PASSWORD)
    with RegistryPusher(token_registry.host, options) as client:
        digest = client.upload_blob("team/pushed", b'{"hello":"token"}')
        assert client.blob_exists("team/pushed", digest)
        assert client.mount_blob("team/mounted", digest, "team/pushed")
    scopes = [tuple(r.get("scopes", ())) for r in token_registry.token_server.requests]
    assert ("repository:team/pushed:pull,push",) in scopes
    assert ("repository:team/mounted:pull,push", "repository:team/pushed:pull") in scopes
