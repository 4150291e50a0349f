"""Kubernetes auditor: run the PSS and hardening checks over every pod spec, and fix them."""

from __future__ import annotations

from collections.abc import Sequence

from hullguard.audit.fix_k8s import fix_pod
from hullguard.audit.interface import Finding, Profile
from hullguard.audit.k8s_context import PodCheck, PodContext
from hullguard.audit.k8s_hardening import HARDENING_CHECKS
from hullguard.audit.k8s_objects import iter_objects, pod_target, service_accounts_without_token
from hullguard.audit.pss_baseline import BASELINE_CHECKS
from hullguard.audit.pss_restricted import RESTRICTED_CHECKS
from hullguard.audit.rules import RULES
from hullguard.audit.yamldoc import Document, dump_like
from hullguard.audit.yamledit import forget_orphans


def checks_for(profile: Profile) -> tuple[PodCheck, ...]:
    """The checks evaluated under ``profile`` (restricted includes baseline)."""
    pss = BASELINE_CHECKS + (RESTRICTED_CHECKS if profile is Profile.RESTRICTED else ())
    return pss + HARDENING_CHECKS


def audit_documents(docs: Sequence[Document], file: str, profile: Profile) -> list[Finding]:
    """Every finding of every pod spec in ``docs``."""
    refs = list(iter_objects(docs))
    tokenless = service_accounts_without_token(refs)
    findings: list[Finding] = []
    for ref in refs:
        target = pod_target(ref)
        if target is None:
            continue
        ctx = PodContext(target, profile, file, tokenless)
        for check in checks_for(profile):
            findings.extend(f for f in check(ctx) if RULES[f.rule_id].applies_to(profile))
    return sorted(set(findings))


def fix_documents(docs: Sequence[Document]) -> str:
    """Harden every pod spec in ``docs`` (mutating them); return the whole new text.

    Documents without changes are copied byte for byte; changed ones are re-emitted
    in their own indentation style.
    """
    changed: set[int] = set()
    for ref in iter_objects(docs):
        target = pod_target(ref)
        if target is not None and fix_pod(target):
            changed.add(ref.doc_index)
    forget_orphans()
    return "".join(dump_like(d.text, d.data) if d.index in changed else d.text for d in docs)
