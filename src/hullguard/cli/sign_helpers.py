"""Shared pieces of the signing commands: key passwords, key files, authorities, annotations."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from cryptography.hazmat.primitives.asymmetric import ec

from hullguard.errors import KeyFormatError, UsageError
from hullguard.image.reference import RegistryReference, Transport, parse_reference
from hullguard.sign.authority import Authority, KeyAuthority, KeylessAuthority
from hullguard.sign.bundle import IdentityMatcher
from hullguard.sign.keys import is_encrypted, load_private_key, load_public_key

F = TypeVar("F", bound=Callable[..., Any])
#: environment variables holding the private key's password, first wins
PASSWORD_ENV = ("COSIGN_PASSWORD", "HULLGUARD_KEY_PASSWORD")


def key_password(*, confirm: bool, env: dict[str, str] | None = None) -> bytes:
    """The key password from the environment, else from a prompt on the terminal."""
    environ = os.environ if env is None else env
    for name in PASSWORD_ENV:
        if name in environ:
            return environ[name].encode()
    if not sys.stdin.isatty():
        raise UsageError(
            "no key password: not a terminal and COSIGN_PASSWORD is not set",
            hint="export COSIGN_PASSWORD (empty for no password) or run interactively",
        )
    value: str = click.prompt(
        "Enter password for private key", hide_input=True, confirmation_prompt=confirm,
        default="", show_default=False, err=True,
    )  # fmt: skip
    return value.encode()


def read_key_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise KeyFormatError(f"cannot read key file {path}: {exc.strerror}") from exc


def private_key(path: str) -> ec.EllipticCurvePrivateKey:
    data = read_key_file(path)
    password = key_password(confirm=False) if is_encrypted(data) else None
    return load_private_key(data, password)


def registry_ref(text: str) -> RegistryReference:
    ref = parse_reference(text)
    if ref.transport != Transport.REGISTRY or ref.registry is None:
        raise UsageError(
            f"{text} is not a registry image",
            hint="signatures live in a registry: push the image first (e.g. skopeo copy)",
        )
    return ref.registry


def parse_annotations(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise UsageError(f"annotation {value!r} is not KEY=VALUE", hint="e.g. -a env=prod")
        out[key] = rest
    return out


def authorities(key: str | None, kw: dict[str, Any]) -> list[Authority]:
    """The key, or the keyless identity, the user asked to verify against."""
    keyless = any(
        kw.get(k)
        for k in (
            "certificate_identity", "certificate_identity_regexp",
            "certificate_oidc_issuer", "certificate_oidc_issuer_regexp",
        )
    )  # fmt: skip
    if key and keyless:
        raise UsageError("use either --key or the --certificate-* flags, not both")
    if key:
        return [KeyAuthority(load_public_key(read_key_file(key)), Path(key).name)]
    if not keyless:
        raise UsageError(
            "nothing to verify against",
            hint="pass --key PUB, or --certificate-identity and --certificate-oidc-issuer",
        )
    if not kw.get("trusted_root"):
        raise UsageError("keyless verification needs --trusted-root trusted_root.json")
    matcher = IdentityMatcher(
        kw.get("certificate_identity"),
        kw.get("certificate_identity_regexp"),
        kw.get("certificate_oidc_issuer"),
        kw.get("certificate_oidc_issuer_regexp"),
    )
    return [KeylessAuthority(matcher, Path(kw["trusted_root"]))]
