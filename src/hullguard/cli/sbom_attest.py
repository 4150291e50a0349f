"""``hullguard sbom IMAGE --attest --key KEY`` and ``--from-attestation``: SBOMs as attestations.

The SBOM is attached as a signed in-toto attestation (CycloneDX or SPDX
predicate type, cosign-compatible) and read back, verified, from one.
"""

from __future__ import annotations

import json
from typing import Any

import click

from hullguard.cli.registry_options import registry_options_from_kwargs
from hullguard.cli.sign_helpers import authorities, private_key, registry_ref
from hullguard.errors import UsageError
from hullguard.sign.dsse import PREDICATE_URIS, PredicateType
from hullguard.sign.service import StorageMode, attest_image, verify_image_attestations

#: SBOM output format -> attestation predicate type
SBOM_PREDICATES: dict[str, PredicateType] = {
    "cyclonedx-json": PredicateType.CYCLONEDX,
    "spdx-json": PredicateType.SPDX,
}


def _predicate_type(fmt: str) -> str:
    if fmt not in SBOM_PREDICATES:
        raise UsageError(
            f"--attest / --from-attestation need -f cyclonedx-json or spdx-json, not {fmt}"
        )
    return PREDICATE_URIS[SBOM_PREDICATES[fmt]]


def _warn(ctx: click.Context) -> Any:
    quiet = (ctx.find_root().obj or {}).get("quiet")
    return (lambda _m: None) if quiet else (lambda m: click.echo(f"WARN {m}", err=True))


def attest_sbom(
    ctx: click.Context, target: str, fmt: str, text: str, key_path: str | None,
    kw: dict[str, Any],
) -> None:  # fmt: skip
    """Sign the rendered SBOM and attach it to the registry image ``target``."""
    if not key_path:
        raise UsageError("--attest needs --key KEY (the private key)")
    uri = _predicate_type(fmt)
    result = attest_image(
        registry_ref(target), private_key(key_path), registry_options_from_kwargs(kw), uri,
        json.loads(text), storage=StorageMode.BOTH, warn=_warn(ctx),
    )  # fmt: skip
    click.echo(f"attested the SBOM to {result.reference} ({result.digest})", err=True)


def sbom_from_attestation(
    ctx: click.Context, target: str, fmt: str, key_path: str | None, kw: dict[str, Any]
) -> str:
    """The SBOM predicate of a verified attestation of ``target`` (JSON text)."""
    uri = _predicate_type(fmt)
    _, found = verify_image_attestations(
        registry_ref(target), authorities(key_path, kw), registry_options_from_kwargs(kw), uri,
        warn=_warn(ctx),
    )  # fmt: skip
    return json.dumps(found[0].statement.predicate, indent=2, sort_keys=True) + "\n"
