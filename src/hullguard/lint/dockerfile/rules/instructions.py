"""Instruction hygiene: WORKDIR, cd, MAINTAINER, CMD/ENTRYPOINT, stages, EXPOSE, COPY."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullguard.lint.dockerfile.model import Dockerfile
from hullguard.lint.dockerfile.rules.framework import Hit, LintContext, rule, runs
from hullguard.lint.interface import Severity

_WINDOWS_ABS = re.compile(r"^[A-Za-z]:[\\/]")


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


@rule(
    "HGD050",
    "workdir-relative",
    Severity.LOW,
    "Relative WORKDIR depends on the previous one; use an absolute path.",
    aliases=("DL3000",),
    tags=("hygiene",),
)
def workdir_relative(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr in df.instructions:
        if instr.keyword != "WORKDIR" or not instr.args:
            continue
        path = _unquote(instr.args[0])
        if not (path.startswith(("/", "$")) or _WINDOWS_ABS.match(path)):
            yield Hit.at(instr, f"Use an absolute WORKDIR (e.g. `/{path}`).")


@rule(
    "HGD051",
    "cd-in-run",
    Severity.LOW,
    "`cd` in RUN: use WORKDIR to change directory.",
    aliases=("DL3003",),
    tags=("hygiene",),
)
def cd_in_run(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr, script in runs(df):
        if any(c.argv and c.argv[0] == "cd" for c in script.commands):
            yield Hit.at(instr, "Use WORKDIR to switch to a directory instead of `cd` in RUN.")


@rule(
    "HGD052",
    "maintainer-deprecated",
    Severity.INFO,
    "MAINTAINER is deprecated.",
    aliases=("DL4000",),
    tags=("hygiene",),
)
def maintainer(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr in df.instructions:
        if instr.keyword == "MAINTAINER":
            yield Hit.at(
                instr,
                'MAINTAINER is deprecated: use `LABEL org.opencontainers.image.authors="..."`.',
            )


def _repeated(df: Dockerfile, keyword: str) -> Iterator[Hit]:
    for stage in df.stages:
        found = [i for i in stage.instructions if i.keyword == keyword]
        for instr in found[1:]:
            yield Hit.at(
                instr,
                f"Only the last {keyword} of a stage takes effect: keep one "
                f"(first on line {found[0].line}).",
            )


@rule(
    "HGD053",
    "multiple-cmd",
    Severity.LOW,
    "More than one CMD in a stage.",
    aliases=("DL4003",),
    tags=("hygiene",),
)
def multiple_cmd(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    yield from _repeated(df, "CMD")


@rule(
    "HGD054",
    "multiple-entrypoint",
    Severity.LOW,
    "More than one ENTRYPOINT in a stage.",
    aliases=("DL4004",),
    tags=("hygiene",),
)
def multiple_entrypoint(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    yield from _repeated(df, "ENTRYPOINT")


@rule(
    "HGD055",
    "shell-form-cmd",
    Severity.LOW,
    "CMD/ENTRYPOINT in shell form: signals do not reach the process.",
    aliases=("DL3025",),
    tags=("runtime",),
)
def shell_form(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr in df.instructions:
        if instr.json or instr.keyword not in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            continue
        if instr.keyword == "HEALTHCHECK" and instr.args[:1] != ("CMD",):
            continue
        if instr.args or instr.flags:
            yield Hit.at(
                instr,
                f'Use the JSON form for {instr.keyword} (e.g. `["app", "--flag"]`) so the process '
                "receives SIGTERM.",
            )


@rule(
    "HGD056",
    "copy-from-unknown-stage",
    Severity.MEDIUM,
    "`COPY --from` names a stage that is not defined before it.",
    aliases=("DL3022",),
    tags=("correctness",),
)
def copy_from_unknown(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for stage in df.stages:
        earlier = {s.name.lower() for s in df.stages[: stage.index] if s.name}
        for instr in stage.instructions:
            source = instr.flag("from") if instr.keyword == "COPY" else None
            if source is None or source.isdigit() or ":" in source or "$" in source:
                continue
            own = stage.name.lower() if stage.name else ""
            if source.lower() not in earlier and source.lower() != own:
                yield Hit.at(
                    instr,
                    f"`COPY --from={source}` names no earlier stage: define `FROM ... AS "
                    f"{source}` before it, or use an image reference with a tag.",
                )


@rule(
    "HGD057",
    "copy-from-self",
    Severity.MEDIUM,
    "`COPY --from` names the stage it is in.",
    aliases=("DL3023",),
    tags=("correctness",),
)
def copy_from_self(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for stage in df.stages:
        for instr in stage.instructions:
            source = instr.flag("from") if instr.keyword == "COPY" else None
            if source and stage.name and source.lower() == stage.name.lower():
                yield Hit.at(instr, f"`COPY --from={source}` cannot copy from its own stage.")


@rule(
    "HGD058",
    "duplicate-stage-name",
    Severity.MEDIUM,
    "Two stages share one name.",
    aliases=("DL3024",),
    tags=("correctness",),
)
def duplicate_stage(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    seen: set[str] = set()
    for stage in df.stages:
        key = stage.name.lower()
        if key and key in seen:
            yield Hit.at(stage.from_instruction, f"Stage name {stage.name!r} is already used.")
        seen.add(key)


@rule(
    "HGD059",
    "invalid-port",
    Severity.MEDIUM,
    "EXPOSE of a port outside 0-65535.",
    aliases=("DL3011",),
    tags=("correctness",),
)
def invalid_port(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr in df.instructions:
        if instr.keyword != "EXPOSE":
            continue
        for port in (p for a in instr.args for p in a.split()):
            numbers = port.split("/")[0].split("-")
            if any(n.isdigit() and int(n) > 65535 for n in numbers):
                yield Hit.at(instr, f"Port {port} is out of range: use 0-65535.")
                break


@rule(
    "HGD060",
    "multiple-healthcheck",
    Severity.LOW,
    "More than one HEALTHCHECK in a stage.",
    aliases=("DL3012",),
    tags=("hygiene",),
)
def multiple_healthcheck(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    yield from _repeated(df, "HEALTHCHECK")


@rule(
    "HGD061",
    "copy-dest-not-dir",
    Severity.MEDIUM,
    "COPY with several sources needs a destination ending in `/`.",
    aliases=("DL3021",),
    tags=("correctness",),
)
def copy_dest(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr in df.instructions:
        if instr.keyword != "COPY" or len(instr.args) <= 2 or instr.heredocs:
            continue
        if not _unquote(instr.args[-1]).endswith("/"):
            yield Hit.at(instr, f"End the destination with `/`: `{instr.args[-1]}/`.")
