"""Dockerfile parser: bytes in, :class:`Dockerfile` out (no I/O).

The instruction split (continuations, the ``escape`` directive, comments inside
continuations, JSON vs shell form, flags, heredocs) is done by BuildKit's own Go
parser through the ``dockerfile`` package, so hullguard reads a file exactly the
way ``docker build`` does; writing a second parser would only add disagreements
(see docs/adr/0130-dockerfile-parser.md). On top of it this module adds what
BuildKit's parser leaves to the builder: parser directives, heredoc modifiers,
column numbers, ignore pragmas and stage resolution (see ``stages.py``).
"""

from __future__ import annotations

import re

import dockerfile as buildkit

from hullguard.lint.dockerfile.model import Dockerfile, Flag, Heredoc, Instruction
from hullguard.lint.dockerfile.stages import build_stages
from hullguard.lint.interface import LintError

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_PRAGMA = re.compile(
    r"^\s*#\s*(?:hullguard|hadolint)\s+(global\s+)?ignore\s*=\s*([A-Za-z0-9_,\s-]+?)\s*$"
)
_HEREDOC_TOKEN = re.compile(r"(?:^|\s)\d*<<(-?)([\"']?)([A-Za-z0-9_.-]+)\2")
_BOM = "\ufeff"


class DockerfileError(LintError):
    """The Dockerfile cannot be read or parsed."""


def decode(data: bytes, path: str) -> str:
    """UTF-8 text of a Dockerfile; binary or non-UTF-8 input is refused."""
    if b"\x00" in data:
        raise DockerfileError(
            f"{path}: not a Dockerfile (binary data)", hint="pass the path of a text Dockerfile"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DockerfileError(
            f"{path}: not UTF-8 text (byte {exc.start})", hint="save the Dockerfile as UTF-8"
        ) from None
    return text.removeprefix(_BOM)


#: instructions BuildKit accepts (anything else fails `docker build`)
KNOWN_INSTRUCTIONS = frozenset(
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY",
        "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL",
        "HEALTHCHECK", "SHELL",
    }
)  # fmt: skip


def parse(
    data: bytes, path: str = "Dockerfile", build_args: dict[str, str] | None = None
) -> Dockerfile:
    """Parse a Dockerfile. Raises :class:`DockerfileError` on unusable input."""
    text = decode(data, path)
    lines = tuple(text.splitlines())
    directives = _directives(lines)
    escape = dict(directives).get("escape", "\\")
    if escape not in ("\\", "`"):
        raise DockerfileError(
            f"{path}: invalid escape directive {escape!r}", hint="use '\\' or '`'"
        )
    commands = _buildkit_parse(text, path)
    instructions = tuple(_instruction(cmd, lines) for cmd in commands)
    for instr in instructions:
        if instr.keyword not in KNOWN_INSTRUCTIONS:
            raise DockerfileError(
                f"{path}:{instr.line}: unknown instruction {instr.keyword}",
                hint="is this a Dockerfile? `docker build` would fail here too",
            )
    stages, instructions, global_args = build_stages(instructions, escape, build_args or {})
    if not stages:
        raise DockerfileError(
            f"{path}: no FROM instruction",
            hint="is this a Dockerfile? every build starts with FROM",
        )
    ignores, global_ignores = _pragmas(lines, instructions)
    return Dockerfile(
        path=path,
        lines=lines,
        directives=directives,
        escape=escape,
        instructions=instructions,
        stages=stages,
        global_args=global_args,
        ignores=ignores,
        global_ignores=global_ignores,
    )


def _buildkit_parse(text: str, path: str) -> tuple[buildkit.Command, ...]:
    if not text.strip():
        raise DockerfileError(f"{path}: empty Dockerfile", hint="a Dockerfile needs a FROM line")
    try:
        commands = buildkit.parse_string(text)
    except buildkit.GoParseError as exc:
        raise DockerfileError(
            f"{path}: {exc}", hint="fix the Dockerfile syntax; `docker build` would fail too"
        ) from None
    return tuple(commands)


def _directives(lines: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Parser directives: ``# key=value`` lines at the very top of the file."""
    found: list[tuple[str, str]] = []
    for line in lines:
        match = _DIRECTIVE.match(line)
        if not match or match.group(1).lower() not in _KNOWN_DIRECTIVES:
            break
        key = match.group(1).lower()
        if key in dict(found):
            break
        found.append((key, match.group(2)))
    return tuple(found)


def _instruction(cmd: buildkit.Command, lines: tuple[str, ...]) -> Instruction:
    first = lines[cmd.start_line - 1] if cmd.start_line <= len(lines) else ""
    column = len(first) - len(first.lstrip()) + 1
    keyword = cmd.cmd.upper()
    args = tuple(cmd.value) if cmd.json else tuple(a for a in cmd.value if a)
    return Instruction(
        keyword=keyword,
        args=args,
        line=cmd.start_line,
        end_line=cmd.end_line,
        column=column,
        json=cmd.json,
        flags=tuple(_flag(f) for f in cmd.flags),
        original=cmd.original,
        heredocs=_heredocs(cmd),
        sub_keyword=(cmd.sub_cmd or "").upper(),
    )


def _flag(text: str) -> Flag:
    name, _, value = text.removeprefix("--").partition("=")
    return Flag(name=name.lower(), value=value)


def _heredocs(cmd: buildkit.Command) -> tuple[Heredoc, ...]:
    if not cmd.heredocs:
        return ()
    tokens = {m.group(3): m for m in _HEREDOC_TOKEN.finditer(" ".join(cmd.value))}
    out: list[Heredoc] = []
    for doc in cmd.heredocs:
        match = tokens.get(doc.name)
        chomp = bool(match and match.group(1))
        expand = not (match and match.group(2))
        content = doc.content
        if chomp:
            content = "".join(line.lstrip("\t") for line in content.splitlines(keepends=True))
        out.append(Heredoc(name=doc.name, content=content, chomp=chomp, expand=expand))
    return tuple(out)


def _pragmas(
    lines: tuple[str, ...], instructions: tuple[Instruction, ...]
) -> tuple[tuple[tuple[int, tuple[str, ...]], ...], tuple[str, ...]]:
    """Inline ``# hullguard ignore=RULE`` / ``# hadolint ignore=DLxxxx`` comments.

    A pragma applies to the next instruction; ``global ignore=`` to the file.
    Lines inside an instruction (continuations, heredoc bodies) are not pragmas.
    """
    inside = {n for i in instructions for n in range(i.line, i.end_line + 1)}
    starts = sorted(i.line for i in instructions)
    local: dict[int, list[str]] = {}
    global_names: list[str] = []
    for number, line in enumerate(lines, start=1):
        match = _PRAGMA.match(line)
        if not match or number in inside:
            continue
        names = [n.strip() for n in match.group(2).split(",") if n.strip()]
        if match.group(1):
            global_names.extend(names)
            continue
        target = next((s for s in starts if s > number), None)
        if target is not None:
            local.setdefault(target, []).extend(names)
    ignores = tuple((line, tuple(names)) for line, names in sorted(local.items()))
    return ignores, tuple(global_names)
