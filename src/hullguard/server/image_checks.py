"""Per-image checks of a review from stored results: vulnerabilities, secrets, OS, base age.

For each resolved digest the policy's ``vulnerabilities`` and ``secrets``
sections and ``images.blockEol`` are judged on what the inventory stored
(:mod:`hullguard.server.scan_results`), ``images.maxBaseAgeDays`` on the base's
``created`` read from the registry (cached per digest). An image the inventory
does not hold gets the policy's ``unscanned`` action. Reasons name their image.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from hullguard.audit.image_config import eol_date
from hullguard.policy.evaluate import GateInputs, evaluate_gate
from hullguard.policy.model import BaseAge, GatePolicy, ImagePolicy, Reason
from hullguard.server.cache import TTLCache
from hullguard.server.scan_results import ImageResults, StoredResults

#: ``image pinned by digest -> BaseAge`` (the registry in production)
AgeLookup = Callable[[str], BaseAge]


def _subpolicy(policy: GatePolicy) -> GatePolicy | None:
    """The sections judged per image: vulnerabilities, secrets, OS end of life, base age."""
    images = policy.images
    per_image = None
    if images is not None and (images.block_eol or images.max_base_age_days is not None):
        per_image = ImagePolicy(
            block_eol=images.block_eol,
            action=images.action,
            max_base_age_days=images.max_base_age_days,
        )
    sub = GatePolicy(
        vulnerabilities=policy.vulnerabilities, secrets=policy.secrets, images=per_image
    )
    return sub if (sub.vulnerabilities or sub.secrets or sub.images) else None


class ImageChecks:
    """Judges one image at a time; share one per service (caches are thread-safe)."""

    def __init__(
        self,
        policy: GatePolicy,
        results: StoredResults | None,
        ages: AgeLookup,
        cache_ttl: float,
    ) -> None:
        self.policy = policy
        self.sub = _subpolicy(policy)
        self.results = results
        self._ages = ages
        self.ages: TTLCache[BaseAge] = TTLCache(cache_ttl)

    @property
    def needed(self) -> bool:
        """Whether an image's digest must be resolved: stored results or base age to judge."""
        sub = self.sub
        if sub is None:
            return False
        ages = sub.images is not None and sub.images.max_base_age_days is not None
        return ages or (self.results is not None and sub.needs_stored_results)

    def _age(self, pinned: str) -> BaseAge:
        age = self.ages.get(pinned)
        if age is None:
            age = self._ages(pinned)
            self.ages.put(pinned, age)
        return age

    def reasons(
        self, image: str, pinned: str, digest: str, today: dt.date
    ) -> tuple[list[Reason], list[str]]:
        """Reasons (messages prefixed with ``image``) and sections not evaluated."""
        if self.sub is None:
            return [], []
        stored = self.results.get(digest) if self.results is not None else None
        out: list[Reason] = []
        if self.results is not None and self.sub.needs_stored_results:
            out += self._unscanned(image, pinned, stored)
        age = None
        if self.sub.images and self.sub.images.max_base_age_days is not None:
            age = self._age(pinned)
        inputs = GateInputs(
            image=image,
            today=today,
            vulnerabilities=stored.vulnerabilities if stored else None,
            secrets=stored.secrets if stored else None,
            eol_since=eol_date(stored.os_info) if stored else None,
            os_name=_os_name(stored),
            base_age=age,
        )
        decision = evaluate_gate(self.sub, inputs)
        out += [dataclasses.replace(r, message=f"{image}: {r.message}") for r in decision.reasons]
        return out, list(decision.skipped)

    def _unscanned(self, image: str, pinned: str, stored: ImageResults | None) -> list[Reason]:
        action = self.policy.unscanned
        if stored is None:
            msg = (
                f"{image}: {pinned} has no scan results in the inventory; run "
                f"`hullguard inventory add {pinned}` (with --db) before deploying it"
            )
            return [Reason("inventory.unscanned", action, msg, pinned)]
        missing = [
            name
            for name, wanted, have in (
                ("vulnerabilities", self.sub and self.sub.vulnerabilities, stored.vulnerabilities),
                ("secrets", self.sub and self.sub.secrets, stored.secrets),
            )
            if wanted and have is None
        ]
        if not missing:
            return []
        fix = "`hullguard inventory rescan --db DB`" if missing == ["vulnerabilities"] else (
            f"`hullguard inventory add {pinned} --db DB`"
        )  # fmt: skip
        msg = f"{image}: the inventory has no {' or '.join(missing)} results for it; run {fix}"
        return [Reason("inventory.unscanned", action, msg, pinned)]


def _os_name(stored: ImageResults | None) -> str:
    if stored is None or stored.os_info is None:
        return ""
    return f"{stored.os_info.id} {stored.os_info.version_id}"
