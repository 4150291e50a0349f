"""Finding severity shared by every scanner (secrets, vulnerabilities, lint).

The five levels and their names follow Trivy's, so reports and policies read the
same across tools. ``rank`` gives the total order used for sorting and thresholds.
"""

from __future__ import annotations

from enum import StrEnum

from hullguard.errors import UsageError


class Severity(StrEnum):
    """How bad a finding is, from UNKNOWN (lowest) to CRITICAL."""

    UNKNOWN = "UNKNOWN"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        """0 for UNKNOWN up to 4 for CRITICAL."""
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Case-insensitive parse; raises :class:`UsageError` naming the valid values."""
        try:
            return cls(text.strip().upper())
        except ValueError:
            valid = ", ".join(s.value for s in cls)
            raise UsageError(f"unknown severity {text!r}", hint=f"use one of: {valid}") from None


_RANK = {s: i for i, s in enumerate(Severity)}
