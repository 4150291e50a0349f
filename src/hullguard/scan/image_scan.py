"""Scan an image in one pass: packages (for the SBOM and vulnerabilities) and secrets.

Results are cached: the package catalog per image (keyed by its ordered
``diff_id`` list), secret findings and file records per layer (keyed by
``diff_id``). When every requested result is cached, no layer is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hullguard.cache import AnalysisCache
from hullguard.image.fsview import LayeredView
from hullguard.image.loader import Image
from hullguard.image.walk import RECORDS_ANALYZER, RECORDS_VERSION, _decode
from hullguard.progress import NULL_PROGRESS, Progress
from hullguard.scan.collect import WalkPlan, collect
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
from hullguard.secrets.interface import SecretMatch

if TYPE_CHECKING:  # the package side is imported only by scans that catalog packages
    from hullguard.catalog.run import CatalogResult
    from hullguard.scan.collect import Collected
    from hullguard.secrets.scanner import SecretScanner


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
    packages = _PackageSide(image, cache) if want_packages else None
    if packages is not None:
        result.catalog = packages.cached()
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
    need_walk = (packages is not None and result.catalog is None) or (
        secret_scanner is not None and (cached_secrets is None or view is None)
    )
    if need_walk:
        collector = LayerSecretCollector(secret_scanner) if secret_scanner else None
        plan = WalkPlan(
            visit=collector.visit if collector else None,
            visit_wants=collector.wants if collector else (lambda _p, _s, _h: False),
            visit_path=collector.visit_path if collector else (lambda _p, _s: False),
            export=collector.export if collector else None,
            absorb=collector.absorb if collector else None,
            before_fork=collector.before_fork if collector else None,
            after_fork=collector.after_fork if collector else None,
        )
        if packages is not None:
            plan = packages.plan(plan)
        collected = collect(image, plan, cache, progress)
        result.layers_read = len(image.layers)
        view = collected.view
        if packages is not None:
            result.catalog = packages.catalog(collected)
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


class _PackageSide:
    """The package catalog part of the scan (imported only when packages are wanted:
    the catalogers are a large import that a secrets-only scan does not need)."""

    def __init__(self, image: Image, cache: AnalysisCache) -> None:
        from hullguard.catalog.registry import catalogers
        from hullguard.scan.image_sbom import _key

        self.image = image
        self.cache = cache
        self.chosen = catalogers()
        self.key = _key(image, self.chosen)

    def cached(self) -> CatalogResult | None:
        from hullguard.scan.image_sbom import SBOM_ANALYZER, SBOM_VERSION, _load

        hit = self.cache.get(SBOM_ANALYZER, SBOM_VERSION, self.key)
        return _load(hit) if hit is not None else None

    def plan(self, base: WalkPlan) -> WalkPlan:
        """``base`` (the secrets visitor) plus the files the catalogers read."""
        from dataclasses import replace

        from hullguard import prewarm
        from hullguard.catalog.run import any_sniffer, path_filter
        from hullguard.scan.image_sbom import CATALOG_IMPORTS, DB_FILES

        prewarm.soon(*CATALOG_IMPORTS)
        chosen = self.chosen
        return replace(
            base,
            want=path_filter(chosen),
            sniff_executables=any_sniffer(chosen),
            history=lambda p: p in DB_FILES,
        )

    def catalog(self, collected: Collected) -> CatalogResult:
        from hullguard.catalog.run import CatalogResult, catalog_files
        from hullguard.scan.image_sbom import SBOM_ANALYZER, SBOM_VERSION, _attribute, _dump

        found = catalog_files(collected.files, self.chosen)
        catalog = CatalogResult(
            tuple(_attribute(self.image, collected, found, self.chosen)), found.os_info
        )
        if self.cache.enabled:
            self.cache.put(
                SBOM_ANALYZER, SBOM_VERSION, self.key, _dump(catalog.packages, catalog.os_info)
            )
        return catalog
