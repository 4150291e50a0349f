"""One scan job: open the image, catalogue it, match it, store it in the inventory.

The same steps as ``hullguard inventory add IMAGE``, without a terminal: the
worker calls :func:`scan_and_store` once per claimed job. The inventory is named
by the same ``--database``-style value the inventory commands take (a SQLite path,
``sqlite:///PATH`` or, where the store supports it, a ``postgresql://`` URL) and
opened through the inventory's public API, so a PostgreSQL inventory needs no
change here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hullguard.cache import AnalysisCache
from hullguard.image.loader import OpenOptions, open_image
from hullguard.inventory import open_inventory, resolve_database
from hullguard.inventory.ingest import Catalogued, image_layers, store_catalogued
from hullguard.progress import NULL_PROGRESS, Progress
from hullguard.scan.image_sbom import catalog_image
from hullguard.vulndb import open_db


@dataclass(frozen=True)
class ScanSettings:
    """Everything a worker needs to scan any job's image."""

    inventory: str | None
    cache_dir: Path | None
    open_options: OpenOptions
    vulndb: Path | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def scan_and_store(
    reference: str,
    settings: ScanSettings,
    cache: AnalysisCache,
    progress: Progress = NULL_PROGRESS,
    now: Callable[[], str] = _now,
) -> str:
    """Scan ``reference`` into the inventory; a one-line summary for the job's result."""
    image = open_image(reference, settings.open_options)
    try:
        result = catalog_image(image, cache, progress)
        digest = image.manifest_digest or image.config_digest
        item = Catalogued(
            digest, "image", (image.reference,), result.os_info, result.packages,
            layers=image_layers(image.layers),
        )  # fmt: skip
    finally:
        image.close()
    vulndb = open_db(settings.vulndb) if settings.vulndb is not None else None
    try:
        store = open_inventory(resolve_database(settings.inventory, settings.cache_dir))
        try:
            added = store_catalogued(store, item, vulndb, (), now())
        finally:
            store.close()
    finally:
        if vulndb is not None:
            vulndb.close()
    findings = "not matched" if added.findings is None else str(added.findings)
    return f"{added.digest}: {added.packages} packages, findings: {findings}"
