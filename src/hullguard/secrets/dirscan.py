"""Secret scan of a plain directory (``dir:PATH``, e.g. a build context).

This is the I/O side for directories: it walks the tree without following any
symlink (so nothing outside the root is ever read), opens files with
``O_NOFOLLOW``, honours the scanner's size cap, and reports paths relative to
the root with ``/`` separators. Inside a ``.git`` directory only ``config`` is
looked at (the repository itself is flagged; its packed history is not parsed).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from hullguard.errors import UsageError
from hullguard.progress import NULL_PROGRESS, Progress
from hullguard.secrets.interface import HEAD_BYTES, SecretMatch
from hullguard.secrets.scanner import SecretScanner


@dataclass(frozen=True)
class DirScanResult:
    """Matches (sorted) and what was read or skipped, with the reason."""

    matches: tuple[SecretMatch, ...]
    files_scanned: int
    bytes_scanned: int
    skipped: tuple[tuple[str, str], ...]


def _walk(root: Path) -> tuple[list[tuple[str, os.stat_result]], list[tuple[str, str]]]:
    """Regular files under ``root`` (relative path, lstat), never crossing a symlink."""
    files: list[tuple[str, os.stat_result]] = []
    skipped: list[tuple[str, str]] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            entries = sorted(os.scandir(os.path.join(root, rel_dir)), key=lambda e: e.name)  # noqa: PTH118
        except OSError as exc:
            skipped.append((rel_dir or ".", f"unreadable directory: {exc.strerror}"))
            continue
        in_git = rel_dir.rsplit("/", 1)[-1] == ".git"
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                skipped.append((rel, "symlink (not followed)"))
            elif stat.S_ISDIR(st.st_mode):
                if not in_git:  # a repository's internals are not walked
                    stack.append(rel)
            elif stat.S_ISREG(st.st_mode) and (not in_git or entry.name == "config"):
                files.append((rel, st))
    files.sort(key=lambda f: f[0])
    return files, skipped


def _read(path: str, limit: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        return fh.read(limit)


def scan_directory(
    root: str | Path,
    scanner: SecretScanner,
    *,
    path_prefix: str = "",
    progress: Progress = NULL_PROGRESS,
) -> DirScanResult:
    """Scan every regular file under ``root``; paths in matches are relative to it.

    ``path_prefix`` is put in front of every reported path (e.g. ``usr/share/doc``
    to scan an unpacked image subtree under the paths it has in the image).
    """
    base = Path(root)
    if not base.is_dir():
        raise UsageError(
            f"{root} is not a directory", hint="give dir:PATH of an existing directory"
        )
    files, skipped = _walk(base)
    matches: list[SecretMatch] = []
    scanned = total = 0
    progress.start("secrets", len(files))
    for rel, st in files:
        progress.advance("secrets", 1)
        try:
            name = f"{path_prefix.rstrip('/')}/{rel}" if path_prefix else rel
            found, nbytes = _scan_one(os.path.join(base, rel), name, st.st_size, scanner)  # noqa: PTH118
        except OSError as exc:
            skipped.append((rel, f"unreadable: {exc.strerror}"))
            progress.warn(f"cannot read {rel}: {exc.strerror}")
            continue
        if nbytes < 0:
            skipped.append((rel, "over size cap or binary"))
        else:
            scanned += 1
            total += nbytes
        matches.extend(found)
    progress.finish("secrets")
    return DirScanResult(tuple(sorted(matches)), scanned, total, tuple(sorted(skipped)))


def _scan_one(
    path: str, rel: str, size: int, scanner: SecretScanner
) -> tuple[list[SecretMatch], int]:
    """Matches of one file and the bytes scanned (-1 when its content was skipped)."""
    if size > scanner.max_file_bytes:
        flagged = scanner.is_sensitive_path(rel, None)
        return ([flagged] if flagged else []), -1
    head = _read(path, HEAD_BYTES)
    if not scanner.wants(rel, size, head):
        return [], -1
    data = head if size <= len(head) else _read(path, scanner.max_file_bytes + 1)
    return scanner.scan_bytes(rel, data), len(data)
