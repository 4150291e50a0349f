"""Rule registries: one per lint target, keyed by rule id, with alias lookup.

Rules register themselves at import time; the engine asks the registry of its
target for every rule, and users name rules by id, slug or alias (``DL3007``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

from hullguard.lint.interface import LintUsageError, Rule, RuleId, RuleMeta

T = TypeVar("T")
C = TypeVar("C")


class LintTarget(StrEnum):
    """Kinds of input the lint family checks."""

    DOCKERFILE = "dockerfile"


class RuleRegistry(Generic[T, C]):
    """The rules of one target, in id order."""

    def __init__(self, target: LintTarget) -> None:
        self.target = target
        self._rules: dict[RuleId, Rule[T, C]] = {}
        self._names: dict[str, RuleId] = {}

    def register(self, rule: Rule[T, C]) -> Rule[T, C]:
        """Add ``rule``; ids, slugs and aliases must be unique within the target."""
        meta = rule.meta
        if meta.id in self._rules:
            raise LintUsageError(f"rule id {meta.id} registered twice")
        for key in (meta.id, meta.name, *meta.aliases):
            if key.lower() in self._names:
                raise LintUsageError(f"rule name or alias {key!r} registered twice")
            self._names[key.lower()] = meta.id
        self._rules[meta.id] = rule
        return rule

    def rules(self) -> tuple[Rule[T, C], ...]:
        """Every rule, sorted by id."""
        return tuple(self._rules[k] for k in sorted(self._rules))

    def metas(self) -> tuple[RuleMeta, ...]:
        """Metadata of every rule, sorted by id."""
        return tuple(rule.meta for rule in self.rules())

    def meta(self, rule_id: RuleId) -> RuleMeta:
        """Metadata of one registered rule."""
        return self._rules[rule_id].meta

    def resolve(self, name: str) -> RuleId | None:
        """The rule id named by an id, slug or alias (case-insensitive), if any."""
        return self._names.get(name.strip().lower())

    def resolve_all(self, names: tuple[str, ...] | list[str]) -> frozenset[RuleId]:
        """Resolve user-given rule names; an unknown name is a usage error."""
        out: set[RuleId] = set()
        for name in names:
            rule_id = self.resolve(name)
            if rule_id is None:
                raise LintUsageError(
                    f"unknown {self.target} rule {name!r}",
                    hint="see docs/lint.md for rule ids, names and hadolint aliases",
                )
            out.add(rule_id)
        return frozenset(out)
