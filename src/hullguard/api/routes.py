"""The JSON API under ``/api/v1`` and ``/healthz`` (documented at /openapi.json and /docs).

Reads open one inventory connection per request; writes go through
:func:`hullguard.api.auth.require_writer`. Query results are the same JSON
documents ``hullguard inventory … -f json`` prints.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from hullguard.api import readmodel
from hullguard.api.auth import require_writer
from hullguard.api.errors import ApiError
from hullguard.api.scans import ScanJobs, check_reference, now_text, store_item
from hullguard.api.settings import ApiSettings
from hullguard.cli import inventory_render as render
from hullguard.inventory.interface import DeploymentRecord
from hullguard.inventory.store import InventoryStore, open_inventory
from hullguard.vulndb import VulnDB, open_db

router = APIRouter()
Writer = Depends(require_writer)


def get_store(request: Request) -> Iterator[InventoryStore]:
    """One inventory connection per request (SQLite connections are not shared)."""
    store = open_inventory(request.app.state.settings.database)
    try:
        yield store
    finally:
        store.close()


Store = Annotated[InventoryStore, Depends(get_store)]


def open_vulndb(settings: ApiSettings) -> VulnDB:
    if settings.vulndb is None or not settings.vulndb.is_file():
        raise ApiError(
            503,
            "this server has no vulnerability database",
            hint="restart it with --vulndb PATH (see `hullguard db update`)",
        )
    return open_db(settings.vulndb)


def _doc(renderer: Callable[[Any], str], value: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(renderer(value))
    return doc


@router.get("/healthz", tags=["health"], summary="Liveness and inventory check")
def healthz(request: Request, store: Store) -> dict[str, Any]:
    settings: ApiSettings = request.app.state.settings
    return {
        "status": "ok",
        "schema_version": store.schema_version(),
        "read_only": settings.read_only,
        "writes_enabled": not settings.read_only and settings.token is not None,
        "vulndb": bool(settings.vulndb and settings.vulndb.is_file()),
    }


@router.get("/api/v1/images", tags=["inventory"], summary="Stored images with counts")
def list_images(store: Store) -> dict[str, Any]:
    items = readmodel.overview(store)
    doc = _doc(render.images_json, [i.summary for i in items])
    for entry, item in zip(doc["images"], items, strict=True):
        entry["severities"] = item.severities
    return doc


@router.get("/api/v1/images/{image:path}", tags=["inventory"], summary="One image in detail")
def get_image(image: str, store: Store) -> dict[str, Any]:
    """An image by digest, unique digest prefix or stored reference: its packages and
    its findings, each with the layer that introduced the package: its diff id (``layer``),
    index, blob digest and redacted history step (``created_by``)."""
    d = readmodel.image_detail(store, image)
    return {
        "digest": d.digest, "kind": d.kind, "os": d.os, "refs": list(d.refs),
        "deployments": [asdict(r) for r in d.deployments], "severities": d.severities,
        "layers": list(d.layers),
        "image_layers": [asdict(x) for x in d.image_layers],
        "packages": [asdict(p) | readmodel.layer_fields(d.layer_of(p.layer)) for p in d.packages],
        "findings": [
            asdict(x.finding) | {"fixed": list(x.finding.fixed),
                                  "aliases": list(x.finding.aliases),
                                  "layer": x.layer, "path": x.path}
            | readmodel.layer_fields(x.step)
            for x in d.findings
        ],
    }  # fmt: skip


@router.get("/api/v1/who-has", tags=["queries"], summary="Images with a package")
def who_has(
    store: Store,
    q: Annotated[str, Query(min_length=1, max_length=500, description="e.g. openssl<3.0.7")],
) -> dict[str, Any]:
    from hullguard.inventory.fleet import who_has as query_who_has
    from hullguard.inventory.query import parse_query

    return _doc(render.who_has_json, query_who_has(store, parse_query(q)))


@router.get("/api/v1/who-is-affected/{vuln_id}", tags=["queries"], summary="Images a CVE hits")
def who_is_affected(vuln_id: str, request: Request, store: Store) -> dict[str, Any]:
    from hullguard.inventory.affected import who_is_affected as query_affected

    with open_vulndb(request.app.state.settings) as db:
        return _doc(render.affected_json, query_affected(store, db, vuln_id.strip()))


@router.get("/api/v1/deployments", tags=["inventory"], summary="Recorded deployments")
def deployments(store: Store) -> dict[str, Any]:
    return _doc(render.deployments_json, store.deployments())


@router.get("/api/v1/diff", tags=["queries"], summary="Packages and findings from A to B")
def diff(store: Store, a: str, b: str) -> dict[str, Any]:
    from hullguard.inventory.fleet import diff_images

    return _doc(render.diff_json, diff_images(store, a, b))


@router.get("/api/v1/trends", tags=["queries"], summary="Findings and images over time")
def trends(store: Store) -> dict[str, Any]:
    t = readmodel.trends(store)
    return {
        "current": t.current,
        "rescans": [asdict(p) for p in t.rescans],
        "images_added": [{"date": d, "images": n} for d, n in t.images_added],
    }


class DeploymentFields(BaseModel):
    deployment: str | None = Field(None, max_length=253, description="Record it runs as NAME")
    namespace: str = Field("", max_length=253)
    cluster: str = Field("", max_length=253)
    environment: str = Field("", max_length=100)

    def records(self, source: str) -> list[DeploymentRecord]:
        if not self.deployment:
            if self.namespace or self.cluster or self.environment:
                raise ApiError(400, "namespace/cluster/environment need a deployment name")
            return []
        return [DeploymentRecord(self.cluster, self.namespace, self.deployment, "", "",
                                 self.environment, "", source)]  # fmt: skip


class DeploymentIn(BaseModel):
    """One workload container and the image it runs (as ``inventory import-k8s`` records)."""

    name: str = Field(..., min_length=1, max_length=253)
    image_ref: str = Field(..., min_length=1, max_length=1000)
    cluster: str = Field("", max_length=253)
    namespace: str = Field("", max_length=253)
    kind: str = Field("", max_length=100)
    container: str = Field("", max_length=253)
    environment: str = Field("", max_length=100)


class DeploymentsIn(BaseModel):
    deployments: list[DeploymentIn] = Field(..., min_length=1, max_length=10_000)


@router.post(
    "/api/v1/deployments", tags=["inventory"], summary="Record deployments",
    dependencies=[Writer],
)  # fmt: skip
def add_deployments(body: DeploymentsIn, request: Request, store: Store) -> dict[str, Any]:
    """Upsert deployments (keyed by cluster, namespace, kind, name, container); each is
    linked to the stored image its reference (or digest) names, when there is one."""
    records = [
        DeploymentRecord(d.cluster, d.namespace, d.name, d.kind, d.container, d.environment,
                         d.image_ref, "api")
        for d in body.deployments
    ]  # fmt: skip
    jobs: ScanJobs = request.app.state.scans
    with jobs.write_lock, store.transaction():
        for record in records:
            store.put_deployment(record, None)
    linked = {(d.cluster, d.namespace, d.kind, d.name, d.container): digest
              for d, digest in store.deployments()}  # fmt: skip
    rows = [(r, linked.get((r.cluster, r.namespace, r.kind, r.name, r.container), ""))
            for r in records]  # fmt: skip
    return _doc(render.deployments_json, rows)


class ScanRequest(DeploymentFields):
    reference: str = Field(..., min_length=1, max_length=1000, examples=["registry.example/app:1"])


_SBOM_BODY = {
    "requestBody": {
        "required": True,
        "description": "A CycloneDX, SPDX 2.x or Syft JSON SBOM document",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.post(
    "/api/v1/images", tags=["inventory"], summary="Submit an SBOM", status_code=201,
    dependencies=[Writer], openapi_extra=_SBOM_BODY,
)  # fmt: skip
async def submit_sbom(
    request: Request, fields: Annotated[DeploymentFields, Query()], name: str = ""
) -> JSONResponse:
    """Store an SBOM's packages (and findings, matched against the server's
    vulnerability database); idempotent by the SBOM's subject digest."""
    from starlette.concurrency import run_in_threadpool

    from hullguard.inventory.ingest import from_sbom

    settings: ApiSettings = request.app.state.settings
    data = await _read_body(request, settings.max_body_bytes)
    item = from_sbom(data, name or "api-upload")
    if not name:  # keep only the SBOM's own subject name
        item = dataclasses.replace(item, refs=item.refs[1:])
    jobs: ScanJobs = request.app.state.scans
    result = await run_in_threadpool(
        store_item, settings, item, fields.records("api"), jobs.write_lock
    )
    return JSONResponse(result, status_code=201)


