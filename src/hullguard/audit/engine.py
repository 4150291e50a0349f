"""Audit one input (bytes in, :class:`FileResult` out): detect its kind, check, fix.

Sans-I/O: the caller reads files and writes fixes. Detection: text whose first
command is ``docker run`` is a list of docker run lines; otherwise YAML documents
with ``apiVersion``/``kind`` are Kubernetes manifests and a document with a
``services:`` mapping is a compose file. Anything else raises
:class:`~hullguard.errors.AuditInputError` with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hullguard.audit.compose import compose_specs, is_compose
from hullguard.audit.dockerrun import docker_run_specs, looks_like_docker_run
from hullguard.audit.fix_compose import fix_compose_documents
from hullguard.audit.interface import AuditOptions, FileResult, Finding, InputKind, Profile
from hullguard.audit.k8s_audit import audit_documents, fix_documents
from hullguard.audit.k8s_objects import is_k8s_object
from hullguard.audit.runtime_checks import audit_runtime
from hullguard.audit.yamldoc import Document, parse_stream
from hullguard.errors import AuditInputError


@dataclass(frozen=True)
class Parsed:
    """An input after detection: its kind, its text and (for YAML) its documents."""

    kind: InputKind
    text: str
    docs: Sequence[Document]
    notes: tuple[str, ...] = ()


Auditor = Callable[[Parsed, str, Profile], list[Finding]]
Fixer = Callable[[Parsed], str]


def _audit_k8s(p: Parsed, name: str, profile: Profile) -> list[Finding]:
    return audit_documents(p.docs, name, profile)


def _audit_compose(p: Parsed, name: str, profile: Profile) -> list[Finding]:
    return audit_runtime(compose_specs(list(p.docs), name), profile)


def _audit_docker_run(p: Parsed, name: str, profile: Profile) -> list[Finding]:
    return audit_runtime((spec for spec, _ in docker_run_specs(p.text, name)), profile)


AUDITORS: dict[InputKind, Auditor] = {
    InputKind.KUBERNETES: _audit_k8s,
    InputKind.COMPOSE: _audit_compose,
    InputKind.DOCKER_RUN: _audit_docker_run,
}

#: kinds ``--fix`` can rewrite (docker run lines are shell, not data: reported only)
FIXERS: dict[InputKind, Fixer] = {
    InputKind.KUBERNETES: lambda p: fix_documents(p.docs),
    InputKind.COMPOSE: lambda p: fix_compose_documents(p.docs),
}


def decode(data: bytes, name: str) -> str:
    """UTF-8 text of an input; binary data is refused."""
    if b"\x00" in data[:8192]:
        raise AuditInputError(
            f"{name}: binary file, not a manifest",
            hint="pass a YAML manifest, a compose file or docker run lines",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AuditInputError(
            f"{name}: not UTF-8 text (byte {exc.start})",
            hint="pass a YAML manifest, a compose file or docker run lines",
        ) from None


def detect(text: str, name: str) -> Parsed:
    """Decide what ``text`` is and parse it."""
    if looks_like_docker_run(text):
        return Parsed(InputKind.DOCKER_RUN, text, (), _docker_notes(text, name))
    docs = parse_stream(text, name)
    present = [d for d in docs if d.data is not None]
    if any(is_k8s_object(d.data) for d in present):
        skipped = [d for d in present if not is_k8s_object(d.data)]
        notes = tuple(
            f"{name}: document {d.index + 1} (line {d.line_offset + 1}) is not a "
            "Kubernetes object; skipped"
            for d in skipped
        )
        return Parsed(InputKind.KUBERNETES, text, docs, notes)
    if any(is_compose(d.data) for d in present):
        return Parsed(InputKind.COMPOSE, text, docs)
    what = "empty" if not present else "not a Kubernetes manifest, compose file or docker run list"
    raise AuditInputError(
        f"{name}: {what}",
        hint="Kubernetes objects need apiVersion and kind; compose files need a services mapping",
    )


def _docker_notes(text: str, name: str) -> tuple[str, ...]:
    notes = []
    for spec, parsed in docker_run_specs(text, name):
        if parsed.unknown:
            notes.append(f"{name}:{spec.pos[0]}: unrecognised flags {' '.join(parsed.unknown)}")
        if not parsed.image:
            notes.append(f"{name}:{spec.pos[0]}: docker run without an image")
    return tuple(notes)


def audit_bytes(data: bytes, name: str, options: AuditOptions) -> FileResult:
    """Audit one input; with ``options.fix`` also compute the hardened text."""
    text = decode(data, name)
    parsed = detect(text, name)
    findings = AUDITORS[parsed.kind](parsed, name, options.profile)
    result = FileResult(name, parsed.kind, tuple(findings), text, notes=parsed.notes)
    fixer = FIXERS.get(parsed.kind)
    if not options.fix or fixer is None:
        return result
    fixed = fixer(parsed)
    again = AUDITORS[parsed.kind](detect(fixed, name), name, options.profile)
    return FileResult(name, parsed.kind, tuple(findings), text, fixed, tuple(again), parsed.notes)
