"""``hullguard image``: inspect an image and list its files layer by layer."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

import click

from hullguard.audit.image_config import audit_image, render_lines
from hullguard.cli.options import (
    build_cache,
    build_limits,
    build_open_options,
    format_option,
    image_options,
    output_option,
)
from hullguard.cli.registry_options import registry_options, registry_options_from_kwargs
from hullguard.cli.ui import RichProgress, write_output
from hullguard.errors import UsageError
from hullguard.image.loader import Image, open_image
from hullguard.image.walk import build_layered_view
from hullguard.report.imageinfo import (
    LayerStats,
    files_table,
    inspect_document,
    inspect_table,
    record_document,
)
from hullguard.scan.osinfo import image_os

IMAGE_HELP = """IMAGE is any of:

\b
  alpine:3.19, host:5000/team/app@sha256:...   registry reference
  docker-archive:PATH[:TAG|:@N], PATH.tar       docker save tarball
  oci:DIR[:TAG|@sha256:...]                     OCI image layout
  oci-archive:PATH[:TAG]                        OCI layout in a tar
  docker-daemon:NAME[:TAG]                      local Docker Engine
"""


@click.group(name="image", short_help="Inspect an image: config, layers, history and files.")
def image() -> None:
    """Inspect an image: config, layers, history, files (including deleted ones)."""


def _open(ctx: click.Context, reference: str, kwargs: dict[str, Any]) -> Image:
    registry = _registry_options(kwargs)
    return open_image(reference, build_open_options(kwargs, registry))


def _registry_options(kwargs: dict[str, Any]) -> object | None:
    return registry_options_from_kwargs(kwargs, build_limits(kwargs))


@image.command(name="inspect", epilog=IMAGE_HELP)
@click.argument("reference", metavar="IMAGE")
@image_options
@registry_options
@format_option(["table", "json"], "table")
@output_option
@click.pass_context
def inspect_cmd(
    ctx: click.Context, /, reference: str, fmt: str, output: str | None, **kw: Any
) -> None:
    """Show an image's digest, platform, config, layers and build history."""
    progress = RichProgress(enabled=not ctx.find_root().obj.get("quiet"))
    img = _open(ctx, reference, kw)
    cache = build_cache(ctx, kw)
    try:
        view, per_layer = build_layered_view(img, cache, progress)
        os_info = image_os(img, view, cache)
    finally:
        progress.close()
        img.close()
    stats = {
        idx: LayerStats(sum(r.size for r in recs), len(recs)) for idx, recs in per_layer.items()
    }
    doc = inspect_document(img, stats)
    doc["os"] = asdict(os_info) if os_info else None
    hardening = audit_image(img.config, view.final(), os_info, dt.date.today())
    doc["hardening"] = [f.to_json() for f in hardening]
    if fmt == "json":
        text = json.dumps(doc, indent=2)
    else:
        os_line = f"OS: {os_info.pretty_name or os_info.id}" if os_info else "OS: unknown"
        text = inspect_table(doc) + os_line + "\n" + "\n".join(render_lines(hardening)) + "\n"
    write_output(text, output)


@image.command(name="files", epilog=IMAGE_HELP)
@click.argument("reference", metavar="IMAGE")
@click.option("--layer", "layer_index", type=int, help="Only the entries of layer N (0-based).")
@click.option(
    "--all-layers",
    is_flag=True,
    help="Also list files a later layer replaced or deleted, and whiteout entries.",
)
@image_options
@registry_options
@format_option(["table", "json"], "table")
@output_option
@click.pass_context
def files_cmd(
    ctx: click.Context,
    /,
    reference: str,
    layer_index: int | None,
    all_layers: bool,
    fmt: str,
    output: str | None,
    **kw: Any,
) -> None:
    """List every path with type, size, mode and the layer that added it."""
    progress = RichProgress(enabled=not ctx.find_root().obj.get("quiet"))
    img = _open(ctx, reference, kw)
    try:
        if layer_index is not None and not 0 <= layer_index < len(img.layers):
            raise UsageError(
                f"--layer {layer_index} out of range",
                hint=f"the image has {len(img.layers)} layers",
            )
        view, _ = build_layered_view(img, build_cache(ctx, kw), progress)
    finally:
        progress.close()
        img.close()
    if layer_index is not None:
        records = sorted(view.layer_records(layer_index), key=lambda r: r.path)
    elif all_layers:
        records = view.all_records()
    else:
        records = view.final()
    created_by = {layer.index: layer.created_by for layer in img.layers}
    docs = [record_document(r, created_by) for r in records]
    if fmt == "json":
        text = json.dumps(
            {"reference": reference, "image_id": img.config_digest, "files": docs}, indent=1
        )
    else:
        text = files_table(docs)
    write_output(text, output)
