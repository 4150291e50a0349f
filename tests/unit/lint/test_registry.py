from __future__ import annotations

from collections.abc import Iterator

import pytest

from hullguard.lint.dockerfile.ruleset import DOCKERFILE_RULES
from hullguard.lint.interface import Finding, LintUsageError, RuleId, RuleMeta, Severity
from hullguard.lint.registry import LintTarget, RuleRegistry


class _Rule:
    def __init__(self, meta: RuleMeta) -> None:
        self._meta = meta

    @property
    def meta(self) -> RuleMeta:
        return self._meta

    def check(self, target: str, context: None) -> Iterator[Finding]:
        yield from ()


def test_lookup_by_id_name_and_alias_case_insensitive() -> None:
    assert DOCKERFILE_RULES.resolve("hgd002") == "HGD002"
    assert DOCKERFILE_RULES.resolve("base-image-latest") == "HGD002"
    assert DOCKERFILE_RULES.resolve("dl3007") == "HGD002"
    assert DOCKERFILE_RULES.resolve("DL3008") is None
    with pytest.raises(LintUsageError, match="unknown dockerfile rule"):
        DOCKERFILE_RULES.resolve_all(["HGD002", "nope"])


def test_ids_names_and_aliases_are_unique() -> None:
    registry: RuleRegistry[str, None] = RuleRegistry(LintTarget.DOCKERFILE)
    registry.register(_Rule(RuleMeta(RuleId("X1"), "one", Severity.LOW, "One.", ("DL1",))))
    with pytest.raises(LintUsageError):
        registry.register(_Rule(RuleMeta(RuleId("X2"), "two", Severity.LOW, "Two.", ("dl1",))))
    with pytest.raises(LintUsageError):
        registry.register(_Rule(RuleMeta(RuleId("X1"), "three", Severity.LOW, "Three.")))


def test_severity_order_and_scores() -> None:
    ordered = sorted(Severity, key=lambda s: s.rank)
    assert ordered == [
        Severity.INFO,
        Severity.LOW,
        Severity.MEDIUM,
        Severity.HIGH,
        Severity.CRITICAL,
    ]
    assert Severity.HIGH.at_least(Severity.MEDIUM) and not Severity.LOW.at_least(Severity.MEDIUM)
    assert [float(s.security_severity) for s in ordered] == sorted(
        float(s.security_severity) for s in ordered
    )
