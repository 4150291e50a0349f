"""The CI gate: a pure function from findings to an exit decision and counts.

``--fail-on`` is independent of the ``--severity`` display filter: the gate
looks at every unsuppressed finding (minus unfixed ones with
``--ignore-unfixed``), so "show everything, fail only on CRITICAL" works.
Exit codes: 0 pass, 1 findings at or above the threshold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hullguard.match.model import Finding, FindingStatus, GateDecision
from hullguard.vulndb.interface import Severity

EXIT_OK = 0
EXIT_FINDINGS = 1


def counted(findings: Sequence[Finding], ignore_unfixed: bool) -> list[Finding]:
    """The findings the gate and the summary consider."""
    if not ignore_unfixed:
        return list(findings)
    return [f for f in findings if f.status is FindingStatus.FIXED]


def displayed(
    findings: Sequence[Finding], minimum: Severity, ignore_unfixed: bool
) -> list[Finding]:
    """The findings a report shows (``--severity`` and ``--ignore-unfixed``)."""
    shown = counted(findings, ignore_unfixed)
    if minimum.rank == 0:  # UNKNOWN, the default: every severity is at least that
        return shown
    return [f for f in shown if f.severity.rank >= minimum.rank]


def decide(
    findings: Sequence[Finding],
    suppressed: int,
    fail_on: Severity | None,
    ignore_unfixed: bool,
) -> GateDecision:
    """Exit decision and per-severity summary (highest severity first)."""
    considered = counted(findings, ignore_unfixed)
    tally = Counter(f.severity for f in considered)  # one pass over the findings
    counts = tuple((sev, tally[sev]) for sev in sorted(Severity, key=lambda s: -s.rank))
    blocking = (
        [f for f in considered if f.severity.rank >= fail_on.rank] if fail_on is not None else []
    )
    reasons = tuple(
        sorted(
            {
                f"{f.vuln_id} in {f.package_name} {f.package_version} ({f.severity})"
                for f in blocking
            }
        )
    )
    return GateDecision(
        failed=bool(blocking),
        exit_code=EXIT_FINDINGS if blocking else EXIT_OK,
        threshold=fail_on,
        counts=counts,
        suppressed=suppressed,
        reasons=reasons,
    )
