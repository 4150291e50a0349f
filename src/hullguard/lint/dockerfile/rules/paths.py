"""Path helpers for COPY/ADD/WORKDIR: sources, destinations, working directory."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from hullguard.lint.dockerfile.model import Instruction, Stage


def copy_pairs(instr: Instruction) -> tuple[tuple[str, str], ...]:
    """(source, destination as written) for each source of a COPY/ADD."""
    args = instr.args
    if len(args) < 2:
        return ()
    dest, sources = args[-1], args[:-1]
    multi = len(sources) > 1
    return tuple((src, target_path(src, dest, multi)) for src in sources)


def target_path(source: str, dest: str, multi: bool) -> str:
    """Where ``source`` lands given ``dest`` (a directory when it ends in ``/``)."""
    if dest.endswith("/") or multi or dest in (".", "./"):
        name = posixpath.basename(source.rstrip("/")) or source
        return posixpath.join(dest, name)
    return dest


def absolute(path: str, workdir: str) -> str:
    """``path`` resolved against ``workdir`` and normalised."""
    return posixpath.normpath(posixpath.join(workdir, path))


def with_workdir(stage: Stage) -> Iterator[tuple[Instruction, str]]:
    """Each instruction of ``stage`` with the working directory it runs in."""
    workdir = "/"
    for instr in stage.instructions:
        if instr.keyword == "WORKDIR" and instr.args:
            workdir = absolute(instr.args[0], workdir)
        yield instr, workdir


def is_context_root(source: str) -> bool:
    """True for sources that send the whole build context (``COPY . /app``)."""
    return source.rstrip("/") in (".", "./.", "*", "./*", "") or source in ("./", "/")
