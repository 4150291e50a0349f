"""Storing one catalogued image or SBOM (packages, findings, secrets, layers, optional
deployment)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from hullguard.catalog.sbom_input import read_sbom
from hullguard.inventory.affected import findings_of
from hullguard.inventory.interface import (
    Analysis,
    DeploymentRecord,
    StoredLayer,
    StoredSecret,
)
from hullguard.inventory.store import InventoryStore
from hullguard.model.image import Layer
from hullguard.model.package import OSInfo, Package
from hullguard.model.sbom import SubjectKind
from hullguard.scan.image_secrets import ImageSecret
from hullguard.secrets.redact import redact_command
from hullguard.vulndb import VulnDB


@dataclass(frozen=True)
class Catalogued:
    """What to store: the image identity and its packages."""

    digest: str
    kind: str
    refs: tuple[str, ...]
    os_info: OSInfo | None
    packages: tuple[Package, ...]
    secrets: tuple[StoredSecret, ...] | None = None  # None: not scanned for secrets
    #: the image's layers (from the image; for an SBOM, from its package evidence)
    layers: tuple[StoredLayer, ...] = ()


@dataclass(frozen=True)
class AddResult:
    digest: str
    created: bool
    packages: int
    findings: int | None
    secrets: int | None = None


def stored_secret(secret: ImageSecret) -> StoredSecret:
    """What the inventory keeps of a secret finding: no value, no excerpt."""
    m = secret.match
    layer = secret.layer if secret.layer is not None else -1
    return StoredSecret(
        m.rule_id, m.category.value, m.severity.value, m.path, m.line, layer, secret.origin,
        secret.status, m.fingerprint, m.title,
    )  # fmt: skip


def image_layers(layers: Sequence[Layer]) -> tuple[StoredLayer, ...]:
    """An opened image's layers as stored: the history step redacted like every output."""
    return tuple(
        StoredLayer(x.index, x.descriptor.digest, x.diff_id, redact_command(x.created_by))
        for x in layers
    )


def evidence_layers(packages: Sequence[Package]) -> tuple[StoredLayer, ...]:
    """The layers an SBOM's package evidence names (index known), blob digest unknown."""
    found: dict[int, StoredLayer] = {}
    for package in packages:
        for ev in package.evidence:
            if ev.layer_index is not None and ev.layer_index not in found:
                step = redact_command(ev.created_by or "")
                found[ev.layer_index] = StoredLayer(
                    ev.layer_index, "", ev.layer_diff_id or "", step
                )
    return tuple(sorted(found.values()))


def from_sbom(data: bytes, path: str) -> Catalogued:
    """An input SBOM; its subject digest names it, else the digest of the document."""
    parsed = read_sbom(data)
    digest = parsed.subject.digest or "sha256:" + hashlib.sha256(data).hexdigest()
    refs = [path]
    if parsed.subject.kind is SubjectKind.IMAGE and parsed.subject.name:
        refs.append(parsed.subject.name)
    return Catalogued(
        digest, "sbom", tuple(refs), parsed.os_info, parsed.packages,
        layers=evidence_layers(parsed.packages),
    )  # fmt: skip


def store_catalogued(
    store: InventoryStore,
    item: Catalogued,
    db: VulnDB | None,
    deployments: Sequence[DeploymentRecord],
    now: str,
) -> AddResult:
    """One transaction: image, packages, findings (when a database is given), deployments."""
    findings = findings_of(item.packages, item.os_info, db) if db is not None else None
    with store.transaction():
        image_id, created = store.put_image(
            item.digest, item.kind, item.refs, item.os_info, item.packages, now
        )
        store.set_layers(image_id, item.layers)
        if findings is not None:
            store.set_findings(image_id, findings)
            store.mark_analysed(image_id, Analysis.VULNERABILITIES, now)
        if item.secrets is not None:
            store.set_secrets(image_id, item.secrets)
            store.mark_analysed(image_id, Analysis.SECRETS, now)
        for record in deployments:
            store.put_deployment(record, image_id)
    return AddResult(
        item.digest,
        created,
        len(item.packages),
        None if findings is None else len(findings),
        None if item.secrets is None else len(item.secrets),
    )
