"""Local vulnerability database: importers, atomic builds, read-only lookups.

See ``docs/vulnerabilities.md``. Entry points: :func:`open_db`,
:func:`build_database`, :data:`IMPORTERS`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hullguard.vulndb.interface import (
    Advisory,
    AffectedEntry,
    EntryStatus,
    SchemaDrift,
    Severity,
    SourceKind,
    SupportEnded,
    VulnDBError,
    VulnId,
)
from hullguard.vulndb.store import SourceInfo, VulnDB, default_db_path, open_db

if TYPE_CHECKING:
    from hullguard.vulndb.build import SourceInput, SourceResult, build_database
    from hullguard.vulndb.importers import IMPORTERS, detect, iter_files

#: the importers (and every format parser they pull in) load on first use: a scan
#: only reads the database, and importing them cost ~0.2 s of every scan's start-up
_LAZY = {
    "SourceInput": "hullguard.vulndb.build",
    "SourceResult": "hullguard.vulndb.build",
    "build_database": "hullguard.vulndb.build",
    "IMPORTERS": "hullguard.vulndb.importers",
    "detect": "hullguard.vulndb.importers",
    "iter_files": "hullguard.vulndb.importers",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "IMPORTERS",
    "Advisory",
    "AffectedEntry",
    "EntryStatus",
    "SchemaDrift",
    "Severity",
    "SourceInfo",
    "SourceInput",
    "SourceKind",
    "SourceResult",
    "SupportEnded",
    "VulnDB",
    "VulnDBError",
    "VulnId",
    "build_database",
    "default_db_path",
    "detect",
    "iter_files",
    "open_db",
]
