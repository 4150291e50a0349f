"""Auth, pagination and referrers against a scripted server on 127.0.0.1.

The real-registry tests cover the normal flows; these cover what distribution
2.8 does not do (tag pagination, referrers) and what a hostile or broken auth
service might do.
"""

from __future__ import annotations

import json

import pytest

from hullguard.errors import AuthError, RegistryError


def reply(req, status, body=b"", headers=None) -> None:  # type: ignore[no-untyped-def]
    req.send_response(status)
    headers = dict(headers or {})
    headers.setdefault("Content-Length", str(len(body)))
    for key, value in headers.items():
        req.send_header(key, value)
    req.end_headers()
    if req.command != "HEAD":
        req.wfile.write(body)


def _json(req, doc, headers=None) -> None:  # type: ignore[no-untyped-def]
    reply(
        req, 200, json.dumps(doc).encode(), {"Content-Type": "application/json", **(headers or {})}
    )


def test_tags_follow_link_pagination(fake, make_client) -> None:
    def tags(req) -> None:  # type: ignore[no-untyped-def]
        if "last=b" in req.path:
            _json(req, {"name": "r", "tags": ["a"]})
        else:
            _json(
                req,
                {"name": "r", "tags": ["c", "b"]},
                {"Link": '</v2/r/tags/list?n=2&last=b>; rel="next"'},
            )

    fake.route("GET", "/v2/r/tags/list", tags)
    assert make_client().list_tags("r", page_size=2) == ["a", "b", "c"]
    assert fake.paths() == ["/v2/r/tags/list?n=2", "/v2/r/tags/list?n=2&last=b"]


def test_pagination_loop_is_detected(fake, make_client) -> None:
    fake.route(
        "GET",
        "/v2/r/tags/list",
        lambda req: _json(req, {"tags": ["a"]}, {"Link": '</v2/r/tags/list>; rel="next"'}),
    )
    with pytest.raises(RegistryError, match="in a loop"):
        make_client().list_tags("r")


def test_pagination_to_another_host_is_refused(fake, make_client) -> None:
    link = '<http://elsewhere.example.com/v2/r/tags/list?last=a>; rel="next"'
    fake.route("GET", "/v2/r/tags/list", lambda req: _json(req, {"tags": ["a"]}, {"Link": link}))
    with pytest.raises(RegistryError, match="another host"):
        make_client().list_tags("r")


def test_null_tags_is_an_empty_list(fake, make_client) -> None:
    fake.route("GET", "/v2/r/tags/list", lambda req: _json(req, {"name": "r", "tags": None}))
    assert make_client().list_tags("r") == []


def test_referrers_index_is_returned(fake, make_client) -> None:
    digest = "sha256:" + "a" * 64
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [],
    }
    body = json.dumps(index).encode()
    fake.route(
        "GET",
        f"/v2/r/referrers/{digest}",
        lambda req: reply(req, 200, body, {"Content-Type": index["mediaType"]}),
    )
    raw = make_client().referrers(
        "r", digest, artifact_type="application/vnd.dev.cosign.artifact.sig.v1+json"
    )
    assert raw is not None and raw.data == body and raw.digest is None
    assert "artifactType=application%2Fvnd.dev.cosign.artifact.sig.v1%2Bjson" in fake.paths()[0]


def _bearer_registry(fake, token_reply) -> None:  # type: ignore[no-untyped-def]
    realm = f"http://{fake.host}/token"

    def manifest(req) -> None:  # type: ignore[no-untyped-def]
        if req.headers.get("Authorization") != "Bearer good-token":
            challenge = f'Bearer realm="{realm}",service="fake",scope="repository:r:pull"'
            reply(req, 401, b"", {"WWW-Authenticate": challenge})
            return
        reply(
            req,
            200,
            b'{"schemaVersion":2,"config":{},"layers":[]}',
            {"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
        )

    fake.route("GET", "/v2/r/manifests/v1", manifest)
    fake.route("GET", "/token", token_reply)


def test_access_token_field_is_accepted(fake, make_client) -> None:
    _bearer_registry(
        fake, lambda req: _json(req, {"access_token": "good-token", "expires_in": 300})
    )
    client = make_client()
    client.get_manifest("r", "v1")
    client.get_manifest("r", "v1")
    token_calls = [p for p in fake.paths() if p.startswith("/token")]
    assert token_calls == ["/token?service=fake&scope=repository%3Ar%3Apull"]
    # second fetch sent the cached token up front: no second 401
    assert fake.paths().count("/v2/r/manifests/v1") == 3


def test_token_service_without_token(fake, make_client) -> None:
    _bearer_registry(fake, lambda req: _json(req, {"nothing": "here"}))
    with pytest.raises(RegistryError, match="returned no token"):
        make_client().get_manifest("r", "v1")


def test_token_service_failure(fake, make_client) -> None:
    _bearer_registry(fake, lambda req: reply(req, 400, b"nope"))
    with pytest.raises(RegistryError, match="failed with HTTP 400"):
        make_client().get_manifest("r", "v1")


def test_token_over_plain_http_to_other_host_is_refused(fake, make_client) -> None:
    challenge = 'Bearer realm="http://auth.example.com/token",service="fake"'
    fake.route(
        "GET",
        "/v2/r/manifests/v1",
        lambda req: reply(req, 401, b"", {"WWW-Authenticate": challenge}),
    )
    client = make_client(username="tester", password="test-password-not-secret")
    with pytest.raises(RegistryError) as info:
        client.get_manifest("r", "v1")
    assert "over plain HTTP; refused" in info.value.diagnostics()


def test_basic_challenge_without_credentials(fake, make_client) -> None:
    fake.route(
        "GET",
        "/v2/r/manifests/v1",
        lambda req: reply(req, 401, b"", {"WWW-Authenticate": 'Basic realm="x"'}),
    )
    with pytest.raises(AuthError) as info:
        make_client().get_manifest("r", "v1")
    assert "run docker login" in info.value.diagnostics()
    assert len(fake.seen) == 1  # nothing to retry with


def test_forbidden_is_an_auth_error(fake, make_client) -> None:
    body = b'{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}'
    fake.route("GET", "/v2/r/manifests/v1", lambda req: reply(req, 403, body))
    with pytest.raises(AuthError, match="denied access to r"):
        make_client().get_manifest("r", "v1")


def test_other_status_names_the_registry_message(fake, make_client) -> None:
    body = b'{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}'
    fake.route("GET", "/v2/r/manifests/v1", lambda req: reply(req, 405, body))
    with pytest.raises(RegistryError) as info:
        make_client().get_manifest("r", "v1")
    assert "HTTP 405: The operation is unsupported." in info.value.diagnostics()
