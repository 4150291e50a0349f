"""Local vulnerability database: importers, atomic builds, read-only lookups.

See ``docs/vulnerabilities.md``. Entry points: :func:`open_db`,
:func:`build_database`, :data:`IMPORTERS`.
"""

from hullguard.vulndb.build import SourceInput, SourceResult, build_database
from hullguard.vulndb.importers import IMPORTERS, detect, iter_files
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
