"""Pure gate evaluation: already-computed results + policy -> one decision with reasons.

Nothing here reads files or the network. A section whose inputs are ``None``
was not computed by the caller; it is listed as not evaluated, and for the
sections that guard the supply chain (signatures) that is a block (fail closed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from hullguard.audit.interface import Finding as AuditFinding
from hullguard.image.reference import parse_registry_reference
from hullguard.match.model import EolNotice, Finding, FindingStatus
from hullguard.policy.model import (
    VERDICT_OF,
    Action,
    BaseAge,
    Decision,
    GatePolicy,
    ImagePolicy,
    Reason,
    RuntimePolicy,
    SecretPolicy,
    Verdict,
    VulnException,
    VulnPolicy,
)
from hullguard.scan.image_secrets import ImageSecret
from hullguard.sign.policy import Decision as SignDecision


@dataclass(frozen=True)
class ImageFacts:
    """One image reference the images section judges (a base image, a pod's image)."""

    text: str  # as written
    registry: str  # normalised host
    repository: str
    pinned: bool  # names a digest


@dataclass(frozen=True)
class GateInputs:
    """What the caller computed; ``None`` means "not computed"."""

    image: str  # the subject, as written (reference text or path)
    refs: tuple[ImageFacts, ...] = ()  # references the images section checks
    today: dt.date = dt.date(1970, 1, 1)
    vulnerabilities: Sequence[Finding] | None = None
    secrets: Sequence[ImageSecret] | None = None
    eol_since: dt.date | None = None  # end-of-life date of the base OS, when known
    os_name: str = ""
    #: packages whose security support ended early (debian-security-support), when matched
    ended_packages: Sequence[EolNotice] = ()
    base_age: BaseAge | None = None  # None: not computed
    signatures: SignDecision | None = None
    runtime: Sequence[AuditFinding] | None = None


def _exception_for(
    policy: VulnPolicy, finding: Finding, today: dt.date
) -> tuple[VulnException | None, bool]:
    """The exception covering ``finding`` and whether it has expired."""
    for exc in policy.exceptions:
        if exc.vuln_id in finding.ids and exc.package in (None, finding.package_name):
            return exc, exc.expires < today
    return None, False


def _vuln_reasons(policy: VulnPolicy, inputs: GateInputs) -> list[Reason]:
    out: list[Reason] = []
    for finding in inputs.vulnerabilities or ():
        action = policy.action_for(finding.severity)
        if action is None:
            continue
        if policy.only_fixed and finding.status is not FindingStatus.FIXED:
            continue
        where = f"{finding.package_name} {finding.package_version}"
        fix = ", ".join(finding.fixed_versions) or "no fix"
        exc, expired = _exception_for(policy, finding, inputs.today)
        if exc is not None and not expired:
            msg = f"{finding.vuln_id} excepted until {exc.expires} by {exc.owner}: {exc.reason}"
            out.append(Reason("vulnerabilities.exception", Action.LOG, msg, where))
            continue
        note = f" (exception by {exc.owner} expired {exc.expires})" if exc else ""
        msg = f"{finding.severity.value} {finding.vuln_id} in {where}; fixed in: {fix}{note}"
        out.append(Reason(f"vulnerabilities.{finding.severity.value}", action, msg, finding.purl))
    return out


def _secret_reasons(policy: SecretPolicy, secrets: Sequence[ImageSecret]) -> list[Reason]:
    out: list[Reason] = []
    for secret in secrets:
        match = secret.match
        if policy.categories is not None and match.category not in policy.categories:
            continue
        if policy.severities is not None and match.severity not in policy.severities:
            continue
        layer = f"layer {secret.layer}" if secret.layer is not None else secret.origin
        msg = (
            f"{match.severity.value} {match.category.value} secret {match.rule_id} "
            f"({secret.status}) at {match.path}:{match.line} in {layer}: remove it from "
            "every layer and rotate it"
        )
        out.append(Reason(f"secrets.{match.category.value}", policy.action, msg, match.redacted))
    return out


def registry_allowed(allowed: Sequence[str], registry: str, repository: str) -> bool:
    full = f"{registry}/{repository}"
    return any(full == a or full.startswith(a.rstrip("/") + "/") for a in allowed)


def _image_reasons(policy: ImagePolicy, inputs: GateInputs) -> list[Reason]:
    out: list[Reason] = []
    act = policy.action
    for ref in inputs.refs:
        if policy.allowed_registries and not registry_allowed(
            policy.allowed_registries, ref.registry, ref.repository
        ):
            allowed = ", ".join(policy.allowed_registries)
            msg = f"{ref.text} is not from an allowed registry/namespace ({allowed})"
            out.append(Reason("images.allowedRegistries", act, msg, ref.text))
        if policy.require_digest and not ref.pinned:
            msg = (
                f"{ref.text} is not pinned by digest: use {ref.registry}/{ref.repository}@sha256:…"
            )
            out.append(Reason("images.requireDigest", act, msg, ref.text))
    if policy.block_eol and inputs.eol_since is not None and inputs.eol_since <= inputs.today:
        msg = f"base OS {inputs.os_name} is end-of-life since {inputs.eol_since}: rebase"
        out.append(Reason("images.blockEol", act, msg, inputs.os_name))
    for ended in inputs.ended_packages if policy.block_eol else ():
        if ended.package and dt.date.fromisoformat(ended.end_date) <= inputs.today:
            msg = (
                f"package {ended.package} ({ended.namespace}) has no security support since "
                f"{ended.end_date}: {ended.details or 'see debian-security-support'}"
            )
            out.append(Reason("images.blockEol", act, msg, ended.package))
    if policy.max_base_age_days is not None and inputs.base_age is not None:
        out += _age_reasons(policy.max_base_age_days, act, inputs.base_age, inputs.today)
    return out


def _age_reasons(limit: int, act: Action, age: BaseAge, today: dt.date) -> list[Reason]:
    note = f" ({age.note})" if age.note else ""
    if age.created is None:
        msg = f"base image age unknown: {age.source} has no created date{note}"
        return [Reason("images.maxBaseAge", act, msg, age.source)]
    days = (today - age.created.date()).days
    if days <= limit:
        msg = f"base built {age.created.date()} ({days} days ago), from {age.source}{note}"
        return [Reason("images.maxBaseAge", Action.LOG, msg, age.source)]
    msg = (
        f"base built {age.created.date()} is {days} days old (limit {limit}), from "
        f"{age.source}{note}: rebuild on a fresh base"
    )
    return [Reason("images.maxBaseAge", act, msg, age.source)]


def _runtime_reasons(policy: RuntimePolicy, findings: Sequence[AuditFinding]) -> list[Reason]:
    out: list[Reason] = []
    for f in sorted(findings):
        if policy.rules is not None and f.rule_id not in policy.rules:
            continue
        where = f"{f.file}:{f.line} {f.resource}" + (
            f" container {f.container}" if f.container else ""
        )
        msg = f"{f.rule_id} ({f.severity.value}) {f.field}: {f.message}"
        out.append(Reason(f"runtime.{f.rule_id}", policy.action, msg, where))
    return out


def facts_of(text: str) -> ImageFacts:
    """Facts of a registry reference (raises ``ReferenceError_`` when malformed)."""
    ref = parse_registry_reference(text)
    return ImageFacts(text, ref.registry, ref.repository, ref.digest is not None)


def evaluate_gate(policy: GatePolicy, inputs: GateInputs) -> Decision:
    """One decision over every section of ``policy``; the strictest action wins."""
    reasons: list[Reason] = []
    skipped: list[str] = []
    if policy.vulnerabilities is not None:
        if inputs.vulnerabilities is None:
            skipped.append("vulnerabilities")
        reasons += _vuln_reasons(policy.vulnerabilities, inputs)
    if policy.secrets is not None:
        if inputs.secrets is None:
            skipped.append("secrets")
        reasons += _secret_reasons(policy.secrets, inputs.secrets or ())
    if policy.images is not None:
        if policy.images.max_base_age_days is not None and inputs.base_age is None:
            skipped.append("images.maxBaseAgeDays")
        reasons += _image_reasons(policy.images, inputs)
    if policy.signatures is not None:
        reasons += _signature_reasons(policy.signatures.action, inputs.signatures)
    if policy.runtime is not None:
        if inputs.runtime is None:
            skipped.append("runtime")
        reasons += _runtime_reasons(policy.runtime, inputs.runtime or ())
    return decide(reasons, skipped)


def decide(reasons: Sequence[Reason], skipped: Sequence[str] = ()) -> Decision:
    """The strictest action among ``reasons`` decides; reasons sorted strictest first."""
    verdict = max((VERDICT_OF[r.action] for r in reasons), key=lambda v: v.rank, default=None)
    ordered = sorted(set(reasons), key=lambda r: (list(Action).index(r.action), r))
    return Decision(verdict or Verdict.ALLOW, tuple(ordered), tuple(dict.fromkeys(skipped)))


def _signature_reasons(action: Action, decision: SignDecision | None) -> list[Reason]:
    if decision is None:  # fail closed: a required signature that was not checked
        return [Reason("signatures", action, "signatures were not verified (fail closed)")]
    if decision.allowed:
        return [Reason("signatures", Action.LOG, r) for r in decision.reasons]
    return [Reason("signatures", action, r) for r in decision.reasons if "satisfied" not in r]
