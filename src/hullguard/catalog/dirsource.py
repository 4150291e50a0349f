"""``dir:PATH``: catalog a plain root-filesystem directory.

Walks ``root`` without following directory symlinks; a wanted file that is a symlink
is resolved as if ``root`` were ``/`` (chroot-style) and skipped if it would leave
``root``; other filesystems mounted below ``root`` are not entered (``find -xdev``).
Files over ``Limits.max_file_bytes`` are skipped with a warning, never truncated.
Executables (any execute bit) are sniffed for the ELF catalogers. Paths handed to
catalogers are absolute inside the root (``/etc/os-release``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hullguard.catalog.interface import SNIFF_BYTES, Cataloger
from hullguard.catalog.registry import catalogers as default_catalogers
from hullguard.catalog.run import (
    CatalogResult,
    any_sniffer,
    catalog_files,
    path_filter,
    sniff_candidate,
    sniff_wanted,
)
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


def _same_device(path: Path, device: int) -> bool:
    try:
        return path.lstat().st_dev == device
    except OSError:
        return False


def _sniffable(path: Path, selected: list[Cataloger]) -> bool:
    """A regular (non-link) executable file whose first bytes a cataloger wants."""
    try:
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or not sniff_candidate(info.st_mode):
        return False
    return sniff_wanted(_head(path), selected)


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
    wanted = path_filter(selected)
    root_dev = root.stat().st_dev
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        # like ``find -xdev``: /proc, /sys and other mounts below the root are not walked
        dirnames[:] = sorted(d for d in dirnames if _same_device(Path(dirpath, d), root_dev))
        rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel == "." else f"/{rel}"
        for name in sorted(filenames):
            inside = f"{rel_dir}/{name}"
            real = Path(dirpath, name)
            if wanted(inside):
                target = resolve_in_root(root, inside)
            elif sniffing and _sniffable(real, selected):
                target = real
            else:
                continue
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
