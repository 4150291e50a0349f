"""The admission service: AdmissionReview in, allow / deny / patch out, every answer logged.

Owns exclusions, dry-run, the failure mode with per-request timeouts, the
digest-keyed verification cache and the audit log. The decision itself is the
gate policy's pure :func:`hullguard.policy.evaluate_gate`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TextIO

from hullguard.audit.engine import audit_bytes
from hullguard.audit.interface import AuditOptions
from hullguard.audit.interface import Finding as AuditFinding
from hullguard.errors import HullguardError
from hullguard.image.reference import RegistryReference, parse_registry_reference
from hullguard.image.registry.options import RegistryOptions
from hullguard.model.image import Digest
from hullguard.policy import Decision, GateInputs, GatePolicy, ImageFacts, Verdict, evaluate_gate
from hullguard.policy.evaluate import decide, registry_allowed
from hullguard.policy.model import Action, Reason
from hullguard.server.admission_review import (
    ContainerImage,
    Review,
    ReviewError,
    container_images,
    parse_review,
    pinned_name,
    response,
    workload,
)
from hullguard.server.cache import TTLCache
from hullguard.server.image_checks import ImageChecks
from hullguard.server.resolver import RegistryResolver, Resolver
from hullguard.server.scan_results import StoredResults
from hullguard.sign import policy as signing

Answer = dict[str, Any]


class FailurePolicy(StrEnum):
    FAIL = "fail"  # deny when the webhook cannot decide (default: fail closed)
    IGNORE = "ignore"  # allow, with a warning


class Endpoint(StrEnum):
    VALIDATE = "validate"
    MUTATE = "mutate"


@dataclass(frozen=True)
class AdmissionConfig:
    policy: GatePolicy
    registry: RegistryOptions = field(default_factory=RegistryOptions)
    dry_run: bool = False
    failure_policy: FailurePolicy = FailurePolicy.FAIL
    timeout: float = 5.0  # seconds per request; keep well under the API server's (10 s)
    exclude_namespaces: frozenset[str] = frozenset()
    exclude_images: tuple[str, ...] = ()  # globs as in the signing policy
    cache_ttl: float = 300.0
    tag_ttl: float = 30.0
    max_images: int = 256
    workers: int = 32


class AuditLog:
    """Decisions as JSON lines (one per review), written under a lock."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        if self._stream is None:
            return
        line = json.dumps(record, sort_keys=True, ensure_ascii=False)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()


@dataclass
class _Outcome:
    allowed: bool
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    patch: list[dict[str, Any]] = field(default_factory=list)
    verdict: str = ""
    digests: dict[str, str] = field(default_factory=dict)
    error: str = ""
    containers: list[ContainerImage] = field(default_factory=list)


