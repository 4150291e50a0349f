"""``hullguard provenance`` (SLSA v1 predicate from CI) and ``hullguard copy`` (with signatures)."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import datetime
from typing import Any

import click

from hullguard.cli.options import output_option
from hullguard.cli.registry_options import registry_options, registry_options_from_kwargs
from hullguard.cli.sign_helpers import private_key, registry_ref
from hullguard.cli.ui import write_output
from hullguard.errors import UsageError
from hullguard.image.registry import RegistryClient
from hullguard.sign.copy import copy_image
from hullguard.sign.provenance import (
    SLSA_PROVENANCE_V1,
    Dependency,
    build_provenance,
    image_dependency,
    now_utc,
)
from hullguard.sign.service import StorageMode, attest_image
from hullguard.sign.store import resolve


def _warn(ctx: click.Context) -> Any:
    quiet = (ctx.find_root().obj or {}).get("quiet")
    return (lambda _m: None) if quiet else (lambda m: click.echo(f"WARN {m}", err=True))


def _started(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"--started-on {value!r} is not an ISO 8601 time") from exc


@click.command(name="provenance")
@click.argument("image", metavar="IMAGE")
@click.option(
    "--base-image",
    multiple=True,
    metavar="REF",
    help="Base image (resolved to its digest) recorded as a dependency; repeatable.",
)
@click.option("--started-on", metavar="TIME", help="Build start (ISO 8601); GitLab's is read.")
@click.option("--attest", "do_attest", is_flag=True, help="Also sign and attach it to IMAGE.")
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False))
@registry_options
@output_option
@click.pass_context
def provenance(ctx: click.Context, /, image: str, base_image: tuple[str, ...],
               started_on: str | None, do_attest: bool, key_path: str | None,
               output: str | None, **kw: Any) -> None:  # fmt: skip
    """SLSA Provenance v1 predicate for IMAGE from GitHub Actions / GitLab CI variables."""
    options = registry_options_from_kwargs(kw)
    deps: list[Dependency] = []
    for text in base_image:
        ref = registry_ref(text)
        with RegistryClient(ref.registry, options) as client:
            target = resolve(client, ref, _warn(ctx))
        deps.append(image_dependency(ref.name, target.digest))
    predicate = build_provenance(dict(os.environ), now_utc(), deps, started_on=_started(started_on))
    write_output(json.dumps(predicate, indent=2), output)
    if do_attest:
        if not key_path:
            raise UsageError("--attest needs --key")
        result = attest_image(
            registry_ref(image), private_key(key_path), options, SLSA_PROVENANCE_V1, predicate,
            storage=StorageMode.BOTH, warn=_warn(ctx),
        )  # fmt: skip
        click.echo(f"attested {result.reference} ({result.digest})", err=True)


@click.command(name="copy")
@click.argument("source", metavar="SRC")
@click.argument("destination", metavar="DST")
@click.option("--src-insecure", is_flag=True, help="Plain HTTP for a loopback SRC registry only.")
@click.option("--dest-insecure", is_flag=True, help="Plain HTTP for a loopback DST registry only.")
@registry_options
@click.pass_context
def copy(ctx: click.Context, /, source: str, destination: str, src_insecure: bool,
         dest_insecure: bool, **kw: Any) -> None:  # fmt: skip
    """Copy SRC to DST (registries, oci:DIR[:TAG] layouts) with signatures and attestations."""
    options = registry_options_from_kwargs(kw)
    result = copy_image(
        source, destination,
        replace(options, insecure=options.insecure or src_insecure),
        dst_options=replace(options, insecure=options.insecure or dest_insecure),
        warn=_warn(ctx),
    )  # fmt: skip
    write_output("\n".join([f"copied {result.digest}"] + [f"  {c}" for c in result.copied]), None)


SUPPLY_COMMANDS: list[click.Command] = [provenance, copy]
