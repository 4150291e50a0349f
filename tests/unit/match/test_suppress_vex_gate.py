"""Ignore rules (incl. expiry), OpenVEX / CycloneDX VEX, and the gate."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest

from hullguard.match import (
    FindingStatus,
    SuppressionError,
    decide,
    displayed,
    parse_ignore_file,
    parse_vex,
)
from hullguard.match.model import Finding
from hullguard.match.suppress import apply_suppressions
from hullguard.vulndb.interface import Severity

Mk = Callable[..., Finding]

TODAY = date(2026, 6, 1)


def test_ignore_rule_suppresses_and_keeps_reason(mk: Mk) -> None:
    rules = parse_ignore_file(
        b"- id: CVE-2024-0001\n  reason: not reachable\n  package: openssl\n", ".hullguardignore"
    )
    active, suppressed, warnings = apply_suppressions([mk()], rules, (), TODAY)
    assert active == [] and warnings == []
    assert suppressed[0].suppression is not None
    assert suppressed[0].suppression.reason == "not reachable"
    assert suppressed[0].suppression.kind == "ignore-file"


def test_ignore_rule_matches_alias_purl_and_path(mk: Mk) -> None:
    finding = mk("GHSA-xxxx", aliases=("CVE-2024-9",))
    text = (
        b"rules:\n- id: CVE-2024-9\n  reason: r\n  purl: pkg:deb/debian/openssl\n"
        b"  path: /var/lib/dpkg/*\n"
    )
    _, suppressed, _ = apply_suppressions([finding], parse_ignore_file(text, "f"), (), TODAY)
    assert len(suppressed) == 1
    other_path = b"- id: CVE-2024-9\n  reason: r\n  path: /usr/lib/*\n"
    active, _, _ = apply_suppressions([finding], parse_ignore_file(other_path, "f"), (), TODAY)
    assert active == [finding]
    other_version = b"- id: CVE-2024-9\n  reason: r\n  purl: pkg:deb/debian/openssl@1.0\n"
    active, _, _ = apply_suppressions([finding], parse_ignore_file(other_version, "f"), (), TODAY)
    assert active == [finding]


def test_expired_rule_stops_applying_and_warns(mk: Mk) -> None:
    rules = parse_ignore_file(
        b"- id: CVE-2024-0001\n  reason: temporary\n  expires: 2026-05-31\n", "ign"
    )
    active, suppressed, warnings = apply_suppressions([mk()], rules, (), TODAY)
    assert len(active) == 1 and suppressed == []
    assert warnings == [
        "ignore rule for CVE-2024-0001 in ign expired on 2026-05-31; it no longer applies"
    ]
    still = parse_ignore_file(b"- id: CVE-2024-0001\n  reason: t\n  expires: 2026-06-02\n", "ign")
    _, suppressed, _ = apply_suppressions([mk()], still, (), TODAY)
    assert suppressed[0].suppression and suppressed[0].suppression.expires == "2026-06-02"


@pytest.mark.parametrize(
    "text",
    [
        b"- id: CVE-1\n",  # no reason
        b"- id: CVE-1\n  reason: x\n  pakage: typo\n",  # unknown key
        b"- id: CVE-1\n  reason: x\n  expires: soon\n",
        b"{not: [valid",
        b"42",
    ],
)
def test_bad_ignore_files_are_usage_errors(text: bytes) -> None:
    with pytest.raises(SuppressionError) as info:
        parse_ignore_file(text, "bad.yaml")
    assert "bad.yaml" in info.value.diagnostics()
    assert info.value.exit_code == 2


OPENVEX = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://example.invalid/vex/1",
    "author": "test",
    "timestamp": "2026-01-01T00:00:00Z",
    "version": 1,
    "statements": [
        {
            "vulnerability": {"name": "CVE-2024-0001"},
            "products": [
                {
                    "@id": "pkg:oci/app@sha256:" + "b" * 64,
                    "subcomponents": [{"@id": "pkg:deb/debian/openssl@3.0.9-1"}],
                }
            ],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
        },
        {
            "vulnerability": {"name": "CVE-2024-0002"},
            "products": [{"@id": "pkg:oci/app"}],
            "status": "affected",
        },
        {"vulnerability": "CVE-2024-0003", "products": ["pkg:oci/app"], "status": "fixed"},
    ],
}


def test_openvex_not_affected_and_fixed_suppress(mk: Mk) -> None:
    vex = parse_vex(json.dumps(OPENVEX).encode(), "app.openvex.json")
    findings = [mk("CVE-2024-0001"), mk("CVE-2024-0002"),
                mk("CVE-2024-0003")]  # fmt: skip
    active, suppressed, _ = apply_suppressions(findings, (), vex, TODAY)
    assert [f.vuln_id for f in active] == ["CVE-2024-0002"]
    reasons = {f.vuln_id: f.suppression.reason for f in suppressed if f.suppression}
    assert reasons == {
        "CVE-2024-0001": "not_affected: vulnerable_code_not_in_execute_path",
        "CVE-2024-0003": "fixed",
    }
    other_pkg = mk("CVE-2024-0001", purl="pkg:deb/debian/curl@7.88.1-10")
    active, _, _ = apply_suppressions([other_pkg], (), vex, TODAY)
    assert active == [other_pkg]  # the subcomponent restricts the statement


def test_cyclonedx_vex(mk: Mk) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {
                "bom-ref": "ssl",
                "type": "library",
                "name": "openssl",
                "purl": "pkg:deb/debian/openssl@3.0.9-1",
            }
        ],
        "vulnerabilities": [
            {
                "id": "CVE-2024-0001",
                "analysis": {"state": "not_affected", "detail": "no TLS"},
                "affects": [{"ref": "ssl"}],
            },
            {
                "id": "CVE-2024-0002",
                "analysis": {"state": "exploitable"},
                "affects": [{"ref": "ssl"}],
            },
        ],
    }
    vex = parse_vex(json.dumps(doc).encode(), "bom.vex.json")
    findings = [mk("CVE-2024-0001"), mk("CVE-2024-0002")]
    active, suppressed, _ = apply_suppressions(findings, (), vex, TODAY)
    assert [f.vuln_id for f in active] == ["CVE-2024-0002"]
    assert suppressed[0].suppression and suppressed[0].suppression.kind == "cyclonedx-vex"


def test_vex_garbage_is_a_usage_error() -> None:
    with pytest.raises(SuppressionError):
        parse_vex(b'{"hello": 1}', "x.json")
    with pytest.raises(SuppressionError):
        parse_vex(b"not json", "x.json")


def test_gate_is_independent_of_display_filter(mk: Mk) -> None:
    findings = [
        mk("CVE-1", Severity.CRITICAL),
        mk("CVE-2", Severity.HIGH, FindingStatus.AFFECTED_NO_FIX),
        mk("CVE-3", Severity.LOW),
        mk("CVE-4", Severity.UNKNOWN),
    ]
    shown = displayed(findings, Severity.LOW, ignore_unfixed=False)
    assert [f.vuln_id for f in shown] == ["CVE-1", "CVE-2", "CVE-3"]
    critical_only = decide(findings, 2, Severity.CRITICAL, ignore_unfixed=False)
    assert critical_only.failed and critical_only.exit_code == 1
    assert critical_only.reasons == ("CVE-1 in openssl 3.0.9-1 (CRITICAL)",)
    counts = dict(critical_only.counts)
    assert counts[Severity.CRITICAL] == 1 and counts[Severity.UNKNOWN] == 1
    assert critical_only.suppressed == 2
    no_crit = decide(findings[1:], 0, Severity.CRITICAL, ignore_unfixed=False)
    assert not no_crit.failed and no_crit.exit_code == 0
    high_fixed_only = decide(findings[1:], 0, Severity.HIGH, ignore_unfixed=True)
    assert not high_fixed_only.failed  # the HIGH one has no fix
    assert decide(findings[1:], 0, Severity.HIGH, ignore_unfixed=False).failed
    assert not decide(findings, 0, None, ignore_unfixed=False).failed
    assert "suppressed: 2" in critical_only.summary_line()
