"""What a Kubernetes check sees: one pod spec, the profile, and a way to emit findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hullguard.audit.interface import Finding, Profile, RuleId
from hullguard.audit.k8s_objects import ContainerRef, PodTarget
from hullguard.audit.nodes import Pos, get_map, get_str
from hullguard.audit.rules import rule


@dataclass(frozen=True)
class PodContext:
    """One pod spec under audit."""

    target: PodTarget
    profile: Profile
    file: str
    #: ServiceAccounts declared in the same input with token automount disabled
    tokenless_accounts: frozenset[str] = frozenset()

    @property
    def spec(self) -> Mapping[str, Any]:
        return self.target.spec

    @property
    def pod_sc(self) -> Mapping[str, Any]:
        return get_map(self.spec, "securityContext") or {}

    @property
    def windows(self) -> bool:
        """``spec.os.name: windows``: the Linux-only restricted controls do not apply."""
        return get_str(get_map(self.spec, "os"), "name") == "windows"

    def spec_pos(self, key: str | None = None) -> Pos:
        loc = self.target.locator
        start = loc.key(self.target.holder, "spec")
        return loc.key(self.spec, key, start) if key else start

    def pod_sc_pos(self, key: str | None = None) -> Pos:
        sc = get_map(self.spec, "securityContext")
        if sc is None:
            return self.spec_pos()
        base = self.spec_pos("securityContext")
        return self.target.locator.key(sc, key, base) if key else base

    def container_pos(self, ref: ContainerRef, *keys: str) -> Pos:
        """Position of ``keys`` (a path) inside a container, or of the deepest part present."""
        loc = self.target.locator
        pos = loc.item(ref.seq, ref.index, self.spec_pos(ref.group))
        node: Any = ref.container
        for key in keys:
            if not isinstance(node, Mapping) or key not in node:
                return pos
            pos = loc.key(node, key, pos)
            node = node[key]
        return pos

    def finding(
        self,
        rule_id: str,
        pos: Pos,
        field: str,
        message: str,
        container: str = "",
    ) -> Finding:
        r = rule(rule_id)
        return Finding(
            file=self.file,
            line=pos[0],
            column=pos[1],
            rule_id=RuleId(r.id),
            resource=self.target.resource,
            container=container,
            field=field,
            message=message,
            severity=r.severity,
        )


PodCheck = Callable[[PodContext], Iterable[Finding]]


def sc_of(ref: ContainerRef) -> Mapping[str, Any]:
    """A container's securityContext (empty when absent)."""
    return get_map(ref.container, "securityContext") or {}
