"""Key formats: cosign's encrypted PEM (both PEM types, both scrypt N), plain PEMs, errors."""

from __future__ import annotations

import base64
import json
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hullguard.errors import KeyFormatError
from hullguard.sign import keys


def _body(pem: bytes) -> dict[str, object]:
    inner = b"".join(pem.strip().splitlines()[1:-1])
    doc: dict[str, object] = json.loads(base64.b64decode(inner))
    return doc


def test_generated_key_has_cosign_layout_and_round_trips() -> None:
    pair = keys.generate_key_pair(b"pw")
    assert pair.private_pem.startswith(b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
    doc = _body(pair.private_pem)
    assert doc["kdf"] == {
        "name": "scrypt",
        "params": {"N": 65536, "r": 8, "p": 1},
        "salt": doc["kdf"]["salt"],
    }  # type: ignore[index]
    assert doc["cipher"]["name"] == "nacl/secretbox"  # type: ignore[index]
    loaded = keys.load_private_key(pair.private_pem, b"pw")
    assert (
        loaded.public_key().public_numbers()
        == keys.load_public_key(pair.public_pem).public_numbers()
    )


def test_old_cosign_pem_type_and_scrypt_n_32768_load() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = keys.encrypt_private_key(key, b"old", scrypt_n=32768)
    old = pem.replace(b"SIGSTORE", b"COSIGN")
    assert keys.load_private_key(old, b"old").private_numbers() == key.private_numbers()


def test_wrong_password_is_a_clear_error() -> None:
    pair = keys.generate_key_pair(b"right")
    with pytest.raises(KeyFormatError, match="wrong password"):
        keys.load_private_key(pair.private_pem, b"wrong")


def test_unexpected_scrypt_parameters_are_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = keys.encrypt_private_key(key, b"x", scrypt_n=1024)
    with pytest.raises(KeyFormatError, match="scrypt parameters N=1024"):
        keys.load_private_key(pem, b"x")


def test_plain_pkcs8_and_sec1_pems_load() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    for fmt in (serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL):
        pem = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
        assert keys.load_private_key(pem, None).private_numbers() == key.private_numbers()
        assert not keys.is_encrypted(pem)


def test_non_ec_and_garbage_keys_are_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(KeyFormatError, match="only ECDSA"):
        keys.load_private_key(pem, None)
    with pytest.raises(KeyFormatError, match="no public key"):
        keys.load_public_key(b"hello")
    broken = re.sub(
        rb"ciphertext",
        b"cipherteXt",
        base64.b64decode(b"".join(keys.generate_key_pair(b"p").private_pem.splitlines()[1:-1])),
    )
    with pytest.raises(KeyFormatError, match="missing 'ciphertext'"):
        keys.decrypt_private_key(broken, b"p")
