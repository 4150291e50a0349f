"""The operating system of an image, read from the few layers that hold its release files.

Used where no package catalog is run (``image inspect``): the layered view says
which layer wrote the surviving ``os-release`` (and friends), only those layers
are read, and the answer is cached per image.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from hullguard.cache import AnalysisCache
from hullguard.catalog import osdetect
from hullguard.image.fsview import LayeredView
from hullguard.image.loader import Image
from hullguard.image.walk import read_layer
from hullguard.model.image import Digest, FileType, Layer
from hullguard.model.package import OSInfo
from hullguard.progress import NULL_PROGRESS

OSINFO_ANALYZER = "osinfo"
OSINFO_VERSION = "1"


def _key(image: Image) -> Digest:
    text = json.dumps(list(image.config.diff_ids))
    return Digest("sha256:" + hashlib.sha256(text.encode()).hexdigest())


def image_os(image: Image, view: LayeredView, cache: AnalysisCache | None = None) -> OSInfo | None:
    """Detect the image's OS, reading only the layers that wrote its release files."""
    cache = cache or AnalysisCache(None)
    key = _key(image)
    hit = cache.get(OSINFO_ANALYZER, OSINFO_VERSION, key)
    if isinstance(hit, dict):
        raw = hit.get("os")
        if raw is None:
            return None
        try:
            return OSInfo(**{**raw, "id_like": tuple(raw.get("id_like", ()))})
        except TypeError:
            pass
    wanted = {
        r.path: r.layer for r in view.final() if r.type is FileType.FILE and osdetect.wants(r.path)
    }
    files: dict[str, bytes] = {}
    for index in sorted(set(wanted.values())):

        def want(path: str, _size: int, layer: Layer) -> bool:
            return wanted.get(path) == layer.index

        files.update(read_layer(image, image.layers[index], want, NULL_PROGRESS).files)
    found = osdetect.detect_os(files)
    cache.put(OSINFO_ANALYZER, OSINFO_VERSION, key, {"os": asdict(found) if found else None})
    return found
