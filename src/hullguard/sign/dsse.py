"""DSSE envelopes and in-toto Statements (sans-I/O).

PAE is exactly the DSSE v1 spec: ``"DSSEv1" SP LEN(type) SP type SP LEN(body)
SP body`` with lengths as ASCII decimal byte counts. Statements are in-toto v1
(``https://in-toto.io/Statement/v1``); v0.1 statements (older cosign) are read.
Predicate type short names follow cosign's ``--type`` values.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from hullguard.errors import UsageError, VerificationError
from hullguard.sign.simplesigning import sign_bytes, signature_valid

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_V1 = "https://in-toto.io/Statement/v1"
STATEMENT_TYPES = frozenset({STATEMENT_V1, "https://in-toto.io/Statement/v0.1"})
_MAX_ENVELOPE = 16 * 1024 * 1024


class PredicateType(StrEnum):
    """cosign's ``--type`` short names and the URIs they stand for."""

    SLSAPROVENANCE = "slsaprovenance"
    SLSAPROVENANCE02 = "slsaprovenance02"
    SLSAPROVENANCE1 = "slsaprovenance1"
    CYCLONEDX = "cyclonedx"
    SPDX = "spdx"
    SPDXJSON = "spdxjson"
    VULN = "vuln"
    CUSTOM = "custom"


PREDICATE_URIS: dict[PredicateType, str] = {
    PredicateType.SLSAPROVENANCE: "https://slsa.dev/provenance/v0.2",
    PredicateType.SLSAPROVENANCE02: "https://slsa.dev/provenance/v0.2",
    PredicateType.SLSAPROVENANCE1: "https://slsa.dev/provenance/v1",
    PredicateType.CYCLONEDX: "https://cyclonedx.org/bom",
    PredicateType.SPDX: "https://spdx.dev/Document",
    PredicateType.SPDXJSON: "https://spdx.dev/Document",
    PredicateType.VULN: "https://cosign.sigstore.dev/attestation/vuln/v1",
    PredicateType.CUSTOM: "https://cosign.sigstore.dev/attestation/v1",
}


def predicate_uri(name: str) -> str:
    """A ``--type`` value (short name or URI) as a predicate type URI."""
    if name in PredicateType.__members__.values():
        return PREDICATE_URIS[PredicateType(name)]
    if "://" in name:
        return name
    choices = ", ".join(p.value for p in PredicateType)
    raise UsageError(f"unknown predicate type {name!r}", hint=f"use one of {choices} or a URI")


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


@dataclass(frozen=True)
class Envelope:
    payload_type: str
    payload: bytes
    signatures: tuple[tuple[str, bytes], ...]  # (keyid, sig)

    def to_json(self) -> bytes:
        doc = {
            "payloadType": self.payload_type,
            "payload": base64.b64encode(self.payload).decode(),
            "signatures": [
                {"keyid": keyid, "sig": base64.b64encode(sig).decode()}
                for keyid, sig in self.signatures
            ],
        }
        return json.dumps(doc, separators=(",", ":")).encode()

    def to_dict(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.to_json())
        return value


def sign_envelope(key: ec.EllipticCurvePrivateKey, payload_type: str, payload: bytes) -> Envelope:
    return Envelope(payload_type, payload, (("", sign_bytes(key, pae(payload_type, payload))),))


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise VerificationError(f"DSSE envelope {what} is not a string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        try:
            return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError) as exc:
            raise VerificationError(f"DSSE envelope {what} is not base64") from exc


def envelope_from_dict(doc: Any) -> Envelope:
    if not isinstance(doc, dict):
        raise VerificationError("DSSE envelope is not a JSON object (truncated or damaged?)")
    sigs = doc.get("signatures")
    if not isinstance(sigs, list) or not sigs:
        raise VerificationError("DSSE envelope has no signatures")
    if not isinstance(doc.get("payloadType"), str):
        raise VerificationError("DSSE envelope has no payloadType")
    pairs = tuple(
        (str(s.get("keyid") or ""), _b64(s.get("sig"), "signature"))
        for s in sigs
        if isinstance(s, dict)
    )
    return Envelope(doc["payloadType"], _b64(doc.get("payload"), "payload"), pairs)


def parse_envelope(data: bytes) -> Envelope:
    if len(data) > _MAX_ENVELOPE:
        raise VerificationError("DSSE envelope is larger than 16 MiB")
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationError("DSSE envelope is not valid JSON (truncated or damaged)") from exc
    return envelope_from_dict(doc)


def envelope_verified(envelope: Envelope, key: ec.EllipticCurvePublicKey) -> bool:
    message = pae(envelope.payload_type, envelope.payload)
    return any(signature_valid(key, message, sig) for _, sig in envelope.signatures)


@dataclass(frozen=True)
class Statement:
    """The parts of an in-toto Statement hullguard checks."""

    predicate_type: str
    subject_digests: frozenset[str]  # "sha256:hex"
    predicate: Any
    raw: dict[str, Any]


def build_statement(name: str, digest: str, predicate_type: str, predicate: Any) -> bytes:
    algorithm, _, hexdigest = digest.partition(":")
    doc = {
        "_type": STATEMENT_V1,
        "subject": [{"name": name, "digest": {algorithm: hexdigest}}],
        "predicateType": predicate_type,
        "predicate": predicate,
    }
    return json.dumps(doc, separators=(",", ":"), sort_keys=False).encode()


def parse_statement(envelope: Envelope) -> Statement:
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE:
        raise VerificationError(
            f"DSSE payload type is {envelope.payload_type[:80]!r}, not {IN_TOTO_PAYLOAD_TYPE}"
        )
    try:
        doc = json.loads(envelope.payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationError("in-toto statement is not JSON") from exc
    if not isinstance(doc, dict) or doc.get("_type") not in STATEMENT_TYPES:
        raise VerificationError("DSSE payload is not an in-toto Statement")
    digests: set[str] = set()
    for subject in doc.get("subject") or []:
        if isinstance(subject, dict) and isinstance(subject.get("digest"), dict):
            digests.update(f"{alg}:{hexd}" for alg, hexd in subject["digest"].items())
    return Statement(
        str(doc.get("predicateType", "")), frozenset(digests), doc.get("predicate"), doc
    )
