"""Renderers of ``hullguard inventory`` results: table, JSON and (rescan) Markdown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from hullguard.inventory.affected import WhoIsAffected
from hullguard.inventory.fleet import ImageDiff, WhoHas
from hullguard.inventory.interface import (
    DeploymentRecord,
    ImageSummary,
    StoredFinding,
    StoredLayer,
)
from hullguard.inventory.rescan import RescanReport


def to_json(doc: Any) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def table(rows: Sequence[Sequence[str]], empty: str = "nothing found") -> str:
    """Aligned columns; the first row is the header."""
    if len(rows) < 2:
        return empty + "\n"
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def _deps(records: Sequence[DeploymentRecord]) -> str:
    return ", ".join(r.label() for r in records) or "-"


def _short(digest: str) -> str:
    return digest[:19]


def layer_text(layer: StoredLayer | None, diff_id: str, width: int = 48) -> str:
    """``#3 RUN apt-get …`` (cut to ``width``) when the layer is known, else the short diff id."""
    if layer is None:
        return _short(diff_id) or "-"
    label = layer.label()
    return label if len(label) <= width else label[: width - 1] + "…"


def layer_json(layer: StoredLayer | None) -> dict[str, Any] | None:
    return None if layer is None else asdict(layer)


def who_has_table(result: WhoHas) -> str:
    rows = [("IMAGE", "REFS", "TYPE", "PACKAGE", "VERSION", "LAYER", "DEPLOYMENTS")]
    for h in result.hits:
        p = h.package
        rows.append(
            (_short(p.image_digest), ", ".join(h.refs), p.type, p.name, p.version,
             layer_text(h.layer, p.layer), _deps(h.deployments))
        )  # fmt: skip
    text = table(rows, f"no stored image has {result.query}")
    if result.unreadable:
        text += f"{len(result.unreadable)} package(s) skipped: version not readable\n"
    return text


def who_has_json(result: WhoHas) -> str:
    return to_json(
        {
            "query": result.query,
            "matches": [
                {
                    "image": h.package.image_digest,
                    "refs": list(h.refs),
                    "package": _package(h.package),
                    "layer": layer_json(h.layer),
                    "deployments": [asdict(d) for d in h.deployments],
                }
                for h in result.hits
            ],
            "skipped": [_package(p) | {"image": p.image_digest} for p in result.unreadable],
        }
    )


def _package(p: Any) -> dict[str, Any]:
    return {"type": p.type, "name": p.name, "version": p.version, "purl": p.purl,
            "layer": p.layer, "path": p.path}  # fmt: skip


def _finding(f: StoredFinding) -> dict[str, Any]:
    return asdict(f) | {"fixed": list(f.fixed), "aliases": list(f.aliases)}


def affected_table(result: WhoIsAffected) -> str:
    rows = [("IMAGE", "REFS", "PACKAGE", "INSTALLED", "FIXED", "SEVERITY", "LAYER",
             "DEPLOYMENTS")]  # fmt: skip
    for image in result.images:
        for f in image.findings:
            rows.append(
                (_short(image.digest), ", ".join(image.refs), f.package, f.version,
                 ", ".join(f.fixed) or "-", f.severity, layer_text(image.layer_of(f), ""),
                 _deps(image.deployments))
            )  # fmt: skip
    head = f"{result.vuln_id}: {len(result.images)} image(s) affected\n"
    return head + table(rows, "no stored image is affected")


def affected_json(result: WhoIsAffected) -> str:
    return to_json(
        {
            "vulnerability": result.vuln_id,
            "aliases": list(result.aliases),
            "images": [
                {
                    "image": i.digest,
                    "refs": list(i.refs),
                    "deployments": [asdict(d) for d in i.deployments],
                    "findings": [
                        _finding(f) | {"layer": layer_json(i.layer_of(f))} for f in i.findings
                    ],
                }
                for i in result.images
            ],
        }
    )


def images_table(images: Sequence[ImageSummary]) -> str:
    rows = [("DIGEST", "KIND", "REFS", "OS", "PACKAGES", "FINDINGS", "DEPLOYMENTS")]
    rows += [
        (_short(i.digest), i.kind, ", ".join(i.refs), i.os or "-", str(i.packages),
         str(i.findings), str(i.deployments))
        for i in images
    ]  # fmt: skip
    return table(rows, "the inventory has no images")


