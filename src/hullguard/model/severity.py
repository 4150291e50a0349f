"""Finding severity shared by every scanner (secrets, vulnerabilities, lint).

The levels and their names follow Trivy's, so reports and policies read the
same across tools, plus ``NEGLIGIBLE`` (between UNKNOWN and LOW) for what the
Debian tracker calls ``unimportant`` and a CVSS score of 0; only vulnerability
data produces it. ``rank`` gives the total order used for sorting and
thresholds. :meth:`Severity.parse` is the strict user-input parser;
:meth:`Severity.from_vendor` maps a data source's word (``moderate``,
``important``, ``low**``) and never fails.
"""

from __future__ import annotations

from enum import StrEnum

from hullguard.errors import UsageError


class Severity(StrEnum):
    """How bad a finding is, from UNKNOWN (lowest) to CRITICAL."""

    UNKNOWN = "UNKNOWN"
    NEGLIGIBLE = "NEGLIGIBLE"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        """0 for UNKNOWN up to 5 for CRITICAL."""
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Case-insensitive parse; raises :class:`UsageError` naming the valid values."""
        try:
            return cls(text.strip().upper())
        except ValueError:
            valid = ", ".join(s.value for s in cls)
            raise UsageError(f"unknown severity {text!r}", hint=f"use one of: {valid}") from None

    @classmethod
    def from_vendor(cls, text: str) -> Severity:
        """A vendor/CVSS word (``moderate``, ``important``, ``low**``) -> Severity.

        Words no source defines give UNKNOWN (nothing is guessed).
        """
        word = text.strip().strip("*").strip().upper()
        return _VENDOR_WORDS.get(word, cls.UNKNOWN)


_RANK = {s: i for i, s in enumerate(Severity)}
_VENDOR_WORDS = {s.value: s for s in Severity} | {
    "MODERATE": Severity.MEDIUM,
    "IMPORTANT": Severity.HIGH,
    "UNIMPORTANT": Severity.NEGLIGIBLE,
    "NONE": Severity.NEGLIGIBLE,
}
