"""The per-layer analysis cache in PostgreSQL, for workers on several machines.

Same keys (analyzer, version, diff_id) and the same JSON payloads as the file
cache in :mod:`hullguard.cache`; the table is ``hullguard_jobs_layer_cache``,
created with the job tables. Entries are content-addressed, so concurrent
writers of one key write the same value: the first insert wins, later ones are
no-ops. As with the file cache, an unreadable entry is a miss (recompute) and
a failed read never fails a scan. :data:`CACHE_BACKENDS` picks the backend.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from hullguard.cache import AnalysisCache, default_cache_dir
from hullguard.errors import CacheError
from hullguard.jobs.schema import connect
from hullguard.model.image import Digest


class PgAnalysisCache(AnalysisCache):
    """:class:`AnalysisCache` whose entries live in one PostgreSQL table."""

    def __init__(self, conn: psycopg.Connection[TupleRow]) -> None:
        super().__init__(None)
        self.conn = conn

    @property
    def enabled(self) -> bool:
        return True

    def get(self, analyzer: str, version: str, diff_id: Digest) -> Any | None:
        try:
            row = self.conn.execute(
                "SELECT payload FROM hullguard_jobs_layer_cache "
                "WHERE analyzer = %s AND version = %s AND diff_id = %s",
                (analyzer, version, diff_id),
            ).fetchone()
            return json.loads(row[0]) if row else None
        except (psycopg.Error, ValueError):
            return None  # unreachable or corrupt: recompute

    def put(self, analyzer: str, version: str, diff_id: Digest, value: Any) -> None:
        payload = json.dumps(value, separators=(",", ":"))
        try:
            self.conn.execute(
                "INSERT INTO hullguard_jobs_layer_cache (analyzer, version, diff_id, payload) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (analyzer, version, diff_id, payload),
            )
        except psycopg.Error as exc:
            raise CacheError(
                f"cannot write the shared layer cache: {str(exc).strip()}",
                hint="check the database, or use --cache-backend file / --no-cache",
            ) from None

    def close(self) -> None:
        self.conn.close()


class CacheBackend(StrEnum):
    """Where workers keep per-layer analysis results."""

    FILE = "file"
    POSTGRESQL = "postgresql"
    NONE = "none"


@dataclass(frozen=True)
class CacheConfig:
    database_url: str
    cache_dir: Path | None


def _file(config: CacheConfig) -> AnalysisCache:
    return AnalysisCache(config.cache_dir or default_cache_dir())


def _postgresql(config: CacheConfig) -> AnalysisCache:
    return PgAnalysisCache(connect(config.database_url))


def _none(config: CacheConfig) -> AnalysisCache:
    return AnalysisCache(None)


CACHE_BACKENDS: dict[CacheBackend, Callable[[CacheConfig], AnalysisCache]] = {
    CacheBackend.FILE: _file,
    CacheBackend.POSTGRESQL: _postgresql,
    CacheBackend.NONE: _none,
}


def open_cache(backend: CacheBackend, config: CacheConfig) -> AnalysisCache:
    return CACHE_BACKENDS[backend](config)


def close_cache(cache: AnalysisCache) -> None:
    if isinstance(cache, PgAnalysisCache):
        cache.close()
