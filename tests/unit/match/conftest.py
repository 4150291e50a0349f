"""A tiny in-memory advisory index and finding factory for matcher unit tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from hullguard.match.model import Finding, FindingStatus
from hullguard.model.package import Evidence, PackageType
from hullguard.vulndb.interface import (
    Advisory,
    AdvisoryBrief,
    AffectedEntry,
    Severity,
    SupportEnded,
)


class FakeIndex:
    """Implements the matcher's AdvisoryIndex over plain lists (a unit seam)."""

    def __init__(self, entries: list[AffectedEntry], advisories: list[Advisory]) -> None:
        self._entries = entries
        self._advisories = {a.id: a for a in advisories}
        self.compiled: dict[tuple[str, ...], Any] = {}
        self.built_at: datetime | None = datetime(2026, 1, 1, tzinfo=UTC)
        self.ended: list[SupportEnded] = []

    def candidates(self, wanted: Sequence[tuple[str, str, str, str | None, str | None]]) -> None:
        """No stored intervals: the matcher evaluates every entry."""

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """Everything is in memory already."""

    def has_namespace(self, namespace: str) -> bool:
        return any(e.namespace == namespace for e in self._entries)

    def entries(self, namespace: str, name: str) -> list[AffectedEntry]:
        return [e for e in self._entries if e.namespace == namespace and e.name == name]

    def advisories(self, ids: Iterable[str]) -> dict[str, Advisory]:
        return {i: self._advisories[i] for i in ids if i in self._advisories}

    def briefs(self, ids: Iterable[str]) -> dict[str, AdvisoryBrief]:
        return {i: AdvisoryBrief.of(a) for i, a in self.advisories(ids).items()}

    def namespace_entries(self, namespace: str) -> dict[str, list[AffectedEntry]]:
        out: dict[str, list[AffectedEntry]] = {}
        for e in self._entries:
            if e.namespace == namespace:
                out.setdefault(e.name, []).append(e)
        return out

    def support_ended(self, namespace: str) -> list[SupportEnded]:
        return [s for s in self.ended if s.namespace == namespace]


def make_finding(
    vuln_id: str = "CVE-2024-0001",
    severity: Severity = Severity.HIGH,
    status: FindingStatus = FindingStatus.FIXED,
    name: str = "openssl",
    purl: str = "pkg:deb/debian/openssl@3.0.9-1?arch=amd64&distro=debian-12",
    aliases: tuple[str, ...] = (),
    path: str = "/var/lib/dpkg/status",
) -> Finding:
    return Finding(
        vuln_id=vuln_id,
        aliases=aliases,
        package_name=name,
        package_version="3.0.9-1",
        package_type=PackageType.DEB,
        purl=purl,
        installed_version="3.0.9-1",
        fixed_versions=("3.0.11-1",) if status is FindingStatus.FIXED else (),
        status=status,
        severity=severity,
        severity_source="vendor (debian-tracker)",
        cvss_score=None,
        cvss_vector="",
        title="a test finding",
        namespace="debian:12",
        lookup_name=name,
        data_source="debian-tracker",
        evidence=(Evidence(path, 0, "sha256:" + "a" * 64, "/bin/sh -c apt-get install openssl"),),
    )


@pytest.fixture
def mk() -> Callable[..., Finding]:
    return make_finding


@pytest.fixture
def fake_index() -> type[FakeIndex]:
    return FakeIndex
