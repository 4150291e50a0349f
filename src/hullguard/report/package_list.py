"""hullguard's own package-list formats: ``json`` (lossless, deterministic) and ``table``."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from hullguard.model.package import Package
from hullguard.model.sbom import SbomDocument

JSON_SCHEMA_VERSION = "1"


def _package_dict(pkg: Package) -> dict[str, Any]:
    data = asdict(pkg)
    data.pop("owned_files", None)
    data["type"] = pkg.type.value
    data["metadata"] = dict(pkg.metadata)
    data["licenses"] = list(pkg.licenses)
    data["evidence"] = [asdict(e) for e in pkg.evidence]
    return data


def render_json(doc: SbomDocument) -> str:
    """Every field of every package, keys sorted, packages in canonical order."""
    body = {
        "schemaVersion": JSON_SCHEMA_VERSION,
        "tool": {"name": "hullguard", "version": doc.tool_version},
        "created": doc.created.isoformat().replace("+00:00", "Z"),
        "subject": {
            "name": doc.subject.name,
            "kind": doc.subject.kind.value,
            "digest": doc.subject.digest,
            "version": doc.subject.version,
        },
        "os": asdict(doc.os_info) if doc.os_info else None,
        "packages": [_package_dict(p) for p in sorted(doc.packages, key=Package.sort_key)],
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_table(doc: SbomDocument) -> str:
    """Plain aligned columns: NAME, VERSION, TYPE, LAYER, PATH."""
    rows = [("NAME", "VERSION", "TYPE", "LAYER", "PATH")]
    for pkg in sorted(doc.packages, key=Package.sort_key):
        first = pkg.evidence[0] if pkg.evidence else None
        layer = "" if first is None or first.layer_index is None else str(first.layer_index)
        rows.append((pkg.name, pkg.version, pkg.type.value, layer, first.path if first else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    os_line = (
        f"OS: {doc.os_info.pretty_name or doc.os_info.distro_qualifier}"
        if doc.os_info
        else "OS: unknown"
    )
    return "\n".join([os_line, *lines, f"{len(rows) - 1} packages"]) + "\n"
