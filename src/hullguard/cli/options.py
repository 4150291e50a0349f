"""Shared click options: image selection, limits, cache, output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from hullguard.cache import AnalysisCache, default_cache_dir
from hullguard.image.loader import OpenOptions, parse_platform_flag
from hullguard.limits import DEFAULT_LIMITS, Limits, MiB

F = TypeVar("F", bound=Callable[..., Any])


def image_options(func: F) -> F:
    """--platform and the untrusted-input limits."""
    decorators = [
        click.option(
            "--platform",
            metavar="OS/ARCH[/VARIANT]",
            help="Platform to pick from a multi-platform image (default: this machine's).",
        ),
        click.option(
            "--max-layer-size",
            type=click.IntRange(1),
            metavar="MiB",
            help="Largest uncompressed layer to read (default 32768).",
        ),
        click.option(
            "--max-ratio",
            type=click.FloatRange(1.0),
            help="Largest layer decompression ratio before it counts as a bomb (default 200).",
        ),
        click.option(
            "--max-file-size",
            type=click.IntRange(1),
            metavar="MiB",
            help="Largest file read into memory for analysis (default 64).",
        ),
        click.option("--no-cache", is_flag=True, help="Do not read or write the layer cache."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def build_limits(kwargs: dict[str, Any]) -> Limits:
    changes: dict[str, Any] = {}
    if kwargs.get("max_layer_size"):
        changes["max_layer_uncompressed_bytes"] = kwargs["max_layer_size"] * MiB
    if kwargs.get("max_ratio"):
        changes["max_decompression_ratio"] = kwargs["max_ratio"]
    if kwargs.get("max_file_size"):
        changes["max_file_bytes"] = kwargs["max_file_size"] * MiB
    if not changes:
        return DEFAULT_LIMITS
    from dataclasses import replace

    return replace(DEFAULT_LIMITS, **changes)


def build_open_options(kwargs: dict[str, Any], registry: object | None = None) -> OpenOptions:
    platform = kwargs.get("platform")
    return OpenOptions(
        platform=parse_platform_flag(platform) if platform else None,
        limits=build_limits(kwargs),
        registry=registry,
    )


def build_cache(ctx: click.Context, kwargs: dict[str, Any]) -> AnalysisCache:
    if kwargs.get("no_cache"):
        return AnalysisCache(None)
    root = (ctx.find_root().obj or {}).get("cache_dir")
    return AnalysisCache(Path(root) if root else default_cache_dir())


def format_option(choices: list[str], default: str) -> Callable[[F], F]:
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Report format.",
    )


output_option = click.option(
    "-o", "--output", metavar="FILE", help="Write the report to FILE instead of stdout."
)


def resolve_db_path(ctx: click.Context, db: str | None) -> Path:
    """``--db`` if given, else ``<--cache-dir>/db/vuln.db``, else the default.

    Here, not in ``db_cmd``: ``scan`` needs only this, and importing the ``db``
    commands pulls in the importers and the registry client (~0.3 s).
    """
    if db:
        return Path(db).expanduser()
    cache_dir = (ctx.obj or {}).get("cache_dir") if ctx.obj is not None else None
    if cache_dir:
        return Path(cache_dir) / "db" / "vuln.db"
    from hullguard.vulndb.store import default_db_path

    return default_db_path()
