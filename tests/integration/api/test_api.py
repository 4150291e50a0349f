"""The HTTP API of a real ``hullguard serve`` process, driven with httpx.

Query answers are compared with what the CLI prints for the same inventory
(`hullguard inventory … -f json`, run through the CLI); the OpenAPI document is
checked with openapi-spec-validator; submitted SBOMs are checked against the raw
document.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

Server = Any
Start = Any
CliJson = Any
TOKEN = "test-token-0123456789-not-a-secret"  # the conftest's api_token (checked below)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WRITES = [
    ("POST", "/api/v1/images"),
    ("POST", "/api/v1/deployments"),
    ("POST", "/api/v1/scans"),
    ("POST", "/api/v1/rescan"),
]


def _no_traceback(resp: httpx.Response) -> dict[str, Any]:
    assert "Traceback" not in resp.text
    body: dict[str, Any] = resp.json()
    assert set(body) == {"error"} and body["error"]["message"], body
    return body["error"]


def test_openapi_document_is_valid(read_server: Server, api_token: str) -> None:
    assert api_token == TOKEN
    doc = httpx.get(read_server.url + "/openapi.json", timeout=20).json()
    validate(doc)  # raises on an invalid OpenAPI 3.x document
    paths = doc["paths"]
    for path in (
        "/healthz",
        "/api/v1/images",
        "/api/v1/images/{image}",
        "/api/v1/who-has",
        "/api/v1/who-is-affected/{vuln_id}",
        "/api/v1/deployments",
        "/api/v1/diff",
        "/api/v1/scans",
        "/api/v1/scans/{job_id}",
        "/api/v1/rescan",
        "/api/v1/trends",
    ):
        assert path in paths, path  # fmt: skip
    schemes = doc["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    for method, path in WRITES:
        assert paths[path][method.lower()]["security"], (method, path)
    assert "security" not in paths["/api/v1/who-has"]["get"]
    assert httpx.get(read_server.url + "/docs", timeout=20).status_code == 200


def test_reads_answer_what_the_cli_answers(
    read_server: Server, app_ref: str, cli_json: CliJson
) -> None:
    db = ["--database", str(read_server.database)]
    with httpx.Client(base_url=read_server.url, timeout=30) as client:
        health = client.get("/healthz").json()
        assert health["status"] == "ok" and health["read_only"] is True
        for spec in ("pypi:requests", "pypi:urllib3<1.25", "musl", "pypi:django>=3"):
            api = client.get("/api/v1/who-has", params={"q": spec}).json()
            assert api == cli_json("inventory", "who-has", spec, *db), spec
        assert client.get("/api/v1/deployments").json() == cli_json("inventory", "deployments", *db)
        images = client.get("/api/v1/images").json()
        cli_images = cli_json("inventory", "images", *db)["images"]
        assert [{k: v for k, v in i.items() if k != "severities"} for i in images["images"]] == (
            cli_images
        )
        app = next(i for i in images["images"] if app_ref in i["refs"])
        assert sum(app["severities"].values()) == app["findings"] > 0
        affected = client.get("/api/v1/who-is-affected/CVE-2018-18074").json()
        assert affected["images"] and affected["images"][0]["image"] == app["digest"]
        detail = client.get(f"/api/v1/images/{app['digest'][:19]}").json()
        assert detail["digest"] == app["digest"] and len(detail["findings"]) == app["findings"]
        package_layers = {(p["name"], p["version"]): p["layer"] for p in detail["packages"]}
        layers = {x["diff_id"]: x for x in detail["image_layers"]}
        assert [x["index"] for x in detail["image_layers"]] == list(range(8))
        for finding in detail["findings"]:
            assert finding["layer"].startswith("sha256:")
            assert finding["layer"] == package_layers[(finding["package"], finding["version"])]
            stored = layers[finding["layer"]]  # index, blob digest and history step
            assert (finding["layer_index"], finding["layer_digest"], finding["created_by"]) == (
                stored["index"],
                stored["digest"],
                stored["created_by"],
            )
        steps = {f["created_by"] for f in detail["findings"]}
        assert any(s.startswith("/bin/sh -c #(nop) COPY dir:") for s in steps)


def test_errors_are_json_with_a_message(read_server: Server) -> None:
    with httpx.Client(base_url=read_server.url, timeout=30) as client:
        resp = client.get("/api/v1/images/sha256:0000000000000000")
        assert resp.status_code == 404 and "no stored image" in _no_traceback(resp)["message"]
        resp = client.get("/api/v1/who-has", params={"q": "pypi:requests<<<"})
        assert resp.status_code == 400
        _no_traceback(resp)
        resp = client.get("/api/v1/who-has")
        assert resp.status_code == 422 and "q" in _no_traceback(resp)["message"]
        resp = client.get("/api/v1/who-is-affected/CVE-0000-00000")
        assert resp.status_code == 400 and "not in the vulnerability database" in resp.text
        resp = client.get("/no/such/page")
        assert resp.status_code == 404
        _no_traceback(resp)


def test_writes_need_a_token_and_are_refused_read_only(
    read_server: Server, start_server: Start, private_inventory: Any
) -> None:
    for method, path in WRITES:  # read-only: refused even with the right token
        resp = httpx.request(method, read_server.url + path, headers=AUTH, json={}, timeout=20)
        assert resp.status_code == 403 and "read-only" in _no_traceback(resp)["message"]
    server = start_server(private_inventory())
    for method, path in WRITES:
        resp = httpx.request(method, server.url + path, json={}, timeout=20)
        assert resp.status_code == 401, (path, resp.text)
        assert resp.headers["www-authenticate"].startswith("Bearer")
        _no_traceback(resp)
        wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "X"}
        resp = httpx.request(method, server.url + path, headers=wrong, json={}, timeout=20)
        assert resp.status_code == 401 and "wrong" in _no_traceback(resp)["message"]
    tokenless = start_server(private_inventory(), token=None)
    resp = httpx.post(tokenless.url + "/api/v1/rescan", headers=AUTH, timeout=20)
    assert resp.status_code == 403 and "no API token" in _no_traceback(resp)["message"]


def test_submit_an_sbom_then_query_it(
    start_server: Start, private_inventory: Any, micronaut_sbom: Path, cli_json: CliJson
) -> None:
    server = start_server(private_inventory())
    raw = micronaut_sbom.read_bytes()
    expected = {(c["name"], c["version"]) for c in json.loads(raw)["components"]}
    with httpx.Client(base_url=server.url, timeout=60, headers=AUTH) as client:
        resp = client.post("/api/v1/images", content=b"{not json",
                           headers={"content-type": "application/json"})  # fmt: skip
        assert resp.status_code == 400 and "not valid JSON" in _no_traceback(resp)["message"]
        resp = client.post("/api/v1/scans", content=b"{not json",
                           headers={"content-type": "application/json"})  # fmt: skip
        assert resp.status_code == 422 and "not valid JSON" in _no_traceback(resp)["message"]
        params = {"name": "micronaut-app", "deployment": "api", "namespace": "jvm",
                  "cluster": "prod-us", "environment": "prod"}  # fmt: skip
        resp = client.post("/api/v1/images", content=raw, params=params)
        assert resp.status_code == 201, resp.text
        added = resp.json()
        assert added["created"] is True and added["packages"] == len(expected)
        detail = client.get("/api/v1/images/micronaut-app").json()
        assert detail["digest"] == added["image"]
        assert {(p["name"], p["version"]) for p in detail["packages"]} == expected
        deployments = client.get("/api/v1/deployments").json()["deployments"]
        assert {"cluster": "prod-us", "namespace": "jvm", "name": "api", "environment": "prod",
                "image": added["image"]}.items() <= next(
            d for d in deployments if d["name"] == "api").items()  # fmt: skip
        api = client.get("/api/v1/who-has", params={"q": "pkg:maven/io.micronaut/core"}).json()
        assert [m["image"] for m in api["matches"]] == [added["image"]]
        assert api == cli_json("inventory", "who-has", "pkg:maven/io.micronaut/core",
                              "--database", str(server.database))  # fmt: skip
        again = client.post("/api/v1/images", content=raw, params={"name": "micronaut-app"})
        assert again.status_code == 201 and again.json()["created"] is False
        rescan = client.post("/api/v1/rescan")
        assert rescan.status_code == 200 and rescan.json()["rescan"] == 1
        trends = client.get("/api/v1/trends").json()
        assert [p["findings"] for p in trends["rescans"]] == [rescan.json()["findings"]]


def test_scan_an_image_reference_in_the_background(
    start_server: Start, private_inventory: Any, app_ref: str, cli_json: CliJson, tmp_path: Path
) -> None:
    closed = start_server(private_inventory())
    resp = httpx.post(closed.url + "/api/v1/scans", headers=AUTH, json={"reference": app_ref})
    assert resp.status_code == 400 and "--scan-local" in resp.json()["error"]["hint"]
    server = start_server(private_inventory(), "--scan-local")
    with httpx.Client(base_url=server.url, timeout=30, headers=AUTH) as client:
        resp = client.post("/api/v1/scans", json={"reference": app_ref, "deployment": "worker"})
        assert resp.status_code == 202, resp.text
        job = _wait(client, resp.headers["location"])
        assert job["state"] == "done", job
        stored = cli_json("inventory", "images", "--database", str(server.database))["images"]
        app = next(i for i in stored if app_ref in i["refs"])
        assert job["result"]["image"] == app["digest"] and job["result"]["created"] is False
        assert job["result"]["findings"] == app["findings"] > 0
        missing = client.post("/api/v1/scans", json={"reference": f"oci:{tmp_path}/none:1"})
        failed = _wait(client, missing.headers["location"])
        assert failed["state"] == "failed" and failed["error"]["message"]
        assert client.get("/api/v1/scans/nope").status_code == 404


def _wait(client: httpx.Client, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(location).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    pytest.fail(f"scan job {location} did not finish")
