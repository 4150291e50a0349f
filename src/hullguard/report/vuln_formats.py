"""Registry of vulnerability report formats (``--format`` values -> renderer)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from hullguard.match.model import VulnReport
from hullguard.report.vuln_cyclonedx import render_cyclonedx_vulns
from hullguard.report.vuln_json import RenderContext, render_json
from hullguard.report.vuln_junit import render_junit
from hullguard.report.vuln_markdown import render_markdown
from hullguard.report.vuln_sarif import render_sarif
from hullguard.report.vuln_table import render_table


class VulnFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    CYCLONEDX = "cyclonedx"
    JUNIT = "junit"
    MARKDOWN = "markdown"


Renderer = Callable[[VulnReport, RenderContext | None], str]

VULN_RENDERERS: dict[VulnFormat, Renderer] = {
    VulnFormat.TABLE: render_table,
    VulnFormat.JSON: render_json,
    VulnFormat.SARIF: render_sarif,
    VulnFormat.CYCLONEDX: render_cyclonedx_vulns,
    VulnFormat.JUNIT: render_junit,
    VulnFormat.MARKDOWN: render_markdown,
}


def render_vulns(report: VulnReport, fmt: VulnFormat, context: RenderContext | None = None) -> str:
    """Render ``report`` in ``fmt``."""
    return VULN_RENDERERS[fmt](report, context)
