"""Gate policy model: what a security team decides, and the decision it yields."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from hullguard.audit.interface import Profile
from hullguard.model.severity import Severity
from hullguard.secrets.interface import SecretCategory
from hullguard.sign.policy import PolicySet


class Action(StrEnum):
    """What a matching finding does to the decision."""

    BLOCK = "block"
    REVIEW = "review"
    TRACK = "track"
    LOG = "log"


class Verdict(StrEnum):
    """The one decision of a gate run; ordered allow < review < block."""

    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return list(Verdict).index(self)


VERDICT_OF: dict[Action, Verdict] = {
    Action.BLOCK: Verdict.BLOCK,
    Action.REVIEW: Verdict.REVIEW,
    Action.TRACK: Verdict.ALLOW,
    Action.LOG: Verdict.ALLOW,
}


@dataclass(frozen=True)
class VulnException:
    """An accepted vulnerability: who accepted it, why, and until when."""

    vuln_id: str
    owner: str
    reason: str
    expires: dt.date
    package: str | None = None


@dataclass(frozen=True)
class VulnPolicy:
    actions: tuple[tuple[Severity, Action], ...]
    only_fixed: bool = False
    exceptions: tuple[VulnException, ...] = ()

    def action_for(self, severity: str) -> Action | None:
        """Action for a severity of either enum (vulnerability or model): same values."""
        return dict(self.actions).get(Severity(severity.upper()))


@dataclass(frozen=True)
class SecretPolicy:
    action: Action
    categories: frozenset[SecretCategory] | None = None  # None: any category
    severities: frozenset[Severity] | None = None  # None: any severity


@dataclass(frozen=True)
class ImagePolicy:
    allowed_registries: tuple[str, ...] = ()  # "host" or "host/namespace" prefixes
    require_digest: bool = False
    block_eol: bool = False
    action: Action = Action.BLOCK
    max_base_age_days: int | None = None  # None: any age


@dataclass(frozen=True)
class SignaturePolicy:
    policy_set: PolicySet
    action: Action = Action.BLOCK


@dataclass(frozen=True)
class RuntimePolicy:
    profile: Profile
    rules: frozenset[str] | None = None  # None: every rule of the profile must pass
    action: Action = Action.BLOCK


@dataclass(frozen=True)
class GatePolicy:
    """One gate policy; at least one section is set (an empty policy is an error)."""

    vulnerabilities: VulnPolicy | None = None
    secrets: SecretPolicy | None = None
    images: ImagePolicy | None = None
    signatures: SignaturePolicy | None = None
    runtime: RuntimePolicy | None = None
    #: what the webhook does with an image the inventory holds no results for
    unscanned: Action = Action.REVIEW

    @property
    def needs_stored_results(self) -> bool:
        """Whether judging an image needs its scan results (inventory at admission)."""
        return bool(self.vulnerabilities or self.secrets or (self.images and self.images.block_eol))


@dataclass(frozen=True)
class BaseAge:
    """When the base of an image was built, and where that date came from."""

    created: dt.datetime | None  # None: no usable ``created`` anywhere
    source: str  # "base image NAME@DIGEST" or "image config (no base annotations)"
    note: str = ""  # why the base itself was not used, when it was not


@dataclass(frozen=True, order=True)
class Reason:
    """Why the decision is what it is: the rule, its action and the evidence."""

    rule: str
    action: Action
    message: str
    evidence: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "action": self.action.value,
            "message": self.message,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    skipped: tuple[str, ...] = ()  # sections the inputs did not cover

    def to_json(self) -> dict[str, object]:
        return {
            "decision": self.verdict.value,
            "reasons": [r.to_json() for r in self.reasons],
            "not_evaluated": list(self.skipped),
        }
