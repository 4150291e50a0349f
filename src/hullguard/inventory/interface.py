"""Inventory value types and the inventory error base."""

from __future__ import annotations

import json
from dataclasses import dataclass

from hullguard.errors import DatabaseError
from hullguard.model.package import OSInfo, Package, PackageType, Purl


class InventoryError(DatabaseError):
    """The inventory database is unusable."""


class NotInInventory(InventoryError):
    """The user named an image the inventory does not hold (a usage error)."""

    exit_code = 2


@dataclass(frozen=True, order=True)
class DeploymentRecord:
    """Where an image runs: one container of one workload (or one ``add --deployment``)."""

    cluster: str
    namespace: str
    name: str
    kind: str = ""
    container: str = ""
    environment: str = ""
    image_ref: str = ""
    source: str = "cli"

    def label(self) -> str:
        parts = [p for p in (self.cluster, self.namespace) if p]
        where = "/".join([*parts, self.name])
        return f"{where}[{self.container}]" if self.container else where


@dataclass(frozen=True, order=True)
class StoredPackage:
    """One package row of one image, as stored."""

    image_digest: str
    type: str
    name: str
    version: str
    purl: str
    layer: str
    path: str
    source_name: str = ""
    source_version: str = ""
    metadata: str = "[]"

    def to_package(self) -> Package:
        """Back to a model :class:`Package` (for the matcher)."""
        meta = tuple((str(k), str(v)) for k, v in json.loads(self.metadata))
        return Package(
            name=self.name,
            version=self.version,
            type=PackageType(self.type),
            purl=Purl(self.purl),
            source_name=self.source_name,
            source_version=self.source_version,
            metadata=meta,
        )


def os_to_json(os_info: OSInfo | None) -> str:
    if os_info is None:
        return ""
    return json.dumps(
        [os_info.id, os_info.version_id, os_info.version_codename, os_info.pretty_name]
    )


def os_from_json(text: str) -> OSInfo | None:
    if not text:
        return None
    ident, version_id, codename, pretty = json.loads(text)
    return OSInfo(id=ident, version_id=version_id, version_codename=codename, pretty_name=pretty)


@dataclass(frozen=True, order=True)
class StoredFinding:
    """One vulnerability finding of one stored image."""

    vuln_id: str
    package: str
    version: str
    purl: str
    fixed: tuple[str, ...] = ()
    severity: str = "UNKNOWN"
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.vuln_id, self.package, self.version, self.purl)


@dataclass(frozen=True)
class ImageSummary:
    """One row of ``inventory images``."""

    digest: str
    kind: str
    refs: tuple[str, ...]
    os: str
    packages: int
    findings: int
    deployments: int
    added_at: str


@dataclass(frozen=True, order=True)
class StoredSecret:
    """One secret finding of one stored image: where and what kind, never the value.

    ``layer`` is -1 for findings outside the layers (config, history); ``status``
    is ``present``, ``deleted``, ``replaced``, ``config`` or ``history``.
    """

    rule_id: str
    category: str
    severity: str
    path: str
    line: int
    layer: int
    origin: str
    status: str
    fingerprint: str
    title: str = ""


@dataclass(frozen=True, order=True)
class StoredLayer:
    """One filesystem layer of a stored image and the history step that made it.

    ``created_by`` is already redacted (build-argument values and inline
    credentials masked); ``digest`` (the blob) is empty for SBOM-derived layers.
    """

    index: int
    digest: str
    diff_id: str
    created_by: str = ""

    def label(self) -> str:
        """``#3 RUN apt-get install …``: the index and the (whitespace-collapsed) step."""
        step = " ".join(self.created_by.split())
        return f"#{self.index} {step}".rstrip()


class Analysis:
    """Which analyses an image has stored results of (string constants, stable in the DB)."""

    VULNERABILITIES = "vulnerabilities"
    SECRETS = "secrets"
