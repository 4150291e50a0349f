"""Matching packages against advisories, suppression (ignore file, VEX) and the gate.

Entry point: :func:`scan_packages`.
"""

from hullguard.match.gate import decide, displayed
from hullguard.match.matcher import match_packages
from hullguard.match.model import (
    EolNotice,
    Finding,
    FindingStatus,
    GateDecision,
    IgnoreRule,
    Skipped,
    Suppression,
    VexStatement,
    VulnOptions,
    VulnReport,
)
from hullguard.match.scan import load_ignore_files, load_vex_files, scan_packages
from hullguard.match.suppress import SuppressionError, parse_ignore_file
from hullguard.match.vex import parse_vex

__all__ = [
    "EolNotice",
    "Finding",
    "FindingStatus",
    "GateDecision",
    "IgnoreRule",
    "Skipped",
    "Suppression",
    "SuppressionError",
    "VexStatement",
    "VulnOptions",
    "VulnReport",
    "decide",
    "displayed",
    "load_ignore_files",
    "load_vex_files",
    "match_packages",
    "parse_ignore_file",
    "parse_vex",
    "scan_packages",
]
