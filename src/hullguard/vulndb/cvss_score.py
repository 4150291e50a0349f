"""CVSS vectors -> (score, severity), via the ``cvss`` library (v2, v3.x, v4.0).

A vector that does not parse gives ``None``: the advisory keeps its vector and
an UNKNOWN severity instead of a guessed one.
"""

from __future__ import annotations

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from hullguard.vulndb.interface import Severity


def score_vector(vector: str) -> tuple[float, Severity] | None:
    """Base score and qualitative severity of a CVSS vector, or None."""
    vector = vector.strip()
    try:
        if vector.startswith("CVSS:4"):
            v4 = CVSS4(vector)
            return float(v4.base_score), Severity.from_vendor(str(v4.severity))
        if vector.startswith("CVSS:3"):
            v3 = CVSS3(vector)
            return float(v3.scores()[0]), Severity.from_vendor(str(v3.severities()[0]))
        if vector:
            v2 = CVSS2(vector.removeprefix("CVSS:2.0/"))
            score = float(v2.scores()[0])
            return score, _v2_severity(score)
    except (CVSSError, ValueError, KeyError, IndexError):
        return None
    return None


def _v2_severity(score: float) -> Severity:
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    return Severity.LOW if score > 0 else Severity.NEGLIGIBLE


def vector_label(vector: str) -> str:
    """``CVSS:3.1`` / ``CVSS:4.0`` / ``CVSS:2.0`` (v2 vectors carry no prefix), ``""`` if none."""
    vector = vector.strip()
    if vector.startswith("CVSS:"):
        return vector.split("/", 1)[0]
    return "CVSS:2.0" if vector.startswith("AV:") else ""


_PREFERENCE = ("CVSS_V4", "CVSS_V3", "CVSS_V2")


def best_vector(severity_list: object) -> str:
    """The newest CVSS vector of an OSV ``severity`` list (``""`` when none)."""
    if not isinstance(severity_list, list):
        return ""
    found = {
        str(item.get("type")): str(item.get("score", ""))
        for item in severity_list
        if isinstance(item, dict)
    }
    for kind in _PREFERENCE:
        if found.get(kind, "").startswith(("CVSS:", "AV:")):
            return found[kind]
    return ""
