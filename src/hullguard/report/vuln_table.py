"""Vulnerability table for terminals: grouped by package and layer, worst first.

Header lines say what was scanned, how old the data is and the per-severity
summary (with the number of suppressed findings); each package group names its
layer and the history step that added it, then one row per vulnerability.
"""

from __future__ import annotations

from collections import defaultdict

from hullguard.match.model import Finding, VulnReport
from hullguard.report.vuln_json import RenderContext

_COLUMNS = ("SEVERITY", "ID", "STATUS", "INSTALLED", "FIXED IN", "TITLE")


def _group_title(finding: Finding) -> str:
    where = []
    if finding.layer_index is not None:
        where.append(f"layer {finding.layer_index}")
    if finding.created_by:
        step = " ".join(finding.created_by.split())
        where.append(step if len(step) <= 70 else step[:67] + "...")
    paths = sorted({e.path for e in finding.evidence})
    head = f"{finding.package_name} {finding.package_version} ({finding.package_type.value})"
    extra = f"  [{'; '.join(where)}]" if where else ""
    path = f"  {paths[0]}" if paths else ""
    return f"{head}{extra}{path}"


def _rows(findings: list[Finding]) -> list[tuple[str, ...]]:
    return [
        (
            f.severity.value,
            f.vuln_id,
            f.status.value,
            f.installed_version,
            ", ".join(f.fixed_versions) or "-",
            f.title[:60],
        )
        for f in findings
    ]


def _format(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    return [
        "  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in [_COLUMNS, *rows]
    ]


def _header(report: VulnReport) -> list[str]:
    age = f", {report.db_age_hours} h old" if report.db_age_hours is not None else ""
    lines = [
        f"Target: {report.target or '-'}   OS: {report.os_namespace or '-'}   "
        f"Packages: {report.package_count}",
        f"Database: built {report.db_built_at or 'unknown'}{age}",
        report.decision.summary_line(),
    ]
    lines += [f"WARNING: {w}" for w in report.warnings]
    lines += [f"END-OF-LIFE: {n.package or n.namespace} since {n.end_date} {n.details}".rstrip()
              for n in report.eol]  # fmt: skip
    if report.skipped:
        lines.append(f"Skipped: {len(report.skipped)} (unparsable versions; see JSON output)")
    return lines


def render_table(report: VulnReport, context: RenderContext | None = None) -> str:
    lines = _header(report)
    groups: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for f in report.displayed:
        groups[(f.package_name, f.package_version, f.purl)].append(f)
    ordered = sorted(groups.values(), key=lambda fs: (min(f.sort_key() for f in fs), fs[0].purl))
    for findings in ordered:
        lines += ["", _group_title(findings[0]), *_format(_rows(findings))]
    if not report.displayed:
        lines += ["", "No vulnerabilities to show."]
    if report.suppressed:
        lines += [
            "",
            f"{len(report.suppressed)} suppressed finding(s) (see JSON/SARIF for reasons)",
        ]
    if report.decision.threshold is not None:
        verdict = "FAILED" if report.decision.failed else "passed"
        lines.append(f"Gate (--fail-on {report.decision.threshold.value}): {verdict}")
    return "\n".join(lines) + "\n"
