"""``hullguard sbom TARGET``: catalog a target and write an SBOM.

Targets are resolved by :func:`resolve_target` through a scheme registry:
``dir:PATH`` (a root filesystem directory) and ``sbom:FILE`` (re-render an SBOM made
by another tool). Image references are added by the image subsystem.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import click

from hullguard import __version__, prewarm
from hullguard.cli.keyless_flags import keyless_options
from hullguard.cli.options import image_options
from hullguard.cli.registry_options import registry_options
from hullguard.errors import UsageError
from hullguard.fsutil import write_text
from hullguard.model.package import OSInfo, Package
from hullguard.model.sbom import SbomDocument, SbomSubject, SubjectKind
from hullguard.report.cyclonedx import CycloneDxVersion, render_cyclonedx
from hullguard.report.sbom_common import created_time

#: what a target resolves to
Resolved = tuple[tuple[Package, ...], OSInfo | None, SbomSubject]


class SbomFormat(StrEnum):
    CYCLONEDX_JSON = "cyclonedx-json"
    SPDX_JSON = "spdx-json"
    TABLE = "table"
    JSON = "json"


def _resolve_dir(value: str) -> Resolved:
    from hullguard.catalog.dirsource import catalog_directory

    root = Path(value).expanduser()
    result = catalog_directory(root)
    subject = SbomSubject(name=str(root), kind=SubjectKind.DIRECTORY)
    return result.packages, result.os_info, subject


def _resolve_sbom(value: str) -> Resolved:
    from hullguard.catalog.sbom_input import read_sbom

    try:
        data = Path(value).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read SBOM {value}: {exc.strerror}") from exc
    parsed = read_sbom(data)
    return parsed.packages, parsed.os_info, parsed.subject


#: target scheme -> resolver; the image subsystem adds its schemes here
TARGET_SCHEMES: dict[str, Callable[[str], Resolved]] = {
    "dir": _resolve_dir,
    "sbom": _resolve_sbom,
}


def resolve_target(target: str) -> Resolved:
    """``(packages, os_info, subject)`` for a ``scheme:value`` target."""
    scheme, sep, value = target.partition(":")
    resolver = TARGET_SCHEMES.get(scheme) if sep else None
    if resolver is None or not value:
        raise UsageError(
            f"unsupported target {target!r}",
            hint=f"use one of: {', '.join(f'{s}:PATH' for s in TARGET_SCHEMES)}",
        )
    return resolver(value)


def is_file_target(target: str) -> bool:
    """``dir:`` and ``sbom:`` targets; everything else is an image reference."""
    scheme, sep, _ = target.partition(":")
    return bool(sep) and scheme in TARGET_SCHEMES


def resolve_image(ctx: click.Context, reference: str, kwargs: dict[str, Any]) -> Resolved:
    """Open and catalog an image reference with the command's image/registry options."""
    from hullguard.cli.options import build_cache, build_limits, build_open_options
    from hullguard.cli.registry_options import registry_options_from_kwargs
    from hullguard.cli.ui import RichProgress
    from hullguard.image.loader import open_image
    from hullguard.scan.image_sbom import catalog_image

    registry = registry_options_from_kwargs(kwargs, build_limits(kwargs))
    image = open_image(reference, build_open_options(kwargs, registry))
    progress = RichProgress(enabled=not (ctx.find_root().obj or {}).get("quiet"))
    try:
        result = catalog_image(image, build_cache(ctx, kwargs), progress)
    finally:
        progress.close()
        image.close()
    subject = SbomSubject(
        name=reference,
        kind=SubjectKind.IMAGE,
        digest=image.manifest_digest or image.config_digest,
    )
    return result.packages, result.os_info, subject


def _render_spdx(doc: SbomDocument) -> str:
    from hullguard.report.spdx import render_spdx  # spdx-tools is slow to import

    return render_spdx(doc)


#: what each renderer imports when it first runs (imported while layers are read)
_RENDER_IMPORTS: dict[SbomFormat, tuple[str, ...]] = {
    SbomFormat.CYCLONEDX_JSON: ("cyclonedx.spdx",),
    SbomFormat.SPDX_JSON: ("hullguard.report.spdx",),
    SbomFormat.TABLE: ("hullguard.report.package_list",),
    SbomFormat.JSON: ("hullguard.report.package_list",),
}


def _renderers(spec: CycloneDxVersion) -> dict[SbomFormat, Callable[[SbomDocument], str]]:
    from hullguard.report.package_list import render_json, render_table

    return {
        SbomFormat.CYCLONEDX_JSON: lambda d: render_cyclonedx(d, spec),
        SbomFormat.SPDX_JSON: _render_spdx,
        SbomFormat.TABLE: render_table,
        SbomFormat.JSON: render_json,
    }


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (see :func:`hullguard.fsutil.write_text`)."""
    write_text(path, text)


@click.command(
    name="sbom", short_help="Generate an SBOM (CycloneDX, SPDX) of an image or directory."
)
@click.argument("target")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice([f.value for f in SbomFormat]),
    default=SbomFormat.CYCLONEDX_JSON.value,
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option(
    "--spec-version",
    type=click.Choice([v.value for v in CycloneDxVersion]),
    default=CycloneDxVersion.V1_6.value,
    show_default=True,
    help="CycloneDX specification version.",
)
@click.option("--attest", is_flag=True, help="Sign the SBOM and attach it to the image (--key).")
@click.option(
    "--from-attestation", is_flag=True, help="Read the SBOM from a verified attestation instead."
)
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False),
              help="Private key for --attest; public key for --from-attestation.")  # fmt: skip
@keyless_options
@image_options
@registry_options
@click.pass_context
def sbom(
    ctx: click.Context, /, target: str, fmt: str, output: str | None, spec_version: str,
    attest: bool, from_attestation: bool, key_path: str | None, **kw: Any,
) -> None:  # fmt: skip
    """Generate an SBOM of TARGET: an image (see `hullguard image --help`), dir:PATH or sbom:FILE.

    Every package carries its purl, licences, source package (OS packages), the
    path it was found at and the layer (index, diff_id, build step) that added it.
    """
    if attest and from_attestation:
        raise UsageError("use --attest or --from-attestation, not both")
    if from_attestation:
        from hullguard.cli.sbom_attest import sbom_from_attestation

        text = sbom_from_attestation(ctx, target, fmt, key_path, kw)
        if output:
            write_atomically(Path(output), text)
        else:
            click.echo(text, nl=False)
        return
    if is_file_target(target):
        packages, os_info, subject = resolve_target(target)
    else:
        prewarm.soon(*_RENDER_IMPORTS[SbomFormat(fmt)])
        packages, os_info, subject = resolve_image(ctx, target, kw)
    doc = SbomDocument(
        subject=subject,
        os_info=os_info,
        packages=packages,
        created=created_time(datetime.now(UTC)),
        tool_version=__version__,
    )
    text = _renderers(CycloneDxVersion(spec_version))[SbomFormat(fmt)](doc)
    if attest:
        from hullguard.cli.sbom_attest import attest_sbom

        attest_sbom(ctx, target, fmt, text, key_path, kw)
    if output:
        write_atomically(Path(output), text)
    else:
        click.echo(text, nl=False)
