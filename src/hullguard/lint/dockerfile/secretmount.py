"""The "secret deleted too late" pattern and its BuildKit secret-mount rewrite.

Detects ``COPY .npmrc /root/.npmrc`` followed by ``RUN ... && rm /root/.npmrc``
in the same stage (the file stays in the COPY layer), and builds the fix:
the COPY becomes a comment, the RUN gets
``--mount=type=secret,id=npmrc,target=/root/.npmrc`` and loses the ``rm``.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from hullguard.lint.dockerfile.model import Dockerfile, Instruction, Stage
from hullguard.lint.dockerfile.rules.framework import run_script
from hullguard.lint.dockerfile.rules.paths import absolute, copy_pairs, with_workdir
from hullguard.lint.dockerfile.sensitive import classify
from hullguard.lint.interface import Fix, TextEdit


@dataclass(frozen=True)
class Removal:
    """A sensitive file copied by ``copy`` and deleted (too late) by ``run``."""

    copy: Instruction
    run: Instruction
    source: str
    target: str
    removed: str
    secret_id: str
    #: another RUN between copy and removal also needs the file
    shared: bool


@dataclass(frozen=True)
class _Copied:
    instr: Instruction
    source: str
    target: str


def secret_id(source: str) -> str:
    """A secret id derived from the file name (``.npmrc`` -> ``npmrc``)."""
    name = source.rstrip("/").rsplit("/", 1)[-1].lstrip(".")
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "secret"


def too_late_removals(df: Dockerfile) -> list[Removal]:
    """Every removal of a previously copied sensitive file, per stage."""
    out: list[Removal] = []
    for stage in df.stages:
        out.extend(_stage_removals(stage))
    return out


def _stage_removals(stage: Stage) -> list[Removal]:
    copied: list[_Copied] = []
    runs_since: dict[int, int] = {}
    out: list[Removal] = []
    for instr, workdir in with_workdir(stage):
        if instr.keyword in ("COPY", "ADD") and not instr.heredocs:
            for source, dest in copy_pairs(instr):
                if classify(source) or classify(dest):
                    copied.append(_Copied(instr, source, absolute(dest, workdir)))
                    runs_since[len(copied) - 1] = 0
        elif instr.keyword == "RUN":
            for index, item in enumerate(copied):
                token = _removed_token(instr, workdir, item.target)
                if token is not None:
                    shared = runs_since[index] > 0
                    out.append(
                        Removal(
                            item.instr,
                            instr,
                            item.source,
                            item.target,
                            token,
                            secret_id(item.source),
                            shared,
                        )
                    )
                runs_since[index] += 1
    return out


def _removed_token(run: Instruction, workdir: str, target: str) -> str | None:
    for cmd in run_script(run).named("rm"):
        for arg in cmd.args:
            if arg.startswith("-"):
                continue
            path = absolute(arg, workdir)
            if path == target or target.startswith(path + "/") or fnmatch.fnmatchcase(target, path):
                return arg
    return None


def secret_mount_fix(df: Dockerfile, removal: Removal) -> Fix | None:
    """The rewrite, when it is safe: one-source COPY, shell-form RUN, a lone ``rm``."""
    copy, run = removal.copy, removal.run
    if removal.shared or len(copy.args) != 2 or copy.flag("from") or run.json:
        return None
    if removal.source.endswith("/") or "*" in removal.source:
        return None
    block = "\n".join(df.lines[run.line - 1 : run.end_line]) + "\n"
    new_block = _drop_rm(block, removal.removed, df.escape)
    if new_block is None:
        return None
    mount = f"--mount=type=secret,id={removal.secret_id},target={removal.target}"
    new_block, count = re.subn(
        r"^(\s*RUN)([ \t]+)", rf"\1 {mount}\2", new_block, count=1, flags=re.I
    )
    if count != 1:
        return None
    indent = df.lines[copy.line - 1][: copy.column - 1]
    comment = (
        f"{indent}# {removal.source} is now a build secret: "
        f"docker build --secret id={removal.secret_id},src={removal.source}\n"
    )
    return Fix(
        description=f"mount {removal.source} as a BuildKit secret instead of copying it",
        edits=(
            TextEdit(copy.line, copy.end_line, comment),
            TextEdit(run.line, run.end_line, new_block),
        ),
    )


def _drop_rm(block: str, token: str, escape: str) -> str | None:
    rm = r"rm(?:[ \t]+-[A-Za-z-]+)*[ \t]+" + re.escape(token)
    esc = re.escape(escape)
    cont = rf"(?:{esc}[ \t]*\n[ \t]*)?"
    end = rf"(?=[ \t]*(?:{esc}?[ \t]*\n|$|&&|;|\|\|))"
    candidates = (
        rf"[ \t]*{cont}(?:&&|;)[ \t]*{rm}{end}",
        rf"(?m)^[ \t]*{rm}[ \t]*\n",
        rf"(?<=RUN )[ \t]*{rm}[ \t]*(?:&&|;)[ \t]*{cont}",
    )
    for pattern in candidates:
        new, count = re.subn(pattern, "", block)
        if count == 1:
            return new
        if count > 1:
            return None
    return None