def images_json(images: Sequence[ImageSummary]) -> str:
    return to_json({"images": [asdict(i) | {"refs": list(i.refs)} for i in images]})


def deployments_table(items: Sequence[tuple[DeploymentRecord, str]]) -> str:
    rows = [("CLUSTER", "NAMESPACE", "KIND", "NAME", "CONTAINER", "ENV", "IMAGE REF", "DIGEST")]
    rows += [
        (d.cluster or "-", d.namespace or "-", d.kind or "-", d.name, d.container or "-",
         d.environment or "-", d.image_ref or "-", _short(digest) or "(not stored)")
        for d, digest in items
    ]  # fmt: skip
    return table(rows, "the inventory has no deployments")


def deployments_json(items: Sequence[tuple[DeploymentRecord, str]]) -> str:
    return to_json({"deployments": [asdict(d) | {"image": digest} for d, digest in items]})


def diff_table(d: ImageDiff) -> str:
    lines = [f"{_short(d.image_a)} -> {_short(d.image_b)}"]
    for sign, items in (("+", d.packages_added), ("-", d.packages_removed)):
        lines += [f"{sign} package {t}:{n} {v}" for t, n, v in items]
    for sign, found in (("+", d.findings_added), ("-", d.findings_removed)):
        lines += [f"{sign} finding {f.vuln_id} {f.package} {f.version}" for f in found]
    if len(lines) == 1:
        lines.append("no differences")
    return "\n".join(lines) + "\n"


def diff_json(d: ImageDiff) -> str:
    def pkgs(items: Sequence[tuple[str, str, str]]) -> list[dict[str, str]]:
        return [{"type": t, "name": n, "version": v} for t, n, v in items]

    return to_json(
        {
            "image_a": d.image_a,
            "image_b": d.image_b,
            "packages": {"added": pkgs(d.packages_added), "removed": pkgs(d.packages_removed)},
            "findings": {
                "added": [_finding(f) for f in d.findings_added],
                "removed": [_finding(f) for f in d.findings_removed],
            },
        }
    )


def _change_lines(report: RescanReport, bullet: str) -> list[str]:
    lines = []
    for vuln_id, changes in report.newly_affected().items():
        digests = sorted({c.digest for c in changes})
        packages = sorted({f"{c.finding.package} {c.finding.version}" for c in changes})
        fixed = sorted({v for c in changes for v in c.finding.fixed})
        deployments = sorted({d.label() for c in changes for d in c.deployments})
        text = (
            f"{bullet}{len(digests)} image(s) newly affected by {vuln_id} "
            f"({changes[0].finding.severity}; {', '.join(packages)}"
            f"{'; fixed in ' + ', '.join(fixed) if fixed else '; no fix yet'})"
        )
        if deployments:
            text += f" running in {', '.join(deployments)}"
        lines.append(text)
    return lines


def rescan_table(report: RescanReport) -> str:
    head = (
        f"Rescan #{report.rescan_id} of {report.images} image(s): {report.findings} finding(s), "
        f"{len(report.new)} new, {len(report.resolved)} resolved\n"
    )
    return head + "".join(line + "\n" for line in _change_lines(report, "  "))


def rescan_markdown(report: RescanReport) -> str:
    lines = [
        f"**hullguard rescan #{report.rescan_id}**: {report.images} image(s), "
        f"{len(report.new)} new finding(s), {len(report.resolved)} resolved",
        "",
    ]
    lines += _change_lines(report, "- ") or ["- nothing new since the last rescan"]
    return "\n".join(lines) + "\n"


def rescan_json(report: RescanReport) -> str:
    def changes(items: Sequence[Any]) -> list[dict[str, Any]]:
        return [
            {"image": c.digest, "refs": list(c.refs), "finding": _finding(c.finding),
             "deployments": [asdict(d) for d in c.deployments]}
            for c in items
        ]  # fmt: skip

    return to_json(
        {
            "rescan": report.rescan_id,
            "at": report.at,
            "db_built_at": report.db_built_at,
            "images": report.images,
            "findings": report.findings,
            "new": changes(report.new),
            "resolved": changes(report.resolved),
        }
    )
