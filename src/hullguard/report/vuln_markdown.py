"""Markdown summary for pull-request comments.

A verdict line, the per-severity counts as a table, then the worst findings
(at most :data:`MAX_ROWS`, the rest counted), suppressed and skipped counts and
warnings. Pipes in cells are escaped.
"""

from __future__ import annotations

from hullguard.match.model import VulnReport
from hullguard.report.vuln_json import RenderContext

MAX_ROWS = 50


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: VulnReport, context: RenderContext | None = None) -> str:
    decision = report.decision
    if decision.threshold is None:
        verdict = "no gate threshold set"
    else:
        verdict = ("**FAILED**" if decision.failed else "passed") + (
            f" (fail on {decision.threshold.value} and above)"
        )
    lines = [
        f"### hullguard vulnerabilities: {_cell(report.target or 'target')}",
        "",
        f"Gate: {verdict}. Database built {report.db_built_at or 'unknown'}.",
        "",
        "| Severity | Count |",
        "|---|---:|",
        *[f"| {s.value} | {n} |" for s, n in decision.counts],
        f"| suppressed | {decision.suppressed} |",
        "",
    ]
    shown = report.displayed[:MAX_ROWS]
    if shown:
        lines += [
            "| Severity | ID | Package | Installed | Fixed in | Status |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {f.severity.value} | {_cell(f.vuln_id)} | {_cell(f.package_name)} | "
            f"{_cell(f.installed_version)} | {_cell(', '.join(f.fixed_versions) or '-')} | "
            f"{f.status.value} |"
            for f in shown
        ]
    if len(report.displayed) > MAX_ROWS:
        lines.append(f"\n…and {len(report.displayed) - MAX_ROWS} more.")
    if report.skipped:
        lines.append(f"\n{len(report.skipped)} package/advisory pair(s) skipped (unparsable).")
    lines += [f"\n> **Warning:** {_cell(w)}" for w in report.warnings]
    return "\n".join(lines) + "\n"
