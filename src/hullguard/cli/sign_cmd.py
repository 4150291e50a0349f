"""``hullguard key / sign / verify / attest / verify-attestation`` (cosign-compatible)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import click

from hullguard.cli.keyless_flags import keyless_options
from hullguard.cli.options import format_option, output_option
from hullguard.cli.registry_options import registry_options, registry_options_from_kwargs
from hullguard.cli.sign_helpers import (
    authorities,
    key_password,
    parse_annotations,
    private_key,
    registry_ref,
)
from hullguard.cli.ui import write_output
from hullguard.errors import UsageError
from hullguard.image.reference import RegistryReference
from hullguard.sign.dsse import predicate_uri
from hullguard.sign.keys import generate_key_pair
from hullguard.sign.policy import enforce, evaluate, load_policy
from hullguard.sign.service import (
    StorageMode,
    attest_image,
    gather_evidence,
    load_predicate,
    sign_image,
    verify_image,
    verify_image_attestations,
)


def _warn(ctx: click.Context) -> Any:
    quiet = (ctx.find_root().obj or {}).get("quiet")
    return (lambda _m: None) if quiet else (lambda m: click.echo(f"WARN {m}", err=True))


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=".hg-key-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    Path(tmp).chmod(mode)
    os.replace(tmp, path)


@click.group(name="key")
def key() -> None:
    """Manage signing keys (cosign's key format)."""


@key.command(name="generate")
@click.option("--output-key-prefix", default="cosign", show_default=True, metavar="NAME")
@click.option("--force", is_flag=True, help="Overwrite existing key files.")
def key_generate(output_key_prefix: str, force: bool) -> None:
    """Write NAME.key (encrypted private key) and NAME.pub (public key)."""
    private, public = Path(f"{output_key_prefix}.key"), Path(f"{output_key_prefix}.pub")
    for path in (private, public):
        if path.exists() and not force:
            raise UsageError(f"{path} exists", hint="pass --force to overwrite it")
    pair = generate_key_pair(key_password(confirm=True))
    _write_atomic(private, pair.private_pem, 0o600)
    _write_atomic(public, pair.public_pem, 0o644)
    click.echo(f"Private key written to {private}\nPublic key written to {public}", err=True)


storage_option = click.option(
    "--storage",
    type=click.Choice([m.value for m in StorageMode]),
    default=None,
    help="tag: cosign's sha256-<hex>.sig/.att tags; referrer: Sigstore bundle as an OCI 1.1 "
    "referrer (tag fallback); both.",
)


@click.command(name="sign")
@click.argument("image", metavar="IMAGE")
@click.option("--key", "key_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-a", "--annotations", multiple=True, metavar="KEY=VALUE")
@storage_option
@registry_options
@format_option(["text", "json"], "text")
@output_option
@click.pass_context
def sign(ctx: click.Context, /, image: str, key_path: str, annotations: tuple[str, ...],
         storage: str | None, fmt: str, output: str | None, **kw: Any) -> None:  # fmt: skip
    """Sign IMAGE's digest with a key; store the signature as cosign does."""
    ref = registry_ref(image)
    result = sign_image(
        ref, private_key(key_path), registry_options_from_kwargs(kw),
        annotations=parse_annotations(annotations),
        storage=StorageMode(storage or StorageMode.TAG), warn=_warn(ctx),
    )  # fmt: skip
    if fmt == "json":
        write_output(json.dumps(result.to_dict(), indent=2), output)
    else:
        lines = [f"signed {ref.name}@{result.digest}"] + [f"  stored {s}" for s in result.stored]
        write_output("\n".join(lines), output)


@click.command(name="verify")
@click.argument("image", metavar="IMAGE")
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False))
@click.option("-a", "--annotations", multiple=True, metavar="KEY=VALUE")
@click.option(
    "--policy",
    type=click.Path(exists=True, dir_okay=False),
    help="Verification policy YAML (authorities + required attestations) instead of --key.",
)
@keyless_options
@registry_options
@format_option(["text", "json"], "text")
@output_option
@click.pass_context
def verify(ctx: click.Context, /, image: str, key_path: str | None, annotations: tuple[str, ...],
           policy: str | None, fmt: str, output: str | None, **kw: Any) -> None:  # fmt: skip
    """Verify IMAGE's signatures (tag and referrer storage); exit 1 when none verifies."""
    ref = registry_ref(image)
    if policy:
        _verify_policy(ctx, ref, Path(policy), fmt, output, kw)
        return
    target, found = verify_image(
        ref, authorities(key_path, kw), registry_options_from_kwargs(kw),
        annotations=parse_annotations(annotations), warn=_warn(ctx),
    )  # fmt: skip
    if fmt == "json":
        write_output(json.dumps([v.to_dict() for v in found], indent=2), output)
        return
    lines = [f"Verified {len(found)} signature(s) of {ref.name}@{target.digest}:"]
    for v in found:
        extra = f" {dict(v.annotations)}" if v.annotations else ""
        ident = v.docker_reference or "(bundle)"
        lines.append(f"  [{v.storage}] {ident} signed by {v.signer}{extra}")
    write_output("\n".join(lines), output)


