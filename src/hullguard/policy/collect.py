"""Gate orchestrator: compute only the results a policy needs, then evaluate it.

This is the I/O side of the gate (image, database, registry, files); the
decision itself is :func:`hullguard.policy.evaluate.evaluate_gate`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.audit.files import audit_inputs
from hullguard.audit.image_config import eol_date
from hullguard.audit.interface import AuditOptions
from hullguard.audit.interface import Finding as AuditFinding
from hullguard.cache import AnalysisCache
from hullguard.image.loader import Image, OpenOptions, open_image
from hullguard.image.reference import Transport, parse_reference
from hullguard.image.registry.options import RegistryOptions
from hullguard.match.model import EolNotice, Finding, VulnOptions
from hullguard.model.package import OSInfo
from hullguard.policy.evaluate import GateInputs, ImageFacts, evaluate_gate
from hullguard.policy.model import BaseAge, Decision, GatePolicy
from hullguard.progress import NULL_PROGRESS, Progress
from hullguard.scan.image_scan import ImageScan, scan_image
from hullguard.scan.image_secrets import ImageSecret
from hullguard.secrets import SecretScanner
from hullguard.sign import policy as signing

Warn = Callable[[str], None]


@dataclass(frozen=True)
class GateRequest:
    """What ``hullguard gate`` was asked to judge."""

    image: str
    db_path: Path | None = None
    dockerfile: Path | None = None
    manifests: Path | None = None
    open_options: OpenOptions = field(default_factory=OpenOptions)
    registry: RegistryOptions = field(default_factory=RegistryOptions)
    cache: AnalysisCache = field(default_factory=lambda: AnalysisCache(None))
    today: dt.date = field(default_factory=dt.date.today)
    #: an inventory (``--database`` value): its stored results replace the scan when it
    #: holds the image's digest
    database: str | None = None


@dataclass(frozen=True)
class GateRun:
    decision: Decision
    image: str
    manifest_digest: str
    #: where the results came from, for stderr (``--database``: stored, or why it scanned)
    notes: tuple[str, ...] = ()


def base_images(path: Path) -> tuple[ImageFacts, ...]:
    """The external base images of a Dockerfile (stage references and scratch excluded)."""
    from hullguard.errors import UsageError
    from hullguard.lint.dockerfile.parser import parse

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read Dockerfile {path}: {exc.strerror}") from exc
    out = []
    for stage in parse(data, str(path)).stages:
        ref = stage.ref
        if stage.base_stage is None and ref is not None and stage.base != "scratch":
            out.append(ImageFacts(stage.base, ref.registry, ref.repository, bool(ref.digest)))
    return tuple(out)


def _runtime(policy: GatePolicy, manifests: Path | None) -> tuple[AuditFinding, ...] | None:
    if policy.runtime is None or manifests is None:
        return None
    report = audit_inputs([str(manifests)], AuditOptions(policy.runtime.profile))
    return report.findings


def _vulns(
    scan: ImageScan, db_path: Path | None, today: dt.date, warn: Warn
) -> tuple[list[Finding], tuple[EolNotice, ...]]:
    """Findings, and the packages whose security support ended (for ``blockEol``)."""
    from hullguard.errors import UsageError
    from hullguard.match import scan_packages
    from hullguard.vulndb import open_db

    if db_path is None or scan.catalog is None:
        raise UsageError("the policy has a vulnerabilities section but no database was given")
    with open_db(db_path) as db:
        report = scan_packages(
            scan.catalog.packages, scan.catalog.os_info, db, VulnOptions(today=today)
        )
    for w in report.warnings:
        warn(w)
    return list(report.findings), report.eol


def _signatures(policy: GatePolicy, image: str, request: GateRequest) -> signing.Decision | None:
    if policy.signatures is None:
        return None
    ref = parse_reference(image)
    if ref.transport is not Transport.REGISTRY or ref.registry is None:
        return signing.Decision(False, (f"{image} is not a registry image: cannot verify",))
    from hullguard.sign.service import gather_evidence

    evidence = gather_evidence(ref.registry, request.registry)
    return signing.evaluate(policy.signatures.policy_set, evidence)


def _base_age(image: Image, options: RegistryOptions) -> BaseAge:
    from hullguard.policy.base_age import base_age, registry_created

    annotations = dict(image.annotations)
    return base_age(annotations, image.config.created, registry_created(options))


@dataclass(frozen=True)
class _Results:
    """The scan-derived gate inputs, from a fresh scan or from the inventory."""

    os_info: OSInfo | None
    vulnerabilities: Sequence[Finding] | None
    ended: Sequence[EolNotice]
    secrets: Sequence[ImageSecret] | None


def run_gate(
    policy: GatePolicy, request: GateRequest, *, progress: Progress = NULL_PROGRESS
) -> GateRun:
    """Run what ``policy`` needs on ``request.image`` and decide.

    With ``request.database``, the inventory's stored results for the image's digest
    replace the scan; an image it does not hold (or holds without the analyses the
    policy needs) is scanned, and :attr:`GateRun.notes` says so.
    """
    want_age = policy.images is not None and policy.images.max_base_age_days is not None
    image = open_image(request.image, request.open_options)
    notes: list[str] = []
    try:
        age = _base_age(image, request.registry) if want_age else None
        results = _stored(policy, request, image, notes) if request.database else None
        if results is None:
            results = _scan(policy, request, image, progress)
    finally:
        image.close()
    os_info = results.os_info
    want_eol = policy.images is not None and policy.images.block_eol
    inputs = GateInputs(
        image=request.image,
        refs=base_images(request.dockerfile) if request.dockerfile else (),
        today=request.today,
        vulnerabilities=results.vulnerabilities,
        secrets=results.secrets,
        eol_since=eol_date(os_info) if want_eol else None,
        ended_packages=results.ended,
        os_name=f"{os_info.id} {os_info.version_id}" if os_info else "",
        base_age=age,
        signatures=_signatures(policy, request.image, request),
        runtime=_runtime(policy, request.manifests),
    )
    digest = image.manifest_digest or ""
    return GateRun(evaluate_gate(policy, inputs), request.image, digest, tuple(notes))


def _scan(policy: GatePolicy, request: GateRequest, image: Image, progress: Progress) -> _Results:
    want_vulns = policy.vulnerabilities is not None
    want_eol = policy.images is not None and policy.images.block_eol
    scan = scan_image(
        image,
        want_packages=want_vulns or want_eol,
        secret_scanner=SecretScanner() if policy.secrets is not None else None,
        cache=request.cache,
        progress=progress,
    )
    vulns, ended = (
        _vulns(scan, request.db_path, request.today, progress.warn) if want_vulns else (None, ())
    )
    os_info = scan.catalog.os_info if scan.catalog else None
    secrets = scan.secrets if policy.secrets is not None else None
    return _Results(os_info, vulns, ended, secrets)


def _stored(
    policy: GatePolicy, request: GateRequest, image: Image, notes: list[str]
) -> _Results | None:
    """The inventory's results for the image's digest; ``None`` (and a note): scan it."""
    from hullguard.policy.from_inventory import load_stored

    assert request.database is not None
    found = load_stored(
        request.database,
        (image.manifest_digest or "", image.config_digest),
        vulnerabilities=policy.vulnerabilities is not None,
        secrets=policy.secrets is not None,
    )
    if isinstance(found, str):
        notes.append(f"{found}; scanning {request.image}")
        return None
    when = ", ".join(f"{k} {v}" for k, v in sorted(found.scanned_at.items()))
    notes.append(f"using stored results of {found.digest} ({when or 'no analyses needed'})")
    # per-package end of support is not stored: blockEol judges the OS release only
    return _Results(found.os_info, found.vulnerabilities, (), found.secrets)
