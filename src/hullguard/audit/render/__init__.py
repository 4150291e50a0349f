"""Audit report renderers, chosen by :class:`OutputFormat` through :data:`RENDERERS`."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from hullguard.audit.interface import AuditReport
from hullguard.audit.render.json_out import render_json
from hullguard.audit.render.sarif import render_sarif
from hullguard.audit.render.table import render_table


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


#: format -> renderer(report, color) -> text
RENDERERS: dict[OutputFormat, Callable[[AuditReport, bool], str]] = {
    OutputFormat.TABLE: render_table,
    OutputFormat.JSON: lambda report, _color: render_json(report),
    OutputFormat.SARIF: lambda report, _color: render_sarif(report),
}

__all__ = ["RENDERERS", "OutputFormat"]
