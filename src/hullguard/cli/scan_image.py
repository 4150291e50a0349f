"""``hullguard scan IMAGE``: open the image, run the one-pass scan, render the report."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import click

from hullguard.audit.image_config import ImageFinding, audit_image, render_lines
from hullguard.cli.options import build_cache, build_limits, build_open_options
from hullguard.cli.registry_options import registry_options_from_kwargs
from hullguard.cli.ui import RichProgress
from hullguard.image.loader import open_image
from hullguard.scan.image_scan import ImageScan, scan_image
from hullguard.scan.image_secrets import ImageSecret
from hullguard.secrets import SecretScanner
from hullguard.secrets.serialize import severity_counts

if TYPE_CHECKING:
    from hullguard.cli.scan_cmd import OutputFormat, Scanner, ScanOptions, Target


def run_image_scan(
    ctx: click.Context,
    target: Target,
    scanners: tuple[Scanner, ...],
    options: ScanOptions,
    fmt: OutputFormat,
    kwargs: dict[str, Any],
) -> tuple[str, bool]:
    """Report text and whether anything was found."""
    from hullguard.cli.scan_cmd import OutputFormat, Scanner

    registry = registry_options_from_kwargs(kwargs, build_limits(kwargs))
    image = open_image(target.ref, build_open_options(kwargs, registry))
    progress = RichProgress(enabled=not (ctx.find_root().obj or {}).get("quiet"))
    want_secrets = Scanner.SECRET in scanners
    want_misconfig = Scanner.MISCONFIG in scanners
    try:
        result = scan_image(
            image,
            want_packages=Scanner.VULN in scanners or want_misconfig,
            secret_scanner=SecretScanner(options.secret_config) if want_secrets else None,
            cache=build_cache(ctx, kwargs),
            progress=progress,
        )
    finally:
        progress.close()
        image.close()
    secrets = [s for s in result.secrets if s.match.severity in options.severities]
    misconfig: list[ImageFinding] | None = None
    if want_misconfig and result.view is not None:
        os_info = result.catalog.os_info if result.catalog else None
        misconfig = [
            f
            for f in audit_image(image.config, result.view.final(), os_info, dt.date.today())
            if f.severity in options.severities
        ]
    meta = {
        "target": str(target),
        "manifest_digest": image.manifest_digest,
        "image_id": image.config_digest,
    }
    found = bool(secrets) or bool(misconfig)
    if fmt is OutputFormat.JSON:
        doc = json.loads(_json(meta, scanners, secrets, result))
        if not want_secrets:
            doc.pop("secrets", None)
        if misconfig is not None:
            doc["misconfigurations"] = {
                "findings": [f.to_json() for f in misconfig],
                "summary": {"total": len(misconfig)},
            }
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", found
    text = _table(meta, secrets, want_secrets)
    if misconfig is not None:
        text += "\n" + "\n".join(render_lines(misconfig)) + "\n"
    return text, found


def _json(
    meta: dict[str, Any], scanners: tuple[Scanner, ...], secrets: list[ImageSecret], res: ImageScan
) -> str:
    doc: dict[str, Any] = {**meta, "scanners": [s.value for s in scanners]}
    doc["secrets"] = {
        "findings": [s.to_json() for s in secrets],
        "summary": {
            "total": len(secrets),
            "by_severity": severity_counts([s.match for s in secrets]),
            "still_extractable": sum(1 for s in secrets if s.status in ("deleted", "replaced")),
            "files_scanned": res.files_scanned,
            "bytes_scanned": res.bytes_scanned,
            "layers_read": res.layers_read,
        },
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _table(meta: dict[str, Any], secrets: list[ImageSecret], want_secrets: bool) -> str:
    lines = [f"Target: {meta['target']}", f"Image ID: {meta['image_id']}"]
    if want_secrets:
        counts = ", ".join(
            f"{k}: {v}" for k, v in severity_counts([s.match for s in secrets]).items()
        )
        hidden = sum(1 for s in secrets if s.status in ("deleted", "replaced"))
        lines.append(f"Secrets: {len(secrets)} ({counts}); {hidden} in files a later layer removed")
        for s in secrets:
            where = f"{s.match.path}:{s.match.line}" if s.match.line else s.match.path
            lines.append("")
            lines.append(f"{s.match.severity.value:<8} {s.match.rule_id}  {s.match.title}")
            lines.append(f"         {where}  {s.match.redacted}")
            lines.append(f"         {s.story()}")
            if s.match.note:
                lines.append(f"         note: {s.match.note}")
    return "\n".join(lines) + "\n"
