"""Sigstore bundles (v0.3): built for key signatures, verified with a key or keyless.

Key-signed bundles carry ``verificationMaterial.publicKey.hint`` and either a
``messageSignature`` (the artifact is the image manifest, so ``messageDigest``
is the image digest) or a ``dsseEnvelope`` (attestations). Keyless bundles
(Fulcio certificate + Rekor entries) are verified offline by sigstore-python
against a ``trusted_root.json``, with identity/issuer matched exactly or by
regular expression (sigstore-python has no regexp policy, hence ``IdentityPolicy``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from hullguard.errors import UsageError, VerificationError
from hullguard.sign.attachments import BUNDLE_MEDIA_TYPE
from hullguard.sign.dsse import Envelope, envelope_from_dict

_OIDC_ISSUER_V1 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
_OIDC_ISSUER_V2 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
_OTHERNAME = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.7")


def key_hint(key: ec.EllipticCurvePublicKey) -> str:
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def message_bundle(key: ec.EllipticCurvePrivateKey, artifact: bytes) -> bytes:
    """A bundle signing ``artifact`` (the image manifest bytes) with ``key``."""
    signature = key.sign(artifact, ec.ECDSA(hashes.SHA256()))
    doc = {
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": key_hint(key.public_key())}},
        "messageSignature": {
            "messageDigest": {
                "algorithm": "SHA2_256",
                "digest": _b64(hashlib.sha256(artifact).digest()),
            },
            "signature": _b64(signature),
        },
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def dsse_bundle(key: ec.EllipticCurvePublicKey, envelope: Envelope) -> bytes:
    doc = {
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": key_hint(key)}},
        "dsseEnvelope": envelope.to_dict(),
    }
    return json.dumps(doc, separators=(",", ":")).encode()


@dataclass(frozen=True)
class ParsedBundle:
    raw: bytes
    doc: dict[str, Any]

    @property
    def keyless(self) -> bool:
        material = self.doc.get("verificationMaterial") or {}
        return isinstance(material, dict) and (
            "certificate" in material or "x509CertificateChain" in material
        )

    @property
    def envelope(self) -> Envelope | None:
        env = self.doc.get("dsseEnvelope")
        return envelope_from_dict(env) if env is not None else None


def parse_bundle(data: bytes) -> ParsedBundle:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationError("Sigstore bundle is not JSON (truncated or damaged)") from exc
    if not isinstance(doc, dict) or not str(doc.get("mediaType", "")).startswith(
        "application/vnd.dev.sigstore.bundle"
    ):
        raise VerificationError("not a Sigstore bundle (no bundle mediaType)")
    return ParsedBundle(data, doc)


def message_digest_verified(
    bundle: ParsedBundle, key: ec.EllipticCurvePublicKey, digest: str
) -> bool:
    """True when the bundle's messageSignature signs exactly ``digest`` with ``key``."""
    sig = bundle.doc.get("messageSignature")
    if not isinstance(sig, dict):
        return False
    md = sig.get("messageDigest") or {}
    try:
        claimed = base64.b64decode(str(md.get("digest", "")), validate=True)
        signature = base64.b64decode(str(sig.get("signature", "")), validate=True)
    except ValueError:
        return False
    algorithm, _, hexdigest = digest.partition(":")
    if algorithm != "sha256" or md.get("algorithm") != "SHA2_256":
        return False
    if claimed.hex() != hexdigest:
        return False
    try:
        key.verify(signature, claimed, ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class IdentityMatcher:
    """Certificate identity (SAN) and OIDC issuer, each exact or a regular expression."""

    identity: str | None = None
    identity_regexp: str | None = None
    issuer: str | None = None
    issuer_regexp: str | None = None

    def __post_init__(self) -> None:
        if not (self.identity or self.identity_regexp):
            raise UsageError(
                "keyless verification needs --certificate-identity or --certificate-identity-regexp"
            )
        if not (self.issuer or self.issuer_regexp):
            raise UsageError(
                "keyless verification needs --certificate-oidc-issuer or "
                "--certificate-oidc-issuer-regexp"
            )
        for pattern in (self.identity_regexp, self.issuer_regexp):
            if pattern:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise UsageError(f"invalid regular expression {pattern!r}: {exc}") from exc

    def matches(self, identities: set[str], issuer: str) -> str | None:
        """``None`` when the certificate matches; else why not."""
        if not _one_matches(identities, self.identity, self.identity_regexp):
            return f"certificate identities {sorted(identities)} do not match"
        if not _one_matches({issuer}, self.issuer, self.issuer_regexp):
            return f"certificate OIDC issuer {issuer!r} does not match"
        return None


def _one_matches(values: set[str], exact: str | None, pattern: str | None) -> bool:
    if exact is not None and exact not in values:
        return False
    return pattern is None or any(re.fullmatch(pattern, v) for v in values)


def certificate_identities(cert: x509.Certificate) -> tuple[set[str], str]:
    """The SAN values and the OIDC issuer of a Fulcio certificate."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set(), ""
    values = set(san.get_values_for_type(x509.RFC822Name))
    values.update(san.get_values_for_type(x509.UniformResourceIdentifier))
    values.update(
        o.value.decode(errors="replace")
        for o in san.get_values_for_type(x509.OtherName)
        if o.type_id == _OTHERNAME
    )
    return values, _issuer(cert)


def _issuer(cert: x509.Certificate) -> str:
    for oid, der in ((_OIDC_ISSUER_V2, True), (_OIDC_ISSUER_V1, False)):
        try:
            ext = cert.extensions.get_extension_for_oid(oid).value
        except x509.ExtensionNotFound:
            continue
        raw = ext.value if isinstance(ext, x509.UnrecognizedExtension) else b""
        if der and len(raw) > 2 and raw[0] == 0x0C:
            length, start = raw[1], 2
            if length & 0x80:
                count = length & 0x7F
                length, start = int.from_bytes(raw[2 : 2 + count], "big"), 2 + count
            return raw[start : start + length].decode(errors="replace")
        if not der:
            return raw.decode(errors="replace")
    return ""


class IdentityPolicy:
    """sigstore-python verification policy backed by :class:`IdentityMatcher`."""

    def __init__(self, matcher: IdentityMatcher) -> None:
        self.matcher = matcher

    def verify(self, cert: x509.Certificate) -> None:
        from sigstore.errors import VerificationError as SigstoreVerificationError

        identities, issuer = certificate_identities(cert)
        problem = self.matcher.matches(identities, issuer)
        if problem is not None:
            raise SigstoreVerificationError(problem)
