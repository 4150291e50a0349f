"""The registry client against a hostile or broken server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from hullguard.errors import DigestMismatch, LimitExceeded, RegistryError
from hullguard.image.registry import RegistryClient, RegistryOptions
from hullguard.limits import Limits
from hullguard.model.image import Digest

MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": "sha256:" + "a" * 64,
            "size": 2,
        },
        "layers": [],
    }
).encode()
MANIFEST_DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
OCI = {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}


def _manifest_route(body: bytes, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    def handle(req) -> None:  # type: ignore[no-untyped-def]
        reply(req, 200, body, {**OCI, **(headers or {})})

    return handle


def reply(req, status, body=b"", headers=None) -> None:  # type: ignore[no-untyped-def]
    req.send_response(status)
    headers = dict(headers or {})
    headers.setdefault("Content-Length", str(len(body)))
    for key, value in headers.items():
        req.send_header(key, value)
    req.end_headers()
    if req.command != "HEAD":
        req.wfile.write(body)


# -- timeouts and connections ---------------------------------------------


def test_hanging_registry_times_out(fake, make_client) -> None:
    fake.route("GET", "/v2/r/manifests/hang", lambda req: fake.release.wait(10))
    client = make_client(timeout=0.3)
    started = time.monotonic()
    with pytest.raises(RegistryError) as info:
        client.get_manifest("r", "hang")
    assert time.monotonic() - started < 2
    assert info.value.diagnostics().startswith(
        f"registry {fake.host} did not answer within 0.3s while waiting for data"
    )
    assert len(fake.seen) == 1  # a read timeout is not retried: the time was already spent


def test_dropped_connection_is_retried(fake, make_client) -> None:
    calls = []

    def flaky(req) -> None:  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            req.close_connection = True  # hang up without an answer
            return
        reply(req, 200, MANIFEST, OCI)

    fake.route("GET", "/v2/r/manifests/v1", flaky)
    client = make_client()
    assert client.get_manifest("r", "v1").digest == MANIFEST_DIGEST
    assert len(calls) == 2
    assert len(client.sleeps) == 1


# -- retries ----------------------------------------------------------------


def test_429_with_retry_after_is_retried(fake, make_client) -> None:
    answers = [(429, b"", {"Retry-After": "1"}), (200, MANIFEST, OCI)]
    fake.route("GET", "/v2/r/manifests/v1", lambda req: reply(req, *answers.pop(0)))
    client = make_client()
    assert client.get_manifest("r", "v1").digest == MANIFEST_DIGEST
    assert client.sleeps == [1.0]
    assert len(fake.seen) == 2


def test_retry_after_really_waits(fake, tmp_path) -> None:
    answers = [(429, b"", {"Retry-After": "1"}), (200, MANIFEST, OCI)]
    fake.route("GET", "/v2/r/manifests/v1", lambda req: reply(req, *answers.pop(0)))
    options = RegistryOptions(insecure=True, docker_config=tmp_path)
    started = time.monotonic()
    with RegistryClient(fake.host, options) as client:
        client.get_manifest("r", "v1")
    assert 0.9 < time.monotonic() - started < 5


def test_5xx_retries_are_bounded_with_growing_backoff(fake, make_client) -> None:
    fake.route("GET", "/v2/r/manifests/v1", lambda req: reply(req, 503))
    client = make_client(limits=Limits(http_retries=3))
    with pytest.raises(RegistryError) as info:
        client.get_manifest("r", "v1")
    assert "failed with HTTP 503 after 4 attempts" in info.value.diagnostics()
    assert len(fake.seen) == 4
    assert len(client.sleeps) == 3
    # equal jitter: attempt n waits between base*2^n/2 and base*2^n
    for n, delay in enumerate(client.sleeps):
        assert 0.01 * 2**n / 2 <= delay <= 0.01 * 2**n


def test_excessive_retry_after_is_not_waited_for(fake, make_client) -> None:
    fake.route(
        "GET", "/v2/r/manifests/v1", lambda req: reply(req, 429, b"", {"Retry-After": "3600"})
    )
    client = make_client()
    with pytest.raises(RegistryError, match=r"HTTP 429; it asks to wait 3600 s"):
        client.get_manifest("r", "v1")
    assert client.sleeps == []
    assert len(fake.seen) == 1


# -- digests and sizes --------------------------------------------------------


def test_manifest_by_digest_with_wrong_content(fake, make_client) -> None:
    wanted = "sha256:" + "b" * 64
    fake.route("GET", f"/v2/r/manifests/{wanted}", _manifest_route(MANIFEST))
    with pytest.raises(DigestMismatch, match="not the requested"):
        make_client().get_manifest("r", wanted)


def test_manifest_with_lying_content_digest_header(fake, make_client) -> None:
    fake.route(
        "GET",
        "/v2/r/manifests/v1",
        _manifest_route(MANIFEST, {"Docker-Content-Digest": "sha256:" + "c" * 64}),
    )
    with pytest.raises(DigestMismatch, match="but the registry says"):
        make_client().get_manifest("r", "v1")


def test_blob_with_wrong_content(fake, make_client) -> None:
    digest = Digest("sha256:" + hashlib.sha256(b"expected").hexdigest())
    fake.route("GET", f"/v2/r/blobs/{digest}", lambda req: reply(req, 200, b"tampered"))
    with (
        make_client().open_blob("r", digest, size=8, verify=True) as blob,
        pytest.raises(DigestMismatch),
    ):
        blob.read()


def _chunked(data: bytes):  # type: ignore[no-untyped-def]
    """A handler sending ``data`` without Content-Length, so only the stream can tell its size."""

    def handle(req) -> None:  # type: ignore[no-untyped-def]
        req.send_response(200)
        req.send_header("Transfer-Encoding", "chunked")
        req.end_headers()
        req.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n\r\n")

    return handle


def test_blob_larger_than_descriptor(fake, make_client) -> None:
    digest = Digest("sha256:" + "d" * 64)
    fake.route("GET", f"/v2/r/blobs/{digest}", lambda req: reply(req, 200, b"x" * 5000))
    with pytest.raises(DigestMismatch, match="is 5000 bytes, not the 100"):
        make_client().open_blob("r", digest, size=100)
    fake.route("GET", f"/v2/r/blobs/{digest}", _chunked(b"x" * 5000))
    blob = make_client().open_blob("r", digest, size=100)
    with blob, pytest.raises(DigestMismatch, match="larger than the 100 bytes"):
        blob.read()


def test_truncated_blob(fake, make_client) -> None:
    digest = Digest("sha256:" + "e" * 64)
    fake.route("GET", f"/v2/r/blobs/{digest}", _chunked(b"x" * 10))
    blob = make_client().open_blob("r", digest, size=100)
    with blob, pytest.raises(RegistryError, match="ended after 10 of 100"):
        blob.read()


def test_oversized_manifest_by_content_length(fake, make_client) -> None:
    fake.route(
        "GET", "/v2/r/manifests/big", lambda req: reply(req, 200, b"{" + b" " * 100_000 + b"}", OCI)
    )
    client = make_client(limits=Limits(max_manifest_bytes=65536))
    with pytest.raises(LimitExceeded, match="over the 65536-byte limit"):
        client.get_manifest("r", "big")


def test_oversized_streamed_manifest_stops_early(fake, make_client) -> None:
    sent = []

    def endless(req) -> None:  # type: ignore[no-untyped-def]
        req.send_response(200)
        req.send_header("Content-Type", OCI["Content-Type"])
        req.send_header("Transfer-Encoding", "chunked")
        req.end_headers()
        chunk = b" " * 8192
        try:
            for _ in range(100_000):  # 800 MB if nobody stops reading
                req.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent.append(len(chunk))
        except OSError:
            return

    fake.route("GET", "/v2/r/manifests/endless", endless)
    client = make_client(limits=Limits(max_manifest_bytes=65536))
    with pytest.raises(LimitExceeded, match="exceeds the 65536-byte limit"):
        client.get_manifest("r", "endless")
    fake.release.wait(0.2)
    assert sum(sent) < 50 * 1024 * 1024


def test_schema1_is_rejected_clearly(fake, make_client) -> None:
    body = json.dumps({"schemaVersion": 1, "name": "r", "tag": "old", "fsLayers": []}).encode()
    fake.route(
        "GET",
        "/v2/r/manifests/old",
        lambda req: reply(
            req,
            200,
            body,
            {"Content-Type": "application/vnd.docker.distribution.manifest.v1+prettyjws"},
        ),
    )
    with pytest.raises(RegistryError) as info:
        make_client().get_manifest("r", "old")
    assert "schema 1" in info.value.diagnostics()


# -- redirects ----------------------------------------------------------------


def test_redirect_loop_is_detected(fake, make_client) -> None:
    digest = "sha256:" + "f" * 64
    fake.route(
        "GET", f"/v2/r/blobs/{digest}", lambda req: reply(req, 307, b"", {"Location": "/storage/a"})
    )
    fake.route("GET", "/storage/a", lambda req: reply(req, 307, b"", {"Location": "/storage/b"}))
    fake.route(
        "GET",
        "/storage/b",
        lambda req: reply(req, 302, b"", {"Location": f"http://{fake.host}/storage/a"}),
    )
    with pytest.raises(RegistryError, match="redirects in a loop"):
        make_client().open_blob("r", Digest(digest))
    assert fake.paths() == [f"/v2/r/blobs/{digest}", "/storage/a", "/storage/b"]


def test_redirect_count_is_bounded(fake, make_client) -> None:
    for n in range(10):
        fake.route(
            "GET", f"/hop/{n}", lambda req, n=n: reply(req, 307, b"", {"Location": f"/hop/{n + 1}"})
        )
    fake.route(
        "GET",
        "/v2/r/blobs/sha256:" + "0" * 64,
        lambda req: reply(req, 307, b"", {"Location": "/hop/0"}),
    )
    client = make_client(limits=Limits(max_redirects=3))
    with pytest.raises(RegistryError, match="redirected more than 3 times"):
        client.open_blob("r", Digest("sha256:" + "0" * 64))
    assert len(fake.seen) == 4


def test_redirect_to_blob_storage_drops_authorization(fake, make_client) -> None:
    digest = "sha256:" + hashlib.sha256(b"layer").hexdigest()
    port = fake.host.rsplit(":", 1)[1]

    def blob(req) -> None:  # type: ignore[no-untyped-def]
        if "Authorization" not in req.headers:
            reply(req, 401, b"", {"WWW-Authenticate": 'Basic realm="test"'})
            return
        reply(req, 307, b"", {"Location": f"http://localhost:{port}/storage/layer?sig=1"})

    fake.route("GET", f"/v2/r/blobs/{digest}", blob)
    fake.route("GET", "/storage/layer", lambda req: reply(req, 200, b"layer"))
    client = make_client(username="tester", password="test-password-not-secret")
    with client.open_blob("r", Digest(digest), size=5, verify=True) as stream:
        assert stream.read() == b"layer"
    registry_hit, storage_hit = fake.seen[-2], fake.seen[-1]
    assert registry_hit.headers["Authorization"].startswith("Basic ")
    assert storage_hit.path == "/storage/layer?sig=1"
    assert "Authorization" not in storage_hit.headers


def test_redirect_to_plain_http_elsewhere_is_refused(fake, make_client) -> None:
    digest = "sha256:" + "1" * 64
    fake.route(
        "GET",
        f"/v2/r/blobs/{digest}",
        lambda req: reply(req, 307, b"", {"Location": "http://blobs.example.com/x"}),
    )
    with pytest.raises(RegistryError, match=r"refusing redirect to plain HTTP blobs\.example\.com"):
        make_client().open_blob("r", Digest(digest))


def test_wrong_blob_is_caught_before_the_last_chunk_is_handed_out(fake, make_client) -> None:
    digest = Digest("sha256:" + hashlib.sha256(b"expected").hexdigest())
    fake.route("GET", f"/v2/r/blobs/{digest}", lambda req: reply(req, 200, b"tampered"))
    # a reader that stops after exactly `size` bytes never sees unverified content
    blob = make_client().open_blob("r", digest, size=8, verify=True)
    with blob, pytest.raises(DigestMismatch):
        blob.read(8)


def test_drip_fed_manifest_hits_the_overall_deadline(fake, make_client) -> None:
    def drip(req) -> None:  # type: ignore[no-untyped-def]
        req.send_response(200)
        req.send_header("Content-Type", OCI["Content-Type"])
        req.send_header("Content-Length", "1000")
        req.end_headers()
        try:
            for _ in range(1000):
                req.wfile.write(b" ")
                req.wfile.flush()
                if fake.release.wait(0.1):
                    return
        except OSError:
            return

    fake.route("GET", "/v2/r/manifests/drip", drip)
    client = make_client(timeout=0.5)
    started = time.monotonic()
    with pytest.raises(RegistryError, match="too slowly"):
        client.get_manifest("r", "drip")
    assert time.monotonic() - started < 3
