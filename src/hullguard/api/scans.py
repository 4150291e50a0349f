"""Background image scans (``POST /api/v1/scans``): a bounded thread pool and job records.

A job opens the image reference, catalogues it (layer by layer, with the shared
analysis cache), matches it against the vulnerability database and stores it in
the inventory with its own store connection. Jobs live in memory; the newest
:data:`KEEP_JOBS` are kept.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hullguard.api.settings import ApiSettings
from hullguard.errors import HullguardError, UsageError
from hullguard.inventory.interface import DeploymentRecord

if TYPE_CHECKING:
    from hullguard.inventory.ingest import Catalogued

KEEP_JOBS = 200
#: transports that read the server's own filesystem: allowed only with ``--scan-local``
LOCAL_PREFIXES = ("oci:", "oci-archive:", "docker-archive:", "docker-daemon:")


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ScanJob:
    id: str
    reference: str
    state: JobState
    submitted_at: str
    finished_at: str = ""
    result: dict[str, Any] | None = None
    error: str = ""
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.id, "reference": self.reference, "state": self.state.value,
            "submitted_at": self.submitted_at, "finished_at": self.finished_at or None,
            "result": self.result,
        }  # fmt: skip
        if self.error:
            doc["error"] = {"message": self.error, "hint": self.hint or None}
        return doc


def now_text() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_reference(settings: ApiSettings, reference: str) -> str:
    """The reference, stripped; local-path transports need ``--scan-local``."""
    reference = reference.strip()
    if not reference:
        raise UsageError("empty image reference", hint="e.g. registry.example/app:1.0")
    if reference.startswith(LOCAL_PREFIXES) and not settings.scan_local:
        raise UsageError(
            "this server does not scan local paths",
            hint="give a registry reference, or start the server with --scan-local",
        )
    return reference


Runner = Callable[[ApiSettings, str, Sequence[DeploymentRecord], threading.Lock], dict[str, Any]]


class ScanJobs:
    """Submitted scans and their state; thread-safe."""

    def __init__(self, settings: ApiSettings, runner: Runner | None = None) -> None:
        self._settings = settings
        self._runner = runner or run_scan
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, settings.scan_workers), thread_name_prefix="hullguard-scan"
        )
        self._jobs: OrderedDict[str, ScanJob] = OrderedDict()
        self._lock = threading.Lock()
        #: one inventory write at a time (SQLite allows one writer; waiting here beats
        #: "database is locked" after the driver's busy timeout)
        self.write_lock = threading.Lock()

    def submit(self, reference: str, deployments: Sequence[DeploymentRecord]) -> ScanJob:
        job = ScanJob(uuid.uuid4().hex, reference, JobState.QUEUED, now_text())
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
        self._pool.submit(self._run, job.id, reference, tuple(deployments))
        return job

    def get(self, job_id: str) -> ScanJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            if job_id in self._jobs:
                self._jobs[job_id] = replace(self._jobs[job_id], **changes)

    def _run(self, job_id: str, reference: str, deployments: Sequence[DeploymentRecord]) -> None:
        self._update(job_id, state=JobState.RUNNING)
        try:
            result = self._runner(self._settings, reference, deployments, self.write_lock)
        except HullguardError as exc:
            self._update(job_id, state=JobState.FAILED, finished_at=now_text(),
                         error=exc.message, hint=exc.hint or "")  # fmt: skip
        except Exception as exc:  # a job must end in a state, whatever broke
            self._update(job_id, state=JobState.FAILED, finished_at=now_text(),
                         error=f"internal error: {type(exc).__name__}")  # fmt: skip
        else:
            self._update(job_id, state=JobState.DONE, finished_at=now_text(), result=result)


def run_scan(
    settings: ApiSettings,
    reference: str,
    deployments: Sequence[DeploymentRecord],
    write_lock: threading.Lock,
) -> dict[str, Any]:
    """Open, catalogue, match and store one image; the stored summary."""
    from hullguard.cache import AnalysisCache, default_cache_dir
    from hullguard.image.loader import OpenOptions, open_image
    from hullguard.inventory.ingest import Catalogued, image_layers

    image = open_image(reference, OpenOptions(registry=settings.registry))
    try:
        from hullguard.scan.image_sbom import catalog_image

        catalogued = catalog_image(image, AnalysisCache(settings.cache_dir or default_cache_dir()))
        digest = image.manifest_digest or image.config_digest
        item = Catalogued(
            digest, "image", (image.reference,), catalogued.os_info, catalogued.packages,
            layers=image_layers(image.layers),
        )  # fmt: skip
    finally:
        image.close()
    return store_item(settings, item, deployments, write_lock)


def store_item(
    settings: ApiSettings,
    item: Catalogued,
    deployments: Sequence[DeploymentRecord],
    write_lock: threading.Lock,
) -> dict[str, Any]:
    """Store a catalogued image (findings matched when a vulnerability database exists)."""
    from hullguard.inventory.ingest import store_catalogued
    from hullguard.inventory.store import open_inventory
    from hullguard.vulndb import open_db

    records = [
        replace(d, image_ref=d.image_ref or (item.refs[0] if item.refs else ""))
        for d in deployments
    ]
    vulndb = open_db(settings.vulndb) if settings.vulndb and settings.vulndb.is_file() else None
    try:
        with write_lock, open_inventory(settings.database) as store:
            added = store_catalogued(store, item, vulndb, records, now_text())
    finally:
        if vulndb is not None:
            vulndb.close()
    return {
        "image": added.digest, "created": added.created, "packages": added.packages,
        "findings": added.findings, "deployments": len(records),
        "refs": list(item.refs),
    }  # fmt: skip
