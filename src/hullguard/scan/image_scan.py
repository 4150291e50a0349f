"""Scan an image in one pass: packages (for the SBOM and vulnerabilities) and secrets.

Results are cached: the package catalog per image (keyed by its ordered
``diff_id`` list), secret findings and file records per layer (keyed by
``diff_id``). When every requested result is cached, no layer is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hullguard.cache import AnalysisCache
from hullguard.catalog.registry import catalogers
from hullguard.catalog.run import CatalogResult, any_sniffer, catalog_files, path_filter
from hullguard.image.fsview import LayeredView
from hullguard.image.loader import Image
from hullguard.image.walk import RECORDS_ANALYZER, RECORDS_VERSION, _decode
from hullguard.progress import NULL_PROGRESS, Progress
from hullguard.scan.collect import WalkPlan, collect
from hullguard.scan.image_sbom import (
    DB_FILES,
    SBOM_ANALYZER,
    SBOM_VERSION,
    _attribute,
    _dump,
    _key,
    _load,
)
from hullguard.scan.image_secrets import (
    SECRETS_ANALYZER,
    ImageSecret,
    LayerSecretCollector,
    config_findings,
    dump_layer,
    load_layer,
    place_findings,
    removal_index,
    scanner_key,
)
from hullguard.secrets import SecretMatch, SecretScanner


@dataclass
class ImageScan:
    """What one pass over an image found."""

    catalog: CatalogResult | None = None
    secrets: list[ImageSecret] = field(default_factory=list)
    files_scanned: int = 0
    bytes_scanned: int = 0
    layers_read: int = 0
    view: LayeredView | None = None


def _cached_view(image: Image, cache: AnalysisCache) -> LayeredView | None:
    view = LayeredView()
    for layer in image.layers:
        records = _decode(cache.get(RECORDS_ANALYZER, RECORDS_VERSION, layer.diff_id), layer.index)
        if records is None:
            return None
        view.begin_layer(layer.index)
        for record in records:
            view.add(record)
        view.end_layer()
    return view


def scan_image(
    image: Image,
    *,
    want_packages: bool,
    secret_scanner: SecretScanner | None,
    cache: AnalysisCache | None = None,
    progress: Progress = NULL_PROGRESS,
) -> ImageScan:
    """Catalog packages and/or find secrets, reading each layer at most once."""
    cache = cache or AnalysisCache(None)
    result = ImageScan()
    chosen = catalogers()
    sbom_key = _key(image, chosen)
    if want_packages:
        hit = cache.get(SBOM_ANALYZER, SBOM_VERSION, sbom_key)
        result.catalog = _load(hit) if hit is not None else None
    secret_version = scanner_key(secret_scanner) if secret_scanner else ""
    cached_secrets: dict[int, list[SecretMatch]] | None = None
    view: LayeredView | None = None
    if secret_scanner is not None:
        cached_secrets = {}
        for layer in image.layers:
            rows = load_layer(cache.get(SECRETS_ANALYZER, secret_version, layer.diff_id))
            if rows is None:
                cached_secrets = None
                break
            if rows:
                cached_secrets[layer.index] = rows
        view = _cached_view(image, cache) if cached_secrets is not None else None
    need_walk = (want_packages and result.catalog is None) or (
        secret_scanner is not None and (cached_secrets is None or view is None)
    )
    if need_walk:
        collector = LayerSecretCollector(secret_scanner) if secret_scanner else None
        plan = WalkPlan(
            want=path_filter(chosen) if want_packages else (lambda _p: False),
            sniff_executables=want_packages and any_sniffer(chosen),
            history=(lambda p: p in DB_FILES) if want_packages else (lambda _p: False),
            visit=collector.visit if collector else None,
            visit_wants=collector.wants if collector else (lambda _p, _s, _h: False),
            export=collector.export if collector else None,
            absorb=collector.absorb if collector else None,
        )
        collected = collect(image, plan, cache, progress)
        result.layers_read = len(image.layers)
        view = collected.view
        if want_packages:
            found = catalog_files(collected.files, chosen)
            catalog = CatalogResult(
                tuple(_attribute(image, collected, found, chosen)), found.os_info
            )
            if cache.enabled:
                cache.put(
                    SBOM_ANALYZER, SBOM_VERSION, sbom_key, _dump(catalog.packages, catalog.os_info)
                )
            result.catalog = catalog
        if collector is not None:
            cached_secrets = collector.by_layer
            result.files_scanned = collector.files_scanned
            result.bytes_scanned = collector.bytes_scanned
            for layer in image.layers:
                matches = sorted(collector.by_layer.get(layer.index, []))
                cache.put(SECRETS_ANALYZER, secret_version, layer.diff_id, dump_layer(matches))
    if view is None:
        view = _cached_view(image, cache)
    if view is None:
        from hullguard.image.walk import build_layered_view

        view, _ = build_layered_view(image, cache, progress)
    result.view = view
    if secret_scanner is not None and cached_secrets is not None:
        placed = place_findings(image, cached_secrets, removal_index(view.all_records()))
        placed += config_findings(image, secret_scanner)
        result.secrets = sorted(placed, key=lambda s: s.sort_key())
    return result