class AdmissionService:
    """Answers reviews; create one per server (no globals), share it across threads."""

    def __init__(
        self,
        config: AdmissionConfig,
        *,
        resolver: Resolver | None = None,
        audit: AuditLog | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        results: StoredResults | None = None,
    ) -> None:
        self.config = config
        self.resolver = resolver or RegistryResolver(config.registry)
        self.audit = audit or AuditLog(None)
        self.results = results
        self.checks = ImageChecks(config.policy, results, self.resolver.base_age, config.cache_ttl)
        self._today = today
        self.verified: TTLCache[signing.Decision] = TTLCache(config.cache_ttl)
        self.tags: TTLCache[Digest] = TTLCache(config.tag_ttl)
        self.audited: TTLCache[tuple[AuditFinding, ...]] = TTLCache(config.cache_ttl, 2_000)
        self._pool = ThreadPoolExecutor(config.workers, thread_name_prefix="admission")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self.results is not None:
            self.results.close()

    def handle(self, endpoint: Endpoint, body: bytes) -> Answer:
        """One review; raises :class:`ReviewError` when ``body`` is not one."""
        started = time.monotonic()
        review = parse_review(body)
        outcome = self._decide(endpoint, review)
        if self.config.dry_run and not outcome.allowed:
            outcome.warnings.insert(0, f"hullguard dry-run, would deny: {outcome.message}")
            outcome.allowed = True
        self._log(endpoint, review, outcome, time.monotonic() - started)
        return response(
            review.uid, outcome.allowed, outcome.message, outcome.warnings, outcome.patch
        )

    def _decide(self, endpoint: Endpoint, review: Review) -> _Outcome:
        if review.namespace in self.config.exclude_namespaces:
            return _Outcome(True, verdict="excluded")
        if review.obj is None:  # DELETE and CONNECT carry no object to judge
            return _Outcome(True, verdict="no-object")
        try:
            images = container_images(review.kind, review.obj)
        except ReviewError as exc:
            return _Outcome(False, f"hullguard: {exc.message}", verdict="malformed")
        if images is None:
            note = f"hullguard: kind {review.kind} carries no pod spec; not checked"
            return _Outcome(True, warnings=[note], verdict="unchecked-kind")
        if len(images) > self.config.max_images:
            msg = (
                f"hullguard: {len(images)} containers exceed the limit of {self.config.max_images}"
            )
            return _Outcome(False, msg, verdict="too-large")
        outcome = self._run(endpoint, review, images)
        outcome.containers = images
        return outcome

    def _run(self, endpoint: Endpoint, review: Review, images: list[ContainerImage]) -> _Outcome:
        work = self._mutate if endpoint is Endpoint.MUTATE else self._validate
        future = self._pool.submit(work, review, images)
        try:
            return future.result(timeout=self.config.timeout)
        except FutureTimeout:
            return self._failed(f"timed out after {self.config.timeout:g}s")
        except HullguardError as exc:
            return self._failed(exc.diagnostics())
        except Exception as exc:  # any crash becomes the configured failure mode
            return self._failed(f"internal error: {type(exc).__name__}: {exc}")

    def _failed(self, why: str) -> _Outcome:
        if self.config.failure_policy is FailurePolicy.IGNORE:
            note = f"hullguard could not decide ({why}); allowed (failure policy ignore)"
            return _Outcome(True, warnings=[note], verdict="error-ignored", error=why)
        msg = f"hullguard could not decide ({why}); denied (failure policy fail)"
        return _Outcome(False, msg, verdict="error-denied", error=why)

    # -- lookups (cached) ----------------------------------------------------

    def _excluded(self, image: str) -> bool:
        return any(signing.glob_match(g, image) for g in self.config.exclude_images)

    def _disallowed(self, ref: RegistryReference) -> bool:
        images = self.config.policy.images
        allowed = images.allowed_registries if images else ()
        return bool(allowed) and not registry_allowed(allowed, ref.registry, ref.repository)

    def _digest(self, ref: RegistryReference) -> Digest:
        if ref.digest is not None:
            return ref.digest
        key = str(ref)
        digest = self.tags.get(key)
        if digest is None:
            digest = self.resolver.digest(ref)
            self.tags.put(key, digest)
        return digest

    def _signature(self, ref: RegistryReference, digest: Digest) -> signing.Decision:
        assert self.config.policy.signatures is not None
        key = (ref.name, digest)
        cached = self.verified.get(key)
        if cached is None:
            evidence = self.resolver.evidence(ref.with_digest(digest))
            cached = signing.evaluate(self.config.policy.signatures.policy_set, evidence)
            self.verified.put(key, cached)
        return cached

    # -- the two endpoints ---------------------------------------------------

    def _mutate(self, review: Review, images: list[ContainerImage]) -> _Outcome:
        outcome = _Outcome(True, verdict="allow")
        for item in images:
            if self._excluded(item.image):
                continue
            ref = parse_registry_reference(item.image)
            if ref.digest is not None:
                continue
            digest = self._digest(ref)
            outcome.digests[item.image] = digest
            value = pinned_name(item.image, digest)
            outcome.patch.append({"op": "replace", "path": item.pointer, "value": value})
        return outcome

    def _validate(self, review: Review, images: list[ContainerImage]) -> _Outcome:
        facts: list[ImageFacts] = []
        sign_reasons: list[str] = []
        sign_ok = True
        digests: dict[str, str] = {}
        stored: list[Reason] = []
        skipped: list[str] = []
        today = self._today()
        signatures = self.config.policy.signatures is not None
        for image in sorted({i.image for i in images}):
            if self._excluded(image):
                continue
            ref = parse_registry_reference(image)
            facts.append(ImageFacts(image, ref.registry, ref.repository, ref.digest is not None))
            if self._disallowed(ref):
                continue  # a disallowed registry is denied anyway: do not contact it
            if ref.digest is not None:
                digests[image] = ref.digest
            if not (signatures or self.checks.needed):
                continue
            digest = digests[image] = self._digest(ref)
            if signatures:
                decision = self._signature(ref, digest)
                sign_ok = sign_ok and decision.allowed
                sign_reasons += [f"{image}: {r}" for r in decision.reasons]
            more, missing = self.checks.reasons(image, f"{ref.name}@{digest}", digest, today)
            stored += more
            skipped += missing
        inputs = GateInputs(
            image=f"{review.kind}/{review.namespace}/{review.name}",
            refs=tuple(facts),
            today=today,
            signatures=signing.Decision(sign_ok, tuple(sign_reasons)),
            runtime=self._runtime(review),
        )
        overall = evaluate_gate(self.config.policy, inputs)
        outcome = _answer(decide([*overall.reasons, *stored], skipped))
        outcome.digests = digests
        return outcome

    def _runtime(self, review: Review) -> tuple[AuditFinding, ...] | None:
        runtime = self.config.policy.runtime
        if runtime is None:
            return None
        obj = review.obj or {}
        # pods of one template differ only in name/labels/owner: audit each spec once
        key = hashlib.sha256(
            json.dumps(
                [review.kind, obj.get("metadata", {}).get("annotations"), obj.get("spec"),
                 obj.get("template")], sort_keys=True,
            ).encode()
        ).hexdigest()  # fmt: skip
        cached = self.audited.get(key)
        if cached is None:
            data = json.dumps(obj).encode()
            name = f"{review.kind}/{review.name}"
            cached = audit_bytes(data, name, AuditOptions(runtime.profile)).findings
            self.audited.put(key, cached)
        return cached

    def _log(self, endpoint: Endpoint, review: Review, outcome: _Outcome, took: float) -> None:
        self.audit.write({
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "endpoint": endpoint.value, "uid": review.uid, "kind": review.kind,
            "namespace": review.namespace, "name": review.name,
            "operation": review.operation, "allowed": outcome.allowed,
            "verdict": outcome.verdict, "message": outcome.message,
            "warnings": outcome.warnings, "images": outcome.digests,
            "workload": workload(review),
            "containers": [
                {"container": c.container, "image": c.image,
                 "digest": outcome.digests.get(c.image, "")}
                for c in outcome.containers
            ],
            "patched": len(outcome.patch), "dry_run": self.config.dry_run,
            "error": outcome.error, "duration_ms": round(took * 1000, 2),
        })  # fmt: skip


_SHOWN = 5  # reasons spelled out in a denial; the audit log has them all


def _answer(decision: Decision) -> _Outcome:
    blocking = [r.message for r in decision.reasons if r.action is Action.BLOCK]
    review = [r.message for r in decision.reasons if r.action is Action.REVIEW]
    if decision.verdict is Verdict.BLOCK:
        more = f" (and {len(blocking) - _SHOWN} more)" if len(blocking) > _SHOWN else ""
        msg = "hullguard denied: " + "; ".join(blocking[:_SHOWN]) + more
        return _Outcome(False, msg, [f"review: {m}" for m in review], verdict="block")
    return _Outcome(True, warnings=[f"review: {m}" for m in review], verdict=decision.verdict)
