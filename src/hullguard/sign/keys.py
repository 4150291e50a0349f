"""Signing keys in cosign's formats (sans-I/O: bytes in, bytes out).

Owns P-256 key generation, the encrypted private key PEM cosign writes
(``ENCRYPTED SIGSTORE PRIVATE KEY``; the older ``ENCRYPTED COSIGN PRIVATE KEY``
reads the same way): a JSON document holding scrypt KDF parameters and a NaCl
secretbox around the PKCS#8 DER key. Plain PKCS#8 / SEC1 PEM EC keys and PKIX
public key PEMs load too. scrypt comes from ``cryptography``, secretbox from
``pynacl``; nothing is hand-rolled.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from typing import Any

import nacl.exceptions
import nacl.secret
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from hullguard.errors import KeyFormatError

SIGSTORE_PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY"
COSIGN_PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY"
#: scrypt work factors: cosign writes N=65536; keys from cosign < 1.x used 32768
SCRYPT_N = 65536
SCRYPT_N_ALLOWED = frozenset({32768, 65536})
_MAX_KEY_FILE = 64 * 1024
_PEM_RE = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----", re.DOTALL)


@dataclass(frozen=True)
class KeyPair:
    """A private key and the PEMs written for it."""

    private_key: ec.EllipticCurvePrivateKey
    private_pem: bytes
    public_pem: bytes


def generate_key_pair(password: bytes) -> KeyPair:
    """A new P-256 key pair; the private key encrypted the way cosign does."""
    key = ec.generate_private_key(ec.SECP256R1())
    return KeyPair(key, encrypt_private_key(key, password), public_key_pem(key.public_key()))


def public_key_pem(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _scrypt(password: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password)


def encrypt_private_key(
    key: ec.EllipticCurvePrivateKey, password: bytes, *, scrypt_n: int = SCRYPT_N
) -> bytes:
    """``ENCRYPTED SIGSTORE PRIVATE KEY`` PEM around the PKCS#8 DER of ``key``."""
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    salt, nonce = os.urandom(32), os.urandom(nacl.secret.SecretBox.NONCE_SIZE)
    box = nacl.secret.SecretBox(_scrypt(password, salt, scrypt_n, 8, 1))
    sealed = box.encrypt(der, nonce).ciphertext
    doc = {
        "kdf": {"name": "scrypt", "params": {"N": scrypt_n, "r": 8, "p": 1}, "salt": _b64(salt)},
        "cipher": {"name": "nacl/secretbox", "nonce": _b64(nonce)},
        "ciphertext": _b64(sealed),
    }
    return _pem(SIGSTORE_PEM_TYPE, json.dumps(doc, separators=(",", ":")).encode())


def _pem(kind: str, body: bytes) -> bytes:
    text = base64.b64encode(body).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return f"-----BEGIN {kind}-----\n{chr(10).join(lines)}\n-----END {kind}-----\n".encode()


def _pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    if len(data) > _MAX_KEY_FILE:
        raise KeyFormatError(f"key file is over {_MAX_KEY_FILE} bytes", hint="is it a key?")
    out = []
    for match in _PEM_RE.finditer(data):
        try:
            out.append((match.group(1).decode(), base64.b64decode(match.group(2), validate=False)))
        except (binascii.Error, ValueError) as exc:
            raise KeyFormatError("key file has a PEM block that is not base64") from exc
    return out


def _field(doc: Any, *path: str) -> Any:
    value = doc
    for name in path:
        if not isinstance(value, dict) or name not in value:
            raise KeyFormatError(
                f"encrypted key is missing '{'.'.join(path)}'",
                hint="the file is damaged or not a cosign key",
            )
        value = value[name]
    return value


def _b64field(doc: Any, *path: str) -> bytes:
    value = _field(doc, *path)
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError(f"encrypted key field '{'.'.join(path)}' is not base64") from exc


