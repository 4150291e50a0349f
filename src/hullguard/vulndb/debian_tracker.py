"""Debian security tracker JSON importer (``security-tracker.debian.org/tracker/data/json``).

Documented shape: ``{SOURCE_PACKAGE: {ISSUE_ID: {"description", "scope",
"debianbug", "releases": {CODENAME: {"status": "resolved"|"open"|"undetermined",
"repositories": {...}, "fixed_version", "urgency", "nodsa", "nodsa_reason"}}}}}``.

Status mapping per release:

* ``resolved`` with ``fixed_version`` ``0`` -> not affected; otherwise affected
  before ``fixed_version``;
* ``open`` with urgency ``end-of-life`` -> end-of-life; with ``nodsa_reason``
  ``ignored`` -> will-not-fix; otherwise no fix yet (``postponed`` too);
* ``undetermined`` -> undetermined.

The urgency (``unimportant``, ``low``, ``medium``, ``high``, ``not yet
assigned``, with optional ``*`` marks) is the vendor severity of the entry.
Releases whose codename is not in the table (``sid``) are skipped.

Schema drift (an unknown release field or status, a release that is not an
object, a non-string ``fixed_version``/``urgency``/``nodsa_reason``, a
resolved issue without a fixed version) stops the import with
:class:`SchemaDrift` naming the file and field; the database is left as it
was. Only tested on a hand-written sample of the documented shape: no real
copy of the export is available offline (see docs/vulnerabilities.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hullguard.vulndb.interface import (
    Advisory,
    AffectedEntry,
    EntryStatus,
    ImportBatch,
    SchemaDrift,
    Severity,
    SourceKind,
    VulnId,
)
from hullguard.vulndb.namespaces import DEBIAN_CODENAMES

_TRACKER_HEAD = re.compile(rb'^\s*\{\s*"[^"]+"\s*:\s*\{\s*"(?:CVE|TEMP|DSA|DLA)-[^"]*"\s*:\s*\{')
_RELEASE_FIELDS = {"status", "repositories", "fixed_version", "urgency", "nodsa", "nodsa_reason"}
_STATUSES = {"resolved", "open", "undetermined"}
_TEXT_FIELDS = ("fixed_version", "urgency", "nodsa_reason")


def _status(release: Mapping[str, Any], where: str, name: str) -> tuple[EntryStatus, str]:
    unknown = sorted(set(release) - _RELEASE_FIELDS)
    if unknown:
        raise SchemaDrift(name, f"{where}.{unknown[0]}", "is not a known tracker field")
    for text_field in _TEXT_FIELDS:
        value = release.get(text_field)
        if value is not None and not isinstance(value, str):
            raise SchemaDrift(name, f"{where}.{text_field}", f"is not a string ({value!r})")
    status = release.get("status")
    if status not in _STATUSES:
        raise SchemaDrift(name, f"{where}.status", f"has unknown value {status!r}")
    fixed = str(release.get("fixed_version") or "")
    urgency = str(release.get("urgency") or "")
    if status == "resolved":
        if not fixed:
            raise SchemaDrift(name, f"{where}.fixed_version", "is missing for a resolved issue")
        return (EntryStatus.NOT_AFFECTED, "") if fixed == "0" else (EntryStatus.AFFECTED, fixed)
    if status == "undetermined":
        return EntryStatus.UNDETERMINED, ""
    if urgency.strip("* ") == "end-of-life":
        return EntryStatus.END_OF_LIFE, ""
    if release.get("nodsa_reason") == "ignored":
        return EntryStatus.WILL_NOT_FIX, ""
    return EntryStatus.NO_FIX, ""


def _entry(
    vuln: str, package: str, codename: str, release: Mapping[str, Any], name: str
) -> AffectedEntry:
    where = f"{package}.{vuln}.releases.{codename}"
    status, fixed = _status(release, where, name)
    events: list[dict[str, str]] = [{"introduced": "0"}]
    if fixed:
        events.append({"fixed": fixed})
    active = status not in (EntryStatus.NOT_AFFECTED, EntryStatus.UNDETERMINED)
    return AffectedEntry(
        VulnId(vuln),
        f"debian:{DEBIAN_CODENAMES[codename]}",
        package,
        SourceKind.DEBIAN_TRACKER,
        status,
        affected={"ranges": [{"type": "ECOSYSTEM", "events": events}], "versions": []}
        if active
        else {},
        fixed=(fixed,) if fixed else (),
        severity=Severity.from_vendor(str(release.get("urgency") or "")),
    )


def _issues(package: str, issues: object, name: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if not isinstance(issues, dict):
        raise SchemaDrift(name, package, "is not an object of issues")
    for vuln, issue in issues.items():
        if not isinstance(issue, dict) or not isinstance(issue.get("releases"), dict):
            raise SchemaDrift(name, f"{package}.{vuln}.releases", "is missing or not an object")
        yield vuln, issue


class DebianTrackerImporter:
    """The tracker's whole-archive JSON export."""

    kind = SourceKind.DEBIAN_TRACKER

    def accepts(self, name: str, head: bytes) -> bool:
        return name.endswith(".json") and _TRACKER_HEAD.search(head) is not None

    def parse(self, name: str, data: bytes) -> Iterator[ImportBatch]:
        try:
            doc = json.loads(data)
        except ValueError as exc:
            raise SchemaDrift(name, "<document>", f"is not JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise SchemaDrift(name, "<document>", "is not an object of source packages")
        batch = ImportBatch(SourceKind.DEBIAN_TRACKER, name)
        seen: set[str] = set()
        for package, issues in doc.items():
            for vuln, issue in _issues(package, issues, name):
                for codename, release in issue["releases"].items():
                    if not isinstance(release, dict):
                        where = f"{package}.{vuln}.releases.{codename}"
                        raise SchemaDrift(name, where, "is not an object")
                    if codename in DEBIAN_CODENAMES:
                        batch.entries.append(_entry(vuln, package, codename, release, name))
                if vuln not in seen:
                    seen.add(vuln)
                    batch.advisories.append(
                        Advisory(
                            VulnId(vuln),
                            SourceKind.DEBIAN_TRACKER,
                            details=str(issue.get("description") or ""),
                        )
                    )
        yield batch
