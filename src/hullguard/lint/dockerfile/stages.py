"""Stage resolution: global ARGs, ARG substitution in FROM, stage names and bases.

Follows BuildKit: only ARGs declared before the first FROM are visible in FROM
lines; ``--build-arg`` values override their defaults; a FROM naming an earlier
stage (case-insensitive) builds on that stage instead of an image.
"""

from __future__ import annotations

import dataclasses

from hullguard.lint.dockerfile.expand import expand
from hullguard.lint.dockerfile.imageref import parse_image_ref
from hullguard.lint.dockerfile.model import ImageRef, Instruction, Stage

GlobalArgs = tuple[tuple[str, str | None], ...]


def split_arg(token: str) -> tuple[str, str | None]:
    """``NAME=value`` -> (NAME, value); ``NAME`` -> (NAME, None)."""
    name, eq, value = token.partition("=")
    return name, (value if eq else None)


def _global_args(
    instructions: tuple[Instruction, ...], escape: str, build_args: dict[str, str]
) -> tuple[GlobalArgs, dict[str, str]]:
    declared: list[tuple[str, str | None]] = []
    env: dict[str, str] = {}
    for instr in instructions:
        if instr.keyword == "FROM":
            break
        if instr.keyword != "ARG":
            continue
        for token in instr.args:
            name, default = split_arg(token)
            value = build_args.get(name)
            if value is None and default is not None:
                value = expand(default, env, escape).text
            declared.append((name, value))
            if value is not None:
                env[name] = value
    return tuple(declared), env


def _from_parts(instr: Instruction) -> tuple[str, str]:
    """(image, stage name) of a FROM instruction."""
    args = instr.args
    image = args[0] if args else ""
    name = args[2] if len(args) >= 3 and args[1].lower() == "as" else ""
    return image, name


def _resolve_base(
    raw: str, env: dict[str, str], escape: str, earlier: list[Stage]
) -> tuple[str, ImageRef | None, int | None, bool]:
    expansion = expand(raw, env, escape)
    base = expansion.text
    for stage in earlier:
        if stage.name and stage.name.lower() == base.lower():
            return base, None, stage.index, expansion.resolved
    if base == "scratch":
        scratch = ImageRef(raw="scratch", registry="", repository="scratch", tag="", digest="")
        return base, scratch, None, expansion.resolved
    ref = parse_image_ref(base) if expansion.resolved else None
    return base, ref, None, expansion.resolved


def build_stages(
    instructions: tuple[Instruction, ...], escape: str, build_args: dict[str, str]
) -> tuple[tuple[Stage, ...], tuple[Instruction, ...], GlobalArgs]:
    """Group instructions into stages; returns stages, instructions with stage index, ARGs."""
    global_args, env = _global_args(instructions, escape, build_args)
    stages: list[Stage] = []
    tagged: list[Instruction] = []
    current: list[Instruction] = []
    for instr in instructions:
        if instr.keyword == "FROM":
            if stages:
                stages[-1] = _close(stages[-1], current)
            current = []
            instr = dataclasses.replace(instr, stage=len(stages))
            stages.append(_open(instr, env, escape, stages))
        elif stages:
            instr = dataclasses.replace(instr, stage=len(stages) - 1)
            current.append(instr)
        tagged.append(instr)
    if stages:
        stages[-1] = _close(stages[-1], current)
    return tuple(stages), tuple(tagged), global_args


def _open(instr: Instruction, env: dict[str, str], escape: str, earlier: list[Stage]) -> Stage:
    raw, name = _from_parts(instr)
    base, ref, base_stage, resolved = _resolve_base(raw, env, escape, earlier)
    platform = instr.flag("platform") or ""
    return Stage(
        index=instr.stage,
        name=name,
        base_raw=raw,
        base=base,
        ref=ref,
        base_stage=base_stage,
        resolved=resolved,
        platform=expand(platform, env, escape).text if platform else "",
        from_instruction=instr,
        instructions=(),
    )


def _close(stage: Stage, body: list[Instruction]) -> Stage:
    return dataclasses.replace(stage, instructions=(stage.from_instruction, *body))
