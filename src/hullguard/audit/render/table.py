"""Human table (rich): one row per finding, worst first, and a summary line."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hullguard.audit.interface import AuditReport, Severity

STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render_table(report: AuditReport, color: bool = False) -> str:
    findings = sorted(report.findings, key=lambda f: (-f.severity.rank, f))
    out = io.StringIO()
    console = Console(
        file=out,
        width=140,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
    )
    if findings:
        table = Table(show_lines=False, expand=False)
        for column in ("Severity", "Rule", "Location", "Resource", "Message"):
            table.add_column(column, overflow="fold")
        for f in findings:
            where = f"{f.file}:{f.line}"
            resource = f.resource + (f" [{f.container}]" if f.container else "")
            table.add_row(
                f"[{STYLE[f.severity]}]{f.severity.upper()}[/]",
                f.rule_id,
                escape(where),
                escape(resource),
                escape(f.message),
            )
        console.print(table)
    counts = {s: sum(1 for f in findings if f.severity is s) for s in reversed(Severity)}
    parts = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    files = len(report.files)
    console.print(
        escape(
            f"{len(findings)} finding(s) in {files} file(s) "
            f"(profile {report.profile})" + (f": {parts}" if parts else "")
        )
    )
    return out.getvalue()
