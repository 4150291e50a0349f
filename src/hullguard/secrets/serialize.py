"""The stable JSON form of secret findings (documented in docs/secrets.md).

Keys never change meaning; new keys may be added. Values are redacted: the
dict carries the excerpt, the length and the fingerprint, never the secret.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hullguard.model.severity import Severity
from hullguard.secrets.interface import SecretMatch
from hullguard.secrets.remediation import advice

JsonValue = str | int | None


def match_to_dict(match: SecretMatch) -> dict[str, JsonValue]:
    """One finding as a flat JSON object."""
    return {
        "rule_id": match.rule_id,
        "category": match.category.value,
        "severity": match.severity.value,
        "title": match.title,
        "path": match.path,
        "line": match.line,
        "column": match.column,
        "redacted": match.redacted,
        "length": match.length,
        "fingerprint": match.fingerprint,
        "note": match.note,
        "remediation": advice(match),
    }


def severity_counts(matches: Sequence[SecretMatch]) -> dict[str, int]:
    """Findings per severity, every level present (CRITICAL first)."""
    counts = Counter(m.severity for m in matches)
    return {s.value: counts.get(s, 0) for s in sorted(Severity, key=lambda s: -s.rank)}
