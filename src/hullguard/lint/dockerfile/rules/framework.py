"""How Dockerfile rules are written: a decorated generator yielding :class:`Hit`.

``@rule(...)`` wraps the function into an object satisfying the ``Rule``
protocol and registers it in :data:`DOCKERFILE_RULES`. Also holds the sans-I/O
:class:`LintContext` handed to every rule and small helpers shared by rules.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hullguard.lint.dockerfile.model import Dockerfile, Instruction
from hullguard.lint.dockerfile.shell import Script, parse_script
from hullguard.lint.interface import Finding, Fix, Rule, RuleId, RuleMeta, Severity
from hullguard.lint.registry import LintTarget, RuleRegistry

#: registries/namespaces trusted for base images when no config says otherwise
DEFAULT_TRUSTED: tuple[str, ...] = (
    "docker.io/library",
    "gcr.io/distroless",
    "cgr.dev/chainguard",
    "registry.access.redhat.com",
    "registry.redhat.io",
    "mcr.microsoft.com",
    "public.ecr.aws/docker/library",
    "quay.io/centos",
    "quay.io/fedora",
)


@dataclass(frozen=True)
class LintContext:
    """Everything besides the Dockerfile that rules may look at (already read)."""

    #: registry or ``registry/namespace`` prefixes whose base images are trusted
    trusted: tuple[str, ...] = DEFAULT_TRUSTED
    #: files of the build context (relative POSIX paths); None when not given
    context_files: tuple[str, ...] | None = None
    #: lines of the .dockerignore in force; None when there is none
    dockerignore: tuple[str, ...] | None = None
    #: name of that file as shown to the user
    dockerignore_name: str = ".dockerignore"


@dataclass(frozen=True)
class Hit:
    """What a rule reports; the wrapper turns it into a :class:`Finding`."""

    line: int
    message: str
    column: int = 1
    end_line: int = 0
    fix: Fix | None = None
    details: tuple[str, ...] = ()

    @classmethod
    def at(
        cls,
        instr: Instruction,
        message: str,
        fix: Fix | None = None,
        details: tuple[str, ...] = (),
    ) -> Hit:
        return cls(instr.line, message, instr.column, instr.end_line, fix, details)


RuleFunc = Callable[[Dockerfile, LintContext], Iterator[Hit]]

DOCKERFILE_RULES: RuleRegistry[Dockerfile, LintContext] = RuleRegistry(LintTarget.DOCKERFILE)


class FunctionRule:
    """A rule implemented by a generator function."""

    def __init__(self, meta: RuleMeta, func: RuleFunc) -> None:
        self._meta = meta
        self._func = func

    @property
    def meta(self) -> RuleMeta:
        return self._meta

    def check(self, target: Dockerfile, context: LintContext) -> Iterator[Finding]:
        for hit in self._func(target, context):
            yield Finding(
                rule_id=self._meta.id,
                severity=self._meta.severity,
                message=hit.message,
                file=target.path,
                line=hit.line,
                column=hit.column,
                end_line=hit.end_line or hit.line,
                fix=hit.fix,
                details=hit.details,
            )


def rule(
    rule_id: str,
    name: str,
    severity: Severity,
    summary: str,
    aliases: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> Callable[[RuleFunc], RuleFunc]:
    """Register the decorated generator as a Dockerfile rule."""
    meta = RuleMeta(RuleId(rule_id), name, severity, summary, aliases, tags)

    def decorate(func: RuleFunc) -> RuleFunc:
        impl: Rule[Dockerfile, LintContext] = FunctionRule(meta, func)
        DOCKERFILE_RULES.register(impl)
        return func

    return decorate


_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})


def run_script(instr: Instruction) -> Script:
    """The commands a RUN executes (shell form, ``sh -c`` exec form, heredoc scripts)."""
    if instr.json:
        argv = instr.args
        if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in _SHELLS and argv[1] == "-c":
            return parse_script(argv[2])
        return parse_script(" ".join(shlex.quote(a) for a in argv))
    text = instr.text
    if instr.heredocs:
        program = parse_script(text.split("<<", 1)[0] or ":")
        first = program.commands[0].name if program.commands else ""
        if first in ("", ":") or first in _SHELLS:
            bodies = "\n".join(h.content for h in instr.heredocs)
            return parse_script(bodies)
    return parse_script(text)


def runs(df: Dockerfile) -> Iterator[tuple[Instruction, Script]]:
    """Every RUN instruction (also inside ONBUILD) with its parsed script."""
    for instr in df.instructions:
        if instr.keyword == "RUN" or (instr.keyword == "ONBUILD" and instr.sub_keyword == "RUN"):
            yield instr, run_script(instr)


def stage_instructions(df: Dockerfile, keyword: str) -> Iterator[tuple[int, Instruction]]:
    """(stage index, instruction) for every ``keyword`` instruction inside a stage."""
    for stage in df.stages:
        for instr in stage.instructions:
            if instr.keyword == keyword:
                yield stage.index, instr