def decrypt_private_key(body: bytes, password: bytes) -> ec.EllipticCurvePrivateKey:
    """Open the JSON body of an encrypted cosign/sigstore key PEM."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise KeyFormatError("encrypted key is not JSON", hint="is it a cosign key?") from exc
    if _field(doc, "kdf", "name") != "scrypt" or _field(doc, "cipher", "name") != "nacl/secretbox":
        raise KeyFormatError("encrypted key uses a KDF or cipher other than scrypt + secretbox")
    params = _field(doc, "kdf", "params")
    n, r, p = (params.get(k) if isinstance(params, dict) else None for k in ("N", "r", "p"))
    if n not in SCRYPT_N_ALLOWED or r != 8 or p != 1:
        raise KeyFormatError(f"encrypted key has unexpected scrypt parameters N={n} r={r} p={p}")
    salt, nonce = _b64field(doc, "kdf", "salt"), _b64field(doc, "cipher", "nonce")
    sealed = _b64field(doc, "ciphertext")
    if len(nonce) != nacl.secret.SecretBox.NONCE_SIZE:
        raise KeyFormatError("encrypted key has a nonce of the wrong length")
    try:
        der = nacl.secret.SecretBox(_scrypt(password, salt, n, 8, 1)).decrypt(sealed, nonce)
    except nacl.exceptions.CryptoError as exc:
        raise KeyFormatError(
            "cannot decrypt the private key: wrong password",
            hint="set COSIGN_PASSWORD (or HULLGUARD_KEY_PASSWORD) to the key's password",
        ) from exc
    return _ec_private(serialization.load_der_private_key(der, password=None))


def _ec_private(key: object) -> ec.EllipticCurvePrivateKey:
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise KeyFormatError("only ECDSA keys are supported", hint="use a P-256 key")
    if not isinstance(key.curve, (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)):
        raise KeyFormatError(f"unsupported curve {key.curve.name}", hint="use P-256")
    return key


def is_encrypted(data: bytes) -> bool:
    """True when the key file needs a password (so the CLI knows whether to prompt)."""
    return any(k in (SIGSTORE_PEM_TYPE, COSIGN_PEM_TYPE) for k, _ in _pem_blocks(data))


def load_private_key(data: bytes, password: bytes | None) -> ec.EllipticCurvePrivateKey:
    """A private key from a cosign encrypted PEM or a plain PKCS#8 / SEC1 PEM."""
    for kind, body in _pem_blocks(data):
        if kind in (SIGSTORE_PEM_TYPE, COSIGN_PEM_TYPE):
            if password is None:
                raise KeyFormatError("the private key is encrypted and no password was given")
            return decrypt_private_key(body, password)
        if kind in ("PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"):
            secret = password if kind == "ENCRYPTED PRIVATE KEY" else None
            try:
                pem = _pem(kind, body)
                return _ec_private(serialization.load_pem_private_key(pem, password=secret))
            except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
                raise KeyFormatError(f"cannot read the {kind} PEM: {exc}") from exc
    raise KeyFormatError(
        "no private key found in the key file",
        hint="expected ENCRYPTED SIGSTORE PRIVATE KEY, PRIVATE KEY or EC PRIVATE KEY PEM",
    )


def load_public_key(data: bytes) -> ec.EllipticCurvePublicKey:
    """A public key from a PKIX ``PUBLIC KEY`` PEM (or the key of a private key PEM)."""
    for kind, body in _pem_blocks(data):
        if kind == "PUBLIC KEY":
            try:
                key = serialization.load_der_public_key(body)
            except (ValueError, UnsupportedAlgorithm) as exc:
                raise KeyFormatError(f"cannot read the public key: {exc}") from exc
            if not isinstance(key, ec.EllipticCurvePublicKey):
                raise KeyFormatError("only ECDSA public keys are supported")
            return key
        if kind in ("PRIVATE KEY", "EC PRIVATE KEY"):
            return load_private_key(data, None).public_key()
    raise KeyFormatError(
        "no public key found in the key file",
        hint="pass the .pub file written by 'hullguard key generate' or 'cosign generate-key-pair'",
    )
