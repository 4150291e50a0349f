"""Sans-I/O parts of the registry client: challenges, endpoints, retry timing, digests."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import httpx
import pytest

from hullguard.errors import DigestMismatch, RegistryError, UsageError
from hullguard.image.registry.auth import Challenge, parse_challenges
from hullguard.image.registry.options import (
    RegistryOptions,
    Scheme,
    is_loopback,
    resolve_endpoint,
    split_host_port,
)
from hullguard.image.registry.status import distribution_errors, verify_manifest
from hullguard.image.registry.transport import (
    backoff_delay,
    map_transport_error,
    parse_retry_after,
    retryable_exception,
)
from hullguard.model.image import Digest

# -- WWW-Authenticate ----------------------------------------------------------


def test_docker_hub_bearer_challenge() -> None:
    header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'
    [challenge] = parse_challenges(header)
    assert challenge.scheme == "bearer"
    assert challenge.get("realm") == "https://auth.docker.io/token"
    assert challenge.get("service") == "registry.docker.io"
    assert challenge.get("scope") == "repository:library/alpine:pull"


def test_multiple_challenges_commas_and_escapes() -> None:
    header = (
        'Basic realm="a, b", Bearer realm="https://t/x",scope="repository:a:pull,push", '
        'error="insufficient_scope", Other k=v, Esc realm="say \\"hi\\""'
    )
    challenges = parse_challenges(header)
    assert [c.scheme for c in challenges] == ["basic", "bearer", "other", "esc"]
    assert challenges[0].get("realm") == "a, b"
    assert challenges[1].get("scope") == "repository:a:pull,push"
    assert challenges[1].get("error") == "insufficient_scope"
    assert challenges[2].get("k") == "v"
    assert challenges[3].get("realm") == 'say "hi"'


@pytest.mark.parametrize("header", ["", "   ", ",,,", "Negotiate abc==", '"garbage', "Basic realm"])
def test_junk_challenges_do_not_crash(header: str) -> None:
    for challenge in parse_challenges(header):
        assert isinstance(challenge, Challenge)


def test_parameter_names_are_case_insensitive() -> None:
    [challenge] = parse_challenges('BEARER Realm="https://t", SERVICE=svc')
    assert (challenge.scheme, challenge.get("realm"), challenge.get("service")) == (
        "bearer",
        "https://t",
        "svc",
    )


# -- endpoints and plain-HTTP rules --------------------------------------------


@pytest.mark.parametrize("name", ["docker.io", "index.docker.io", "registry-1.docker.io"])
def test_docker_hub_aliases(name: str) -> None:
    endpoint = resolve_endpoint(name, RegistryOptions())
    assert endpoint.registry == "docker.io"
    assert endpoint.base_url == "https://registry-1.docker.io"
    assert endpoint.config_key == "https://index.docker.io/v1/"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True), ("localhost:5000", True), ("127.0.0.1", True), ("127.8.9.1:443", True),
        ("[::1]:5000", True), ("::1", True), ("10.0.0.1:5000", False), ("example.com", False),
        ("127.0.0.1.nip.io", False), ("[::2]", False), ("localhost.example.com", False),
    ],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_split_host_port() -> None:
    assert split_host_port("[::1]:5000") == ("::1", 5000)
    assert split_host_port("example.com") == ("example.com", None)
    assert split_host_port("example.com:443") == ("example.com", 443)


def test_plain_http_rules() -> None:
    warnings: list[str] = []
    assert resolve_endpoint("127.0.0.1:5000", RegistryOptions()).scheme is Scheme.HTTPS
    assert resolve_endpoint("localhost:5000", RegistryOptions(insecure=True)).scheme is Scheme.HTTP
    with pytest.raises(UsageError) as info:
        resolve_endpoint("10.1.2.3:5000", RegistryOptions(insecure=True))
    assert "--insecure-registry 10.1.2.3:5000" in info.value.diagnostics()
    opted = RegistryOptions(insecure_registries=frozenset({"10.1.2.3"}))
    endpoint = resolve_endpoint("10.1.2.3:5000", opted, warnings.append)
    assert endpoint.base_url == "http://10.1.2.3:5000"
    assert len(warnings) == 1 and "unencrypted" in warnings[0]
    # opting in one host does not open others
    assert resolve_endpoint("10.9.9.9", opted).scheme is Scheme.HTTPS


# -- retries -------------------------------------------------------------------


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-3", now) is None


def test_backoff_grows_and_is_capped() -> None:
    assert backoff_delay(0, 0.5, lambda: 0.0) == 0.25
    assert backoff_delay(0, 0.5, lambda: 1.0) == 0.5
    assert backoff_delay(3, 0.5, lambda: 1.0) == 4.0
    assert backoff_delay(30, 0.5, lambda: 1.0) == 20.0


def test_which_transport_errors_are_retried() -> None:
    assert retryable_exception(httpx.RemoteProtocolError("server disconnected"))
    assert retryable_exception(httpx.ConnectTimeout("slow"))
    assert not retryable_exception(httpx.ReadTimeout("slow"))
    refused = httpx.ConnectError("refused")
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert not retryable_exception(refused)
    reset = httpx.ConnectError("reset")
    reset.__cause__ = ConnectionResetError(104, "reset")
    assert retryable_exception(reset)


def test_transport_error_messages() -> None:
    import ssl

    refused = httpx.ConnectError("x")
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert (
        map_transport_error(refused, "h:1", 30).message
        == "cannot reach registry h:1: connection refused"
    )
    plain = httpx.ConnectError("x")
    plain.__cause__ = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    assert "seems to speak plain HTTP" in map_transport_error(plain, "h:1", 30).message
    assert (
        "within 2.5s while connecting"
        in map_transport_error(httpx.ConnectTimeout("t"), "h", 2.5).message
    )


# -- manifest checks -----------------------------------------------------------

BODY = b'{"schemaVersion":2,"config":{},"layers":[]}'
SHA256 = "sha256:" + hashlib.sha256(BODY).hexdigest()


def test_verify_manifest_digests() -> None:
    assert verify_manifest(BODY, "", None, None, "m") == SHA256
    assert verify_manifest(BODY, "", SHA256, Digest(SHA256), "m") == SHA256
    sha512 = Digest("sha512:" + hashlib.sha512(BODY).hexdigest())
    assert verify_manifest(BODY, "", SHA256, sha512, "m") == sha512
    with pytest.raises(DigestMismatch):
        verify_manifest(BODY, "", None, Digest("sha256:" + "0" * 64), "m")
    with pytest.raises(DigestMismatch):
        verify_manifest(BODY, "", "sha256:" + "0" * 64, None, "m")
    # an unknown algorithm in the header cannot be checked and is ignored
    assert verify_manifest(BODY, "", "md5:abc", None, "m") == SHA256


def test_schema1_detected_by_type_or_content() -> None:
    old = json.dumps({"schemaVersion": 1, "fsLayers": []}).encode()
    with pytest.raises(RegistryError, match="schema 1"):
        verify_manifest(old, "", None, None, "m")
    with pytest.raises(RegistryError, match="schema 1"):
        verify_manifest(
            BODY, "application/vnd.docker.distribution.manifest.v1+json", None, None, "m"
        )


def test_distribution_errors() -> None:
    body = b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}'
    assert distribution_errors(body) == [("MANIFEST_UNKNOWN", "manifest unknown")]
    assert distribution_errors(b"404 page not found") == []
    assert distribution_errors(b'{"errors":"x"}') == []


def test_unreadable_ca_cert_is_a_usage_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hullguard.image.registry.transport import ssl_context

    bad = tmp_path / "ca.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    with pytest.raises(UsageError) as info:
        ssl_context(RegistryOptions(ca_cert=bad))
    assert "cannot load CA certificate" in info.value.diagnostics()
    assert "PEM" in info.value.diagnostics()
