"""Content-addressed analysis cache.

Results of analysing a layer are stored under the layer's ``diff_id`` (the
digest of its uncompressed content, itself verified when the result was
computed) plus the analyzer's name and version, so a later scan of any image
sharing that layer skips reading it. Writes are atomic (temp file +
``os.replace``); a corrupt entry is treated as a miss.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hullguard.errors import CacheError
from hullguard.model.image import Digest


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hullguard"


class AnalysisCache:
    """Per-layer analysis results keyed by (analyzer, version, diff_id)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def _path(self, analyzer: str, version: str, diff_id: Digest) -> Path:
        assert self.root is not None
        algo, _, hexpart = diff_id.partition(":")
        if not hexpart.isalnum() or not algo.isalnum():
            raise CacheError(f"refusing cache key for digest {diff_id!r}")
        return self.root / "layers" / f"{analyzer}-{version}" / algo / f"{hexpart}.json"

    def get(self, analyzer: str, version: str, diff_id: Digest) -> Any | None:
        if self.root is None:
            return None
        path = self._path(analyzer, version, diff_id)
        try:
            with path.open("rb") as fh:
                return json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # unreadable or corrupt: recompute

    def put(self, analyzer: str, version: str, diff_id: Digest, value: Any) -> None:
        if self.root is None:
            return
        path = self._path(analyzer, version, diff_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(value, fh, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError as exc:
            raise CacheError(
                f"cannot write cache under {self.root}: {exc.strerror}",
                hint="use --cache-dir to pick a writable directory or --no-cache",
            ) from None
