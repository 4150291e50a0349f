"""``hullguard scan IMAGE``: open the image, run the one-pass scan, render the report."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hullguard import prewarm
from hullguard.cli.options import build_cache, build_limits, build_open_options
from hullguard.cli.registry_options import registry_options_from_kwargs
from hullguard.cli.ui import RichProgress
from hullguard.image.loader import open_image
from hullguard.image.reference import parse_reference
from hullguard.scan.image_scan import ImageScan, scan_image
from hullguard.scan.image_secrets import ImageSecret
from hullguard.secrets.serialize import severity_counts

if TYPE_CHECKING:
    from hullguard.audit.image_config import ImageFinding
    from hullguard.cli.scan_cmd import OutputFormat, Scanner, ScanOptions, Target
    from hullguard.match import VulnReport
    from hullguard.model.package import OSInfo, Package
    from hullguard.model.severity import Severity
    from hullguard.secrets.scanner import SecretScanner


def _vuln_kwargs(kwargs: dict[str, Any], severities: frozenset[Severity]) -> dict[str, Any]:
    """Map ``--severity CRITICAL,HIGH`` (a list) onto the matcher's display minimum."""
    lowest = min(severities, key=lambda s: s.rank) if severities else None
    return {**kwargs, "severity": lowest.value if lowest else "UNKNOWN"}


def _match(
    ctx: click.Context,
    packages: Sequence[Package],
    os_info: OSInfo | None,
    target: str,
    severities: frozenset[Severity],
    kwargs: dict[str, Any],
) -> VulnReport:
    from hullguard.cli.options import resolve_db_path
    from hullguard.cli.vuln_options import vuln_options_from_kwargs
    from hullguard.match import scan_packages
    from hullguard.vulndb import open_db

    options = vuln_options_from_kwargs(_vuln_kwargs(kwargs, severities), dt.date.today())
    with open_db(resolve_db_path(ctx.find_root(), kwargs.get("db"))) as db:
        report = scan_packages(packages, os_info, db, options, target=target)
    for warning in report.warnings:
        click.echo(f"hullguard: warning: {warning}", err=True)
    return report


def _render_vulns(
    report: VulnReport, fmt: str, kwargs: dict[str, Any], ref: str, history: Sequence[str]
) -> str:
    from hullguard.cli.vuln_options import render_context_from_kwargs
    from hullguard.report.vuln_formats import VulnFormat, render_vulns

    context = render_context_from_kwargs(kwargs, ref, history)
    return render_vulns(report, VulnFormat(fmt), context)


def _code(report: VulnReport | None, found: bool) -> int:
    if report is not None and report.decision.exit_code:
        return 1
    return -1 if found else 0


def run_sbom_scan(
    ctx: click.Context,
    path: str,
    fmt: OutputFormat,
    severities: frozenset[Severity],
    kwargs: dict[str, Any],
) -> tuple[str, int]:
    """``scan --sbom FILE``: vulnerabilities of the packages an SBOM lists."""
    from hullguard.catalog.sbom_input import read_sbom
    from hullguard.errors import UsageError

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read SBOM {path}: {exc.strerror}") from None
    parsed = read_sbom(data)
    report = _match(ctx, parsed.packages, parsed.os_info, path, severities, kwargs)
    text = _render_vulns(report, fmt.value, kwargs, path, [])
    return text, _code(report, bool(report.displayed))


def run_image_scan(
    ctx: click.Context,
    target: Target,
    scanners: tuple[Scanner, ...],
    options: ScanOptions,
    fmt: OutputFormat,
    kwargs: dict[str, Any],
) -> tuple[str, int]:
    """Report text and the exit decision (1 gate failed, -1 findings, 0 nothing)."""
    from hullguard.cli.scan_cmd import OutputFormat, Scanner

    parse_reference(target.ref)  # a malformed reference is a usage error before anything else
    if Scanner.VULN in scanners:  # fail fast, before reading any layer, when there is no DB
        from hullguard.cli.options import resolve_db_path
        from hullguard.vulndb import open_db

        open_db(resolve_db_path(ctx.find_root(), kwargs.get("db"))).close()
        prewarm.soon("hullguard.match", "hullguard.report.vuln_formats")
    registry = registry_options_from_kwargs(kwargs, build_limits(kwargs))
    image = open_image(target.ref, build_open_options(kwargs, registry))
    progress = RichProgress(enabled=not (ctx.find_root().obj or {}).get("quiet"))
    want_secrets = Scanner.SECRET in scanners
    want_misconfig = Scanner.MISCONFIG in scanners
    try:
        result = scan_image(
            image,
            want_packages=Scanner.VULN in scanners or want_misconfig,
            secret_scanner=_secret_scanner(options) if want_secrets else None,
            cache=build_cache(ctx, kwargs),
            progress=progress,
        )
    finally:
        progress.close()
        image.close()
    secrets = [s for s in result.secrets if s.match.severity in options.severities]
    misconfig: list[ImageFinding] | None = None
    if want_misconfig and result.view is not None:
        from hullguard.audit.image_config import audit_image

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
    report: VulnReport | None = None
    history = [h.created_by for h in image.config.history]
    if Scanner.VULN in scanners and result.catalog is not None:
        report = _match(
            ctx, result.catalog.packages, result.catalog.os_info, target.ref,
            options.severities, kwargs,
        )  # fmt: skip
    found = bool(secrets) or bool(misconfig) or bool(report and report.displayed)
    code = _code(report, found)
    if fmt not in (OutputFormat.JSON, OutputFormat.TABLE):
        assert report is not None
        return _render_vulns(report, fmt.value, kwargs, target.ref, history), code
    if fmt is OutputFormat.JSON:
        doc = json.loads(_json(meta, scanners, secrets, result))
        if not want_secrets:
            doc.pop("secrets", None)
        if misconfig is not None:
            doc["misconfigurations"] = {
                "findings": [f.to_json() for f in misconfig],
                "summary": {"total": len(misconfig)},
            }
        if report is not None:
            doc["vulnerabilities"] = json.loads(
                _render_vulns(report, "json", kwargs, target.ref, history)
            )
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", code
    text = ""
    if report is not None:
        text += _render_vulns(report, "table", kwargs, target.ref, history) + "\n"
    text += _table(meta, secrets, want_secrets)
    if misconfig is not None:
        from hullguard.audit.image_config import render_lines

        text += "\n" + "\n".join(render_lines(misconfig)) + "\n"
    return text, code


def _secret_scanner(options: ScanOptions) -> SecretScanner:
    # imported here: the engine (hyperscan, RE2, the rule file) is for scans that want secrets
    from hullguard.secrets.scanner import SecretScanner

    return SecretScanner(options.secret_config)


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
