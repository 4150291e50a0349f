"""Signature and attestation verification over fetched material (sans-I/O).

Input: the image digest, the authorities, and the untrusted layers/bundles the
store read. Output: the verified claims, or :class:`VerificationError` naming
why each candidate failed. Nothing here touches the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hullguard.errors import HullguardError, VerificationError
from hullguard.model.image import Digest
from hullguard.sign.attachments import (
    DSSE_MEDIA_TYPE,
    SIGNATURE_ANNOTATION,
    SIMPLESIGNING_MEDIA_TYPE,
    Layer,
)
from hullguard.sign.authority import Authority, decode_signature
from hullguard.sign.bundle import parse_bundle
from hullguard.sign.dsse import Envelope, Statement, parse_envelope, parse_statement
from hullguard.sign.simplesigning import parse_payload


@dataclass(frozen=True)
class VerifiedSignature:
    """One signature that verified: where it was stored and what it claims."""

    storage: str  # "tag" or "referrer"
    digest: Digest
    docker_reference: str
    signer: str
    annotations: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "storage": self.storage,
            "critical": {
                "identity": {"docker-reference": self.docker_reference},
                "image": {"docker-manifest-digest": self.digest},
            },
            "optional": dict(sorted(self.annotations.items())),
            "signer": self.signer,
        }


@dataclass(frozen=True)
class VerifiedAttestation:
    storage: str
    predicate_type: str
    statement: Statement
    signer: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "storage": self.storage,
            "signer": self.signer,
            "predicateType": self.predicate_type,
            "statement": self.statement.raw,
        }


def _annotation_problem(have: Mapping[str, str], want: Mapping[str, str]) -> str | None:
    for key, value in sorted(want.items()):
        if have.get(key) != value:
            return f"annotation {key}={value} is not in the signed payload"
    return None


def _check_layer(
    layer: Layer, payload: bytes | None, authority: Authority, digest: Digest,
    want: Mapping[str, str],
) -> VerifiedSignature | str:  # fmt: skip
    if layer.media_type != SIMPLESIGNING_MEDIA_TYPE:
        return f"layer {layer.digest} is {layer.media_type!r}, not a cosign signature"
    if payload is None:
        return f"payload {layer.digest} could not be read or did not match its digest"
    signature = decode_signature(layer.annotations.get(SIGNATURE_ANNOTATION, ""))
    if not signature:
        return f"layer {layer.digest} has no {SIGNATURE_ANNOTATION} annotation"
    if not authority.simple_signature_valid(payload, signature):
        return (
            f"signature {layer.digest[:19]}… does not verify with {authority.name} "
            "(wrong key, or the payload was modified)"
        )
    try:
        claims = parse_payload(payload)
    except VerificationError as exc:
        return exc.message
    if claims.manifest_digest != digest:
        return f"signature is for {claims.manifest_digest}, not for this image ({digest})"
    problem = _annotation_problem(claims.annotations, want)
    if problem:
        return problem
    return VerifiedSignature(
        "tag", digest, claims.docker_reference, authority.name, dict(claims.annotations)
    )


def check_signatures(
    digest: Digest,
    authorities: Sequence[Authority],
    layers: Sequence[tuple[Layer, bytes | None]],
    bundles: Sequence[bytes],
    annotations: Mapping[str, str] | None = None,
) -> list[VerifiedSignature]:
    """Every signature that verifies; raises when none does (fails closed)."""
    want = annotations or {}
    verified: list[VerifiedSignature] = []
    problems: list[str] = []
    for authority in authorities:
        for layer, payload in layers:
            outcome = _check_layer(layer, payload, authority, digest, want)
            if isinstance(outcome, str):
                problems.append(outcome)
            else:
                verified.append(outcome)
        for raw in bundles:
            try:
                bundle = parse_bundle(raw)
                if bundle.envelope is not None:
                    continue  # an attestation bundle, not a signature
                result = authority.verify_bundle(bundle, digest)
            except HullguardError as exc:
                problems.append(exc.message)
                continue
            if want:
                problems.append("bundle signatures carry no annotations to match")
                continue
            verified.append(VerifiedSignature("referrer", digest, "", result.signer))
    if not verified:
        _fail(f"no valid signature for {digest}", problems)
    return sorted(verified, key=lambda v: (v.storage, v.signer, v.docker_reference))


def _fail(summary: str, problems: list[str]) -> None:
    if not problems:
        raise VerificationError(f"{summary}: no signatures found", hint="sign it first")
    detail = "; ".join(dict.fromkeys(problems))
    raise VerificationError(f"{summary}: {detail}")


def _statement_outcome(
    envelope: Envelope, digest: Digest, predicate_type: str | None, storage: str, signer: str
) -> VerifiedAttestation | str:
    try:
        statement = parse_statement(envelope)
    except VerificationError as exc:
        return exc.message
    if digest not in statement.subject_digests:
        subjects = ", ".join(sorted(statement.subject_digests)) or "none"
        return f"attestation subject ({subjects}) is not this image ({digest})"
    if predicate_type is not None and statement.predicate_type != predicate_type:
        return f"attestation predicate type is {statement.predicate_type!r}, not {predicate_type!r}"
    return VerifiedAttestation(storage, statement.predicate_type, statement, signer)


def check_attestations(
    digest: Digest,
    authorities: Sequence[Authority],
    layers: Sequence[tuple[Layer, bytes | None]],
    bundles: Sequence[bytes],
    predicate_type: str | None,
) -> list[VerifiedAttestation]:
    """Every attestation that verifies for ``digest`` (and ``predicate_type``)."""
    verified: list[VerifiedAttestation] = []
    problems: list[str] = []
    for authority in authorities:
        for layer, payload in layers:
            if layer.media_type != DSSE_MEDIA_TYPE:
                problems.append(f"layer {layer.digest} is not a DSSE envelope")
                continue
            if payload is None:
                problems.append(f"envelope {layer.digest} could not be read")
                continue
            try:
                envelope = parse_envelope(payload)
            except VerificationError as exc:
                problems.append(exc.message)
                continue
            if not authority.envelope_valid(envelope):
                problems.append(
                    f"attestation {layer.digest[:19]}… does not verify with {authority.name}"
                )
                continue
            _collect(
                _statement_outcome(envelope, digest, predicate_type, "tag", authority.name),
                verified, problems,
            )  # fmt: skip
        for raw in bundles:
            try:
                bundle = parse_bundle(raw)
                if bundle.envelope is None:
                    continue
                result = authority.verify_bundle(bundle, digest)
            except HullguardError as exc:
                problems.append(exc.message)
                continue
            assert result.envelope is not None
            outcome = _statement_outcome(
                result.envelope, digest, predicate_type, "referrer", result.signer
            )
            _collect(outcome, verified, problems)
    if not verified:
        _fail(f"no valid attestation for {digest}", problems)
    return sorted(verified, key=lambda v: (v.storage, v.predicate_type, v.signer))


def _collect(
    outcome: VerifiedAttestation | str,
    verified: list[VerifiedAttestation],
    problems: list[str],
) -> None:
    if isinstance(outcome, str):
        problems.append(outcome)
    else:
        verified.append(outcome)
