"""``dir:PATH``: catalog a plain root-filesystem directory.

Walks ``root`` without following directory symlinks; a wanted file that is a symlink
is resolved as if ``root`` were ``/`` (chroot-style) and skipped if it would leave
``root``. Files over ``Limits.max_file_bytes`` are skipped with a warning, never
truncated. Paths handed to catalogers are absolute inside the root (``/etc/os-release``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hullguard.catalog.interface import SNIFF_BYTES, Cataloger
from hullguard.catalog.registry import catalogers as default_catalogers
from hullguard.catalog.run import CatalogResult, any_sniffer, catalog_files, is_wanted, sniff_wanted
from hullguard.errors import SourceError
from hullguard.limits import DEFAULT_LIMITS, Limits
from hullguard.progress import NULL_PROGRESS, Progress

_MAX_LINK_HOPS = 40


def resolve_in_root(root: Path, path: str) -> Path | None:
    """The real file for absolute ``path`` under ``root``, symlinks resolved inside ``root``.

    Returns ``None`` when resolution would leave ``root``, loops, or the file is missing.
    """
    parts = [p for p in path.split("/") if p and p != "."]
    resolved: list[str] = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = root.joinpath(*resolved, part)
        try:
            info = candidate.lstat()
        except OSError:
            return None
        if stat.S_ISLNK(info.st_mode):
            hops += 1
            if hops > _MAX_LINK_HOPS:
                return None
            target = str(candidate.readlink())
            if target.startswith("/"):
                resolved = []
            parts = [p for p in target.split("/") if p and p != "."] + parts
            continue
        resolved.append(part)
    return root.joinpath(*resolved)


def _read_limited(path: Path, limits: Limits, progress: Progress) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            progress.warn(f"skipped {path}: {size} bytes is over the per-file limit")
            return None
        return path.read_bytes()
    except OSError as exc:
        progress.warn(f"skipped {path}: {exc.strerror}")
        return None


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError:
        return b""


def collect_files(
    root: Path,
    selected: list[Cataloger],
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = NULL_PROGRESS,
) -> dict[str, bytes]:
    """Every wanted file under ``root`` as ``{absolute path inside root: content}``."""
    files: dict[str, bytes] = {}
    sniffing = any_sniffer(selected)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        rel_dir = "/" + os.path.relpath(dirpath, root).replace(os.sep, "/").lstrip(".")
        rel_dir = rel_dir.rstrip("/")
        for name in sorted(filenames):
            inside = f"{rel_dir}/{name}"
            real = Path(dirpath, name)
            if not is_wanted(inside, selected):
                if not sniffing or not real.is_file() or real.is_symlink():
                    continue
                if not sniff_wanted(_head(real), selected):
                    continue
            target = resolve_in_root(root, inside) if real.is_symlink() else real
            if target is None or not target.is_file():
                continue
            data = _read_limited(target, limits, progress)
            if data is not None:
                files[inside] = data
    return files


def catalog_directory(
    root: Path,
    selected: list[Cataloger] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = NULL_PROGRESS,
) -> CatalogResult:
    """Packages and OS of the root filesystem at ``root``."""
    if not root.is_dir():
        raise SourceError(
            f"{root} is not a directory", hint="give dir:PATH pointing at a root filesystem"
        )
    chosen = selected if selected is not None else default_catalogers()
    progress.start("catalog", None)
    files = collect_files(root.resolve(), chosen, limits, progress)
    result = catalog_files(files, chosen)
    progress.finish("catalog")
    return result
