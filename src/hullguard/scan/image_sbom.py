"""Catalog an image: one layer walk, catalogers on the final filesystem, layer attribution.

Language packages are attributed to the layer that wrote their metadata file
as it survives in the final image. OS packages live in one database file that
every install step rewrites, so each layer's version of that file is read and
a package is attributed to the earliest layer from which it stays installed,
unchanged, up to the final image (what Trivy and Syft report as "the layer
that introduced it").

The whole result is cached under a key derived from the ordered ``diff_id``
list and the catalogers' versions: a second SBOM of the same image reads no
layer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from hullguard import prewarm
from hullguard.cache import AnalysisCache
from hullguard.catalog.interface import Cataloger
from hullguard.catalog.registry import cache_key, catalogers
from hullguard.catalog.run import CatalogResult, any_sniffer, catalog_files, path_filter
from hullguard.image.loader import Image
from hullguard.model.image import Digest
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, Purl
from hullguard.progress import NULL_PROGRESS, Progress
from hullguard.scan.collect import Collected, WalkPlan, collect
from hullguard.secrets.redact import redact_command

#: what the catalogers import when they first run (imported while layers are read):
#: purls for every package, the e-mail header parser for Python metadata
CATALOG_IMPORTS = ("packageurl", "email.parser", "email.policy")

#: single-file package databases whose per-layer versions are kept for attribution
DB_FILES = frozenset(
    {
        "/var/lib/dpkg/status",
        "/lib/apk/db/installed",
        "/var/lib/rpm/Packages",
        "/var/lib/rpm/Packages.db",
        "/var/lib/rpm/rpmdb.sqlite",
        "/usr/lib/sysimage/rpm/Packages",
        "/usr/lib/sysimage/rpm/Packages.db",
        "/usr/lib/sysimage/rpm/rpmdb.sqlite",
    }
)
SBOM_ANALYZER = "sbom"
SBOM_VERSION = "2"  # 2: evidence carries the redacted history step


def _key(image: Image, selected: Sequence[Cataloger]) -> Digest:
    text = json.dumps(
        [list(image.config.diff_ids), cache_key(selected), image.limits.max_file_bytes]
    )
    return Digest("sha256:" + hashlib.sha256(text.encode()).hexdigest())


def _pkg_key(pkg: Package) -> tuple[str, str, str]:
    return (pkg.name, pkg.version, pkg.architecture)


def _introduced(
    collected: Collected, path: str, os_info: OSInfo | None, selected: Sequence[Cataloger]
) -> dict[tuple[str, str, str], int]:
    """For one database file: package key -> earliest layer from which it stays unchanged."""
    versions = collected.history.get(path, [])
    present: list[tuple[int, set[tuple[str, str, str]]]] = []
    for layer, data in versions:
        found = catalog_files({path: data}, selected, os_info).packages
        present.append((layer, {_pkg_key(p) for p in found}))
    out: dict[tuple[str, str, str], int] = {}
    if not present:
        return out
    for key in present[-1][1]:
        first = present[-1][0]
        for layer, keys in reversed(present):
            if key not in keys:
                break
            first = layer
        out[key] = first
    return out


def _attribute(
    image: Image,
    collected: Collected,
    result: CatalogResult,
    selected: Sequence[Cataloger],
) -> list[Package]:
    layers = image.layers
    # build arguments in history carry secrets: never into an SBOM raw (once per layer)
    steps = [redact_command(layer.created_by) or None for layer in layers]
    intro = {
        path: _introduced(collected, path, result.os_info, selected)
        for path in DB_FILES
        if path in collected.history
    }
    out = []
    for pkg in result.packages:
        evidence = []
        for ev in pkg.evidence:
            index: int | None
            if ev.path in intro:
                index = intro[ev.path].get(_pkg_key(pkg), collected.locate(ev.path))
            else:
                index = collected.locate(ev.path)
            if index is None or not 0 <= index < len(layers):
                evidence.append(ev)
                continue
            layer = layers[index]
            evidence.append(
                replace(
                    ev,
                    layer_index=index,
                    layer_diff_id=layer.diff_id,
                    created_by=steps[index],
                )
            )
        out.append(pkg.with_evidence(tuple(evidence)))
    return out


def _dump(packages: Sequence[Package], os_info: OSInfo | None) -> dict[str, Any]:
    rows = []
    for pkg in packages:
        row = asdict(replace(pkg, owned_files=()))  # not deep-copied only to be dropped
        row.pop("owned_files", None)
        rows.append(row)
    return {"packages": rows, "os": asdict(os_info) if os_info else None}


def _load(doc: Any) -> CatalogResult | None:
    try:
        packages = tuple(
            Package(
                name=row["name"],
                version=row["version"],
                type=PackageType(row["type"]),
                purl=Purl(row["purl"]),
                licenses=tuple(row["licenses"]),
                source_name=row["source_name"],
                source_version=row["source_version"],
                architecture=row["architecture"],
                evidence=tuple(Evidence(**ev) for ev in row["evidence"]),
                metadata=tuple((str(k), str(v)) for k, v in row["metadata"]),
                found_by=row["found_by"],
            )
            for row in doc["packages"]
        )
        raw_os = doc["os"]
        os_info = (
            OSInfo(**{**raw_os, "id_like": tuple(raw_os.get("id_like", ()))}) if raw_os else None
        )
    except (KeyError, TypeError, ValueError):
        return None
    return CatalogResult(packages, os_info)


def catalog_image(
    image: Image,
    cache: AnalysisCache | None = None,
    progress: Progress = NULL_PROGRESS,
    selected: Sequence[Cataloger] | None = None,
) -> CatalogResult:
    """Packages of ``image`` with the layer that introduced each, and its OS."""
    cache = cache or AnalysisCache(None)
    chosen = list(selected) if selected is not None else catalogers()
    key = _key(image, chosen)
    hit = cache.get(SBOM_ANALYZER, SBOM_VERSION, key)
    if hit is not None and (loaded := _load(hit)) is not None:
        return loaded
    prewarm.soon(*CATALOG_IMPORTS)
    plan = WalkPlan(
        want=path_filter(chosen),
        sniff_executables=any_sniffer(chosen),
        history=lambda path: path in DB_FILES,
    )
    collected = collect(image, plan, cache, progress)
    result = catalog_files(collected.files, chosen)
    packages = tuple(_attribute(image, collected, result, chosen))
    final = CatalogResult(packages, result.os_info)
    if cache.enabled:
        cache.put(SBOM_ANALYZER, SBOM_VERSION, key, _dump(final.packages, final.os_info))
    return final
