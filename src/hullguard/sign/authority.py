"""Who may have signed: a public key, or a keyless identity under a trusted root.

An authority answers three questions about untrusted material: does this
simple-signing signature verify, does this DSSE envelope verify, and what does
this Sigstore bundle verifiably say. Keyless checking is delegated to
sigstore-python (offline, against ``trusted_root.json``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric import ec

from hullguard.errors import KeyFormatError, VerificationError
from hullguard.sign.bundle import (
    IdentityMatcher,
    IdentityPolicy,
    ParsedBundle,
    key_hint,
    message_digest_verified,
)
from hullguard.sign.dsse import IN_TOTO_PAYLOAD_TYPE, Envelope, envelope_verified
from hullguard.sign.simplesigning import signature_valid


@dataclass(frozen=True)
class BundleResult:
    """What a verified bundle signs: an image digest, or a DSSE envelope."""

    digest: str | None
    envelope: Envelope | None
    signer: str


class Authority(Protocol):
    @property
    def name(self) -> str: ...

    def simple_signature_valid(self, payload: bytes, signature: bytes) -> bool: ...

    def envelope_valid(self, envelope: Envelope) -> bool: ...

    def verify_bundle(self, bundle: ParsedBundle, digest: str) -> BundleResult:
        """Raises :class:`VerificationError` when the bundle does not verify."""
        ...


@dataclass(frozen=True)
class KeyAuthority:
    key: ec.EllipticCurvePublicKey
    label: str = "key"

    @property
    def name(self) -> str:
        return f"{self.label} (sha256 {key_hint(self.key)[:12]}…)"

    def simple_signature_valid(self, payload: bytes, signature: bytes) -> bool:
        return signature_valid(self.key, payload, signature)

    def envelope_valid(self, envelope: Envelope) -> bool:
        return envelope_verified(envelope, self.key)

    def verify_bundle(self, bundle: ParsedBundle, digest: str) -> BundleResult:
        if bundle.keyless:
            raise VerificationError("bundle is signed by a certificate, not by the given key")
        envelope = bundle.envelope
        if envelope is not None:
            if not self.envelope_valid(envelope):
                raise VerificationError("bundle's DSSE signature does not verify with the key")
            return BundleResult(None, envelope, self.name)
        if not message_digest_verified(bundle, self.key, digest):
            raise VerificationError(
                f"bundle's message signature does not verify with the key for {digest}"
            )
        return BundleResult(digest, None, self.name)


@dataclass(frozen=True)
class KeylessAuthority:
    matcher: IdentityMatcher
    trusted_root: Path

    @property
    def name(self) -> str:
        who = self.matcher.identity or f"/{self.matcher.identity_regexp}/"
        issuer = self.matcher.issuer or f"/{self.matcher.issuer_regexp}/"
        return f"keyless {who} from {issuer}"

    def simple_signature_valid(self, payload: bytes, signature: bytes) -> bool:
        return False  # keyless signatures are only read from Sigstore bundles

    def envelope_valid(self, envelope: Envelope) -> bool:
        return False

    def verify_bundle(self, bundle: ParsedBundle, digest: str) -> BundleResult:
        from sigstore.errors import Error as SigstoreError
        from sigstore.hashes import Hashed
        from sigstore.models import Bundle, TrustedRoot
        from sigstore.verify import Verifier
        from sigstore_models.common.v1 import HashAlgorithm

        if not bundle.keyless:
            raise VerificationError("bundle is signed by a key, not by a certificate")
        try:
            root = TrustedRoot.from_file(str(self.trusted_root))
        except (OSError, ValueError, SigstoreError) as exc:
            raise KeyFormatError(f"cannot read trusted root {self.trusted_root}: {exc}") from exc
        policy = IdentityPolicy(self.matcher)
        try:
            parsed = Bundle.from_json(bundle.raw)
            verifier = Verifier(trusted_root=root)
            if bundle.envelope is not None:
                payload_type, payload = verifier.verify_dsse(parsed, policy)
                if payload_type != IN_TOTO_PAYLOAD_TYPE:
                    raise VerificationError(f"bundle payload type {payload_type!r} unexpected")
                return BundleResult(None, Envelope(payload_type, payload, ()), self.name)
            hexdigest = digest.partition(":")[2]
            hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(hexdigest))
            verifier.verify_artifact(hashed, parsed, policy)
        except (SigstoreError, ValueError) as exc:
            raise VerificationError(f"keyless bundle does not verify: {exc}") from exc
        return BundleResult(digest, None, self.name)


def decode_signature(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        return None
