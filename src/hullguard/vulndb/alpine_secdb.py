"""Alpine secdb importer (``v3.19/main.json`` and friends).

Format: ``{"distroversion": "v3.19", "reponame": "main", "packages": [{"pkg":
{"name": ORIGIN, "secfixes": {FIXED_APK_VERSION: [CVE, ...]}}}]}``. A
``"0"`` key means "never affected in this release" (stored as not-affected, so
it overrides other sources); any other key is the first fixed version. Package
names are apk *origins* (source packages). An entry may hold several ids
separated by spaces (``CVE-2020-1 CVE-2020-2``): each becomes its own id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hullguard.vulndb.interface import (
    Advisory,
    AffectedEntry,
    EntryStatus,
    ImportBatch,
    SchemaDrift,
    SourceKind,
    VulnId,
)
from hullguard.vulndb.namespaces import distro_release

_REQUIRED = ("distroversion", "packages")
_KNOWN = {"apkurl", "archs", "reponame", "urlprefix", "distroversion", "packages"}
_KNOWN_PKG = {"name", "secfixes"}


def _load(name: str, data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise SchemaDrift(name, "<document>", f"is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise SchemaDrift(name, "<document>", "is not an object")
    for key in _REQUIRED:
        if key not in doc:
            raise SchemaDrift(name, key, "is missing")
    if not isinstance(doc["packages"], list):
        raise SchemaDrift(name, "packages", "is not a list")
    unknown = sorted(set(doc) - _KNOWN)
    if unknown:
        raise SchemaDrift(name, unknown[0], "is not a known secdb field")
    return doc


def _pkg(item: object, name: str, index: int) -> tuple[str, dict[str, Any]]:
    pkg = item.get("pkg") if isinstance(item, dict) else None
    if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
        raise SchemaDrift(name, f"packages[{index}].pkg.name", "is missing")
    unknown = sorted(set(pkg) - _KNOWN_PKG)
    if unknown:
        raise SchemaDrift(name, f"packages[{index}].pkg.{unknown[0]}", "is not a known field")
    secfixes = pkg.get("secfixes") or {}
    if not isinstance(secfixes, dict):
        raise SchemaDrift(name, f"packages[{index}].pkg.secfixes", "is not an object")
    return pkg["name"], secfixes


def _entry(vuln: str, namespace: str, origin: str, fixed: str) -> AffectedEntry:
    if fixed == "0":
        return AffectedEntry(
            VulnId(vuln), namespace, origin, SourceKind.ALPINE_SECDB, EntryStatus.NOT_AFFECTED
        )
    events = [{"introduced": "0"}, {"fixed": fixed}]
    return AffectedEntry(
        VulnId(vuln),
        namespace,
        origin,
        SourceKind.ALPINE_SECDB,
        EntryStatus.AFFECTED,
        affected={"ranges": [{"type": "ECOSYSTEM", "events": events}], "versions": []},
        fixed=(fixed,),
    )


class AlpineSecdbImporter:
    """Alpine secdb JSON files."""

    kind = SourceKind.ALPINE_SECDB

    def accepts(self, name: str, head: bytes) -> bool:
        return name.endswith(".json") and b'"distroversion"' in head

    def parse(self, name: str, data: bytes) -> Iterator[ImportBatch]:
        doc = _load(name, data)
        release = distro_release("alpine", str(doc["distroversion"]))
        namespace = f"alpine:{release}"
        batch = ImportBatch(SourceKind.ALPINE_SECDB, name)
        seen: set[str] = set()
        for index, item in enumerate(doc["packages"]):
            origin, secfixes = _pkg(item, name, index)
            for fixed, ids in secfixes.items():
                if not isinstance(ids, list):
                    raise SchemaDrift(name, f"{origin}.secfixes[{fixed}]", "is not a list")
                for vuln in (v for text in ids for v in str(text).split()):
                    batch.entries.append(_entry(vuln, namespace, origin, str(fixed)))
                    if vuln not in seen:
                        seen.add(vuln)
                        batch.advisories.append(Advisory(VulnId(vuln), SourceKind.ALPINE_SECDB))
        yield batch
