"""Shared SBOM rules: serial numbers from the subject digest, timestamps, property names.

Deterministic by construction: the serial number is a UUIDv5 of the subject's digest
(or name), the timestamp is ``SOURCE_DATE_EPOCH`` when set and the injected time
otherwise, and every collection is sorted.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from hullguard.errors import UsageError
from hullguard.model.package import Evidence, Package
from hullguard.model.sbom import SbomSubject

#: namespace of hullguard's UUIDv5 serial numbers (uuid5(NAMESPACE_URL, "hullguard"))
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://hullguard.invalid/sbom")
PROPERTY_PREFIX = "hullguard:"
LAYER_INDEX = "hullguard:layer:index"
LAYER_DIFF_ID = "hullguard:layer:diffid"
LAYER_CREATED_BY = "hullguard:layer:createdBy"
LOCATION_PREFIX = "hullguard:location:"


def serial_uuid(subject: SbomSubject) -> uuid.UUID:
    """UUIDv5 of the subject's digest (its name when no digest is known)."""
    return uuid.uuid5(SERIAL_NAMESPACE, subject.digest or f"{subject.kind}:{subject.name}")


def created_time(now: datetime, environ: Mapping[str, str] | None = None) -> datetime:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds spec) when set, else ``now``.

    Always UTC, whole seconds."""
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return datetime.fromtimestamp(int(raw), tz=UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise UsageError(
                f"SOURCE_DATE_EPOCH={raw!r} is not a Unix timestamp",
                hint="set it to whole seconds since 1970-01-01 or unset it",
            ) from exc
    return now.astimezone(UTC).replace(microsecond=0)


def bom_refs(packages: tuple[Package, ...]) -> dict[int, str]:
    """``index -> bom-ref``: the purl, suffixed ``#n`` if two packages share one."""
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    for i, pkg in enumerate(packages):
        base = pkg.purl or f"{pkg.type}:{pkg.name}@{pkg.version}"
        count = seen.get(base, 0)
        seen[base] = count + 1
        out[i] = base if count == 0 else f"{base}#{count}"
    return out


def introducing(evidence: tuple[Evidence, ...]) -> Evidence | None:
    """The evidence from the earliest layer (the layer that added the package)."""
    layered = [e for e in evidence if e.layer_index is not None]
    return min(layered, key=lambda e: (e.layer_index or 0, e.path)) if layered else None


def evidence_properties(evidence: tuple[Evidence, ...]) -> list[tuple[str, str]]:
    """Layer of the introducing evidence (``hullguard:layer:*``), then every location
    numbered (``hullguard:location:N:path`` / ``:layer:index|diffid|createdBy``): property
    order is not kept by every SBOM library, so each value names its occurrence."""
    out: list[tuple[str, str]] = []
    first = introducing(evidence)
    if first is not None:
        out.append((LAYER_INDEX, str(first.layer_index)))
        out.append((LAYER_DIFF_ID, first.layer_diff_id or ""))
        out.append((LAYER_CREATED_BY, first.created_by or ""))
    for i, ev in enumerate(evidence):
        prefix = f"{LOCATION_PREFIX}{i}:"
        out.append((prefix + "path", ev.path))
        if ev.layer_index is not None:
            out.append((prefix + "layer:index", str(ev.layer_index)))
        out.append((prefix + "layer:diffid", ev.layer_diff_id or ""))
        out.append((prefix + "layer:createdBy", ev.created_by or ""))
    return [(k, v) for k, v in out if v]


def parse_evidence_properties(pairs: list[tuple[str, str]]) -> tuple[Evidence, ...]:
    """Inverse of :func:`evidence_properties` (order of ``pairs`` does not matter)."""
    by_index: dict[int, dict[str, str]] = {}
    for name, value in pairs:
        if not name.startswith(LOCATION_PREFIX):
            continue
        number, _, field = name[len(LOCATION_PREFIX) :].partition(":")
        if number.isdigit():
            by_index.setdefault(int(number), {})[field] = value
    out = []
    for _, fields in sorted(by_index.items()):
        if "path" not in fields:
            continue
        index = fields.get("layer:index", "")
        out.append(
            Evidence(
                fields["path"],
                int(index) if index.isdigit() else None,
                fields.get("layer:diffid") or None,
                fields.get("layer:createdBy") or None,
            )
        )
    return tuple(sorted(out))
