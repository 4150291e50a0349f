"""Human table output (rich): one table per file, then a one-line summary."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hullguard.lint.interface import Severity
from hullguard.lint.output.common import Report

_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "green",
}


def render(report: Report) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=report.width,
        force_terminal=report.color,
        color_system="standard" if report.color else None,
        highlight=False,
    )
    for result in sorted(report.results, key=lambda r: r.file):
        active = [f for f in report.visible(result) if not f.suppressed]
        if not active:
            console.print(f"{result.file}: no findings")
            continue
        table = Table(title=escape(result.file), title_justify="left", show_lines=False)
        table.add_column("Line", justify="right", no_wrap=True)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Rule", no_wrap=True)
        table.add_column("Message")
        for finding in active:
            table.add_row(
                str(finding.line),
                f"[{_STYLE[finding.severity]}]{finding.severity.value}[/]",
                finding.rule_id,
                escape(finding.message),
                end_section=False,
            )
        console.print(table)
    counts = report.counts()
    parts = [f"{counts[s.value]} {s.value}" for s in Severity]
    verdict = "PASSED" if report.passed else f"FAILED (findings at or above {report.fail_on.value})"
    console.print(f"{', '.join(parts)}; {counts['suppressed']} suppressed. {verdict}", markup=False)
    return buffer.getvalue()