def _verify_policy(ctx: click.Context, ref: RegistryReference, path: Path, fmt: str,
                   output: str | None, kw: dict[str, Any]) -> None:  # fmt: skip
    policy_set = load_policy(path)
    evidence = gather_evidence(ref, registry_options_from_kwargs(kw), warn=_warn(ctx))
    decision = evaluate(policy_set, evidence)
    if fmt == "json":
        doc = {"image": f"{ref.name}@{evidence.digest}", "allowed": decision.allowed,
               "reasons": list(decision.reasons)}  # fmt: skip
        write_output(json.dumps(doc, indent=2), output)
    else:
        verdict = "allowed" if decision.allowed else "DENIED"
        lines = [f"{ref.name}@{evidence.digest}: {verdict}"] + [f"  {r}" for r in decision.reasons]
        write_output("\n".join(lines), output)
    enforce(decision)


@click.command(name="attest")
@click.argument("image", metavar="IMAGE")
@click.option("--key", "key_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--type",
    "ptype",
    default="custom",
    show_default=True,
    help="slsaprovenance|slsaprovenance1|cyclonedx|spdx|vuln|custom or a URI.",
)
@click.option("--predicate", required=True, type=click.Path(exists=True, dir_okay=False))
@storage_option
@registry_options
@click.pass_context
def attest(ctx: click.Context, /, image: str, key_path: str, ptype: str, predicate: str,
           storage: str | None, **kw: Any) -> None:  # fmt: skip
    """Attach a signed in-toto attestation (DSSE) about IMAGE."""
    ref = registry_ref(image)
    uri = predicate_uri(ptype)
    body = load_predicate(Path(predicate).read_bytes(), predicate)
    result = attest_image(
        ref, private_key(key_path), registry_options_from_kwargs(kw), uri, body,
        storage=StorageMode(storage or StorageMode.BOTH), warn=_warn(ctx),
    )  # fmt: skip
    lines = [f"attested {ref.name}@{result.digest} ({uri})"]
    write_output("\n".join(lines + [f"  stored {s}" for s in result.stored]), None)


@click.command(name="verify-attestation")
@click.argument("image", metavar="IMAGE")
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--type", "ptype", default=None, help="Required predicate type (name or URI).")
@click.option(
    "--policy",
    type=click.Path(exists=True, dir_okay=False),
    help="Verification policy YAML with attestation conditions.",
)
@keyless_options
@registry_options
@format_option(["text", "json"], "text")
@output_option
@click.pass_context
def verify_attestation(ctx: click.Context, /, image: str, key_path: str | None,
                       ptype: str | None, policy: str | None, fmt: str, output: str | None,
                       **kw: Any) -> None:  # fmt: skip
    """Verify IMAGE's attestations: signature, subject digest, predicate type, conditions."""
    ref = registry_ref(image)
    uri = predicate_uri(ptype) if ptype else None
    target, found = verify_image_attestations(
        ref, authorities(key_path, kw), registry_options_from_kwargs(kw), uri, warn=_warn(ctx)
    )
    if policy:
        from hullguard.sign.policy import check_conditions_file

        check_conditions_file(Path(policy), str(ref), found)
    if fmt == "json":
        write_output(json.dumps([a.to_dict() for a in found], indent=2), output)
        return
    lines = [f"Verified {len(found)} attestation(s) of {ref.name}@{target.digest}:"]
    lines += [f"  [{a.storage}] {a.predicate_type} signed by {a.signer}" for a in found]
    write_output("\n".join(lines), output)


SIGN_COMMANDS: list[click.Command] = [key, sign, verify, attest, verify_attestation]