async def _read_body(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the request body is larger than {limit // (1024 * 1024)} MiB")
        chunks.append(chunk)
    if not size:
        raise ApiError(400, "the request body is empty", hint="send the SBOM JSON document")
    return b"".join(chunks)


@router.post(
    "/api/v1/scans", tags=["scans"], summary="Scan an image reference in the background",
    status_code=202, dependencies=[Writer],
)  # fmt: skip
def submit_scan(body: ScanRequest, request: Request) -> JSONResponse:
    jobs: ScanJobs = request.app.state.scans
    reference = check_reference(request.app.state.settings, body.reference)
    job = jobs.submit(reference, body.records("api"))
    return JSONResponse(
        job.to_json(), status_code=202, headers={"Location": f"/api/v1/scans/{job.id}"}
    )


@router.get("/api/v1/scans/{job_id}", tags=["scans"], summary="State and result of a scan")
def get_scan(job_id: str, request: Request) -> dict[str, Any]:
    job = request.app.state.scans.get(job_id)
    if job is None:
        raise ApiError(404, f"no scan job {job_id!r}", hint="jobs are kept in memory only")
    doc: dict[str, Any] = job.to_json()
    return doc


@router.post(
    "/api/v1/rescan", tags=["scans"], summary="Re-match every image against the database",
    dependencies=[Writer],
)  # fmt: skip
def rescan(request: Request, store: Store) -> dict[str, Any]:
    from hullguard.inventory.rescan import rescan as run_rescan

    jobs: ScanJobs = request.app.state.scans
    with jobs.write_lock, open_vulndb(request.app.state.settings) as db:
        return _doc(render.rescan_json, run_rescan(store, db, now_text()))
