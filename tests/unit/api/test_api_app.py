"""The API application in-process (Starlette's TestClient) over a small real inventory.

Covers what the subprocess tests do not reach cheaply: the auth decision table,
token loading, error mapping, escaping, security headers, trends and the body limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.testclient import TestClient

from hullguard.api.app import create_app
from hullguard.api.auth import check_writer
from hullguard.api.errors import ApiError, status_for
from hullguard.api.readmodel import SEVERITIES, trends
from hullguard.api.settings import TOKEN_ENV, ApiSettings, load_token
from hullguard.api.trend_chart import chart
from hullguard.errors import HullguardError, RegistryError, UsageError
from hullguard.inventory import open_inventory
from hullguard.inventory.interface import DeploymentRecord, NotInInventory, StoredFinding
from hullguard.model.package import Evidence, Package, PackageType, Purl

TOKEN = "unit-test-token-0123456789"
DIGEST = "sha256:" + "a" * 64
HOSTILE = "<script>alert(1)</script>"


def _pkg(name: str, version: str, layer: str) -> Package:
    purl = Purl(f"pkg:pypi/{name.lower()}@{version}")
    return Package(name, version, PackageType.PYTHON, purl, evidence=(Evidence("/site", 1, layer),))


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.db"
    with open_inventory(path) as store, store.transaction():
        image_id, _ = store.put_image(
            DIGEST, "image", ["app:1"], None,
            [_pkg("requests", "2.19.1", "sha256:l1"), _pkg(HOSTILE, "1.0", "sha256:l2")],
            "2026-01-02T03:04:05+00:00",
        )  # fmt: skip
        store.set_findings(image_id, [
            StoredFinding("CVE-1", "requests", "2.19.1", "pkg:pypi/requests@2.19.1",
                          ("2.20.0",), "HIGH"),
            StoredFinding("CVE-2", HOSTILE, "1.0", f"pkg:pypi/{HOSTILE.lower()}@1.0", (), "LOW"),
        ])  # fmt: skip
        store.put_deployment(DeploymentRecord("c", "ns", "web", image_ref="app:1"), image_id)
        cur = store.conn.execute(
            "INSERT INTO rescans (at, db_built_at, images, findings) VALUES ('t1', '', 1, 2)"
        )
        store.conn.execute(
            "INSERT INTO rescan_changes VALUES (?, 'new', ?, 'CVE-1', 'requests', '2.19.1', "
            "'[]', 'HIGH')",
            (cur.lastrowid, image_id),
        )
    return path


def _client(database: Path, **changes: object) -> Iterator[TestClient]:
    settings = ApiSettings(database=database, token=TOKEN, **changes)  # type: ignore[arg-type]
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(database: Path) -> Iterator[TestClient]:
    yield from _client(database)


def _creds(token: str, scheme: str = "Bearer") -> HTTPAuthorizationCredentials:
    return HTTPAuthorizationCredentials(scheme=scheme, credentials=token)


@pytest.mark.parametrize(
    ("read_only", "token", "creds", "status"),
    [
        (True, TOKEN, _creds(TOKEN), 403),
        (False, None, _creds(TOKEN), 403),
        (False, TOKEN, None, 401),
        (False, TOKEN, _creds(TOKEN + "x"), 401),
        (False, TOKEN, _creds(TOKEN[:-1]), 401),
        (False, TOKEN, _creds(TOKEN, "Basic"), 401),
        (False, TOKEN, _creds(TOKEN), None),
    ],
)
def test_write_decision_table(
    read_only: bool, token: str | None, creds: HTTPAuthorizationCredentials | None,
    status: int | None, tmp_path: Path,
) -> None:  # fmt: skip
    settings = ApiSettings(database=tmp_path / "x.db", token=token, read_only=read_only)
    if status is None:
        check_writer(settings, creds)
        return
    with pytest.raises(ApiError) as info:
        check_writer(settings, creds)
    assert info.value.status == status


def test_token_from_file_or_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert load_token(None) is None
    monkeypatch.setenv(TOKEN_ENV, f"  {TOKEN}\n")
    assert load_token(None) == TOKEN
    (tmp_path / "t").write_text(f"{TOKEN}-file\nsecond line ignored\n")
    assert load_token(str(tmp_path / "t")) == f"{TOKEN}-file"
    (tmp_path / "short").write_text("abc\n")
    with pytest.raises(UsageError, match="shorter"):
        load_token(str(tmp_path / "short"))
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(UsageError, match="empty"):
        load_token(str(tmp_path / "empty"))
    with pytest.raises(UsageError, match="cannot read"):
        load_token(str(tmp_path / "missing"))


def test_error_families_map_to_statuses() -> None:
    assert status_for(NotInInventory("x")) == 404
    assert status_for(UsageError("x")) == 400
    assert status_for(RegistryError("x")) == 502
    assert status_for(HullguardError("x")) == 500


def test_pages_escape_package_names_and_send_a_strict_csp(client: TestClient) -> None:
    for url in (f"/images/{DIGEST}", "/search?q=pypi:requests", f"/search?q={HOSTILE}", "/"):
        resp = client.get(url)
        assert "<script>" not in resp.text, url
        assert "default-src 'none'" in resp.headers["content-security-policy"]
    page = client.get(f"/images/{DIGEST}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'title="sha256:l1"' in page  # requests' finding carries its layer
    assert client.get("/images/sha256:ffff0000ffff").status_code == 404


def test_image_findings_carry_their_layer_most_severe_first(client: TestClient) -> None:
    doc = client.get(f"/api/v1/images/{DIGEST[:12]}").json()
    assert [(f["vuln_id"], f["layer"]) for f in doc["findings"]] == [
        ("CVE-1", "sha256:l1"), ("CVE-2", "sha256:l2"),
    ]  # fmt: skip
    assert doc["severities"] == dict.fromkeys(SEVERITIES, 0) | {"HIGH": 1, "LOW": 1}


def test_trends_from_rescans_and_added_times(database: Path, client: TestClient) -> None:
    with open_inventory(database) as store:
        data = trends(store)
    assert [(p.rescan_id, p.findings, p.new["HIGH"]) for p in data.rescans] == [(1, 2, 1)]
    assert data.images_added == (("2026-01-02", 1),)
    assert [s.title for s in chart(data).series] == ["Findings after each rescan", "Images stored"]
    page = client.get("/trends").text
    assert "<polyline" in page and "2026-01-02" in page
    assert client.get("/api/v1/trends").json()["current"]["HIGH"] == 1


def test_body_limit_and_missing_vulndb(database: Path) -> None:
    for client in _client(database, max_body_bytes=1024):
        auth = {"Authorization": f"Bearer {TOKEN}"}
        resp = client.post("/api/v1/images", content=b"x" * 4096, headers=auth)
        assert resp.status_code == 413 and "larger than" in resp.json()["error"]["message"]
        resp = client.post("/api/v1/images", content=b"", headers=auth)
        assert resp.status_code == 400
        resp = client.get("/api/v1/who-is-affected/CVE-1")
        assert resp.status_code == 503 and "--vulndb" in resp.json()["error"]["hint"]
        assert "--vulndb" in client.get("/cve?id=CVE-1").text


def test_scan_of_a_local_path_needs_scan_local(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    resp = client.post("/api/v1/scans", json={"reference": "oci:/etc:x"}, headers=auth)
    assert resp.status_code == 400 and "--scan-local" in json.dumps(resp.json())
    resp = client.post("/api/v1/scans", json={"reference": "app:1", "namespace": "x"},
                       headers=auth)  # fmt: skip
    assert resp.status_code == 400 and "deployment" in resp.json()["error"]["message"]


def test_record_deployments_links_stored_images(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = {"deployments": [
        {"name": "api", "namespace": "shop", "cluster": "c2", "kind": "Deployment",
         "container": "main", "image_ref": f"registry.example/app@{DIGEST}"},
        {"name": "batch", "image_ref": "registry.example/other:1"},
    ]}  # fmt: skip
    assert client.post("/api/v1/deployments", json=body).status_code == 401
    resp = client.post("/api/v1/deployments", json=body, headers=auth)
    assert resp.status_code == 200, resp.text
    assert [(d["name"], d["image"], d["source"]) for d in resp.json()["deployments"]] == [
        ("api", DIGEST, "api"), ("batch", "", "api"),
    ]  # fmt: skip
    listed = client.get("/api/v1/deployments").json()["deployments"]
    assert {d["name"] for d in listed} == {"web", "api", "batch"}
    resp = client.post("/api/v1/deployments", json={"deployments": []}, headers=auth)
    assert resp.status_code == 422
