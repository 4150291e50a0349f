"""Build-context rule: sensitive files sent by ``COPY . ...`` despite .dockerignore."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.lint.dockerfile.dockerignore import PatternMatcher
from hullguard.lint.dockerfile.model import Dockerfile, Instruction
from hullguard.lint.dockerfile.rules.framework import Hit, LintContext, rule
from hullguard.lint.dockerfile.rules.paths import is_context_root
from hullguard.lint.dockerfile.sensitive import SensitiveKind, classify
from hullguard.lint.interface import Severity

_MAX_LISTED = 20


def whole_context_copies(df: Dockerfile) -> list[Instruction]:
    """COPY/ADD instructions that copy the whole build context."""
    out = []
    for instr in df.instructions:
        if instr.keyword not in ("COPY", "ADD") or instr.flag("from") or instr.heredocs:
            continue
        if any(is_context_root(src) for src in instr.args[:-1]):
            out.append(instr)
    return out


def exposed_files(ctx: LintContext) -> dict[str, SensitiveKind]:
    """Sensitive units (file or directory) of the context that .dockerignore lets through."""
    matcher = PatternMatcher(ctx.dockerignore or ())
    found: dict[str, SensitiveKind] = {}
    for path in ctx.context_files or ():
        hit = classify(path)
        if hit is None or matcher.matches(path):
            continue
        kind, unit = hit
        found.setdefault(unit, kind)
    return dict(sorted(found.items()))


def missing_lines(exposed: dict[str, SensitiveKind], present: tuple[str, ...]) -> list[str]:
    """.dockerignore lines that would exclude each exposed unit, not already present."""
    out: list[str] = []
    for unit, kind in exposed.items():
        lines = [x for x in kind.ignore_lines if PatternMatcher([x]).matches(unit)] or [unit]
        out.extend(x for x in lines[:1] if x not in present and x not in out)
    return out


@rule(
    "HGD013",
    "context-sends-secrets",
    Severity.HIGH,
    "`COPY .` sends sensitive files of the build context that .dockerignore does not exclude.",
    tags=("secrets", "dockerignore"),
)
def context_sends_secrets(df: Dockerfile, ctx: LintContext) -> Iterator[Hit]:
    if ctx.context_files is None:
        return
    copies = whole_context_copies(df)
    if not copies:
        return
    exposed = exposed_files(ctx)
    if not exposed:
        return
    lines = missing_lines(exposed, ctx.dockerignore or ())
    listed = list(exposed)[:_MAX_LISTED]
    more = f" and {len(exposed) - len(listed)} more" if len(exposed) > len(listed) else ""
    where = ctx.dockerignore_name if ctx.dockerignore is not None else "a new .dockerignore"
    yield Hit.at(
        copies[0],
        f"{copies[0].keyword} {copies[0].args[0]} sends {', '.join(listed)}{more} into the "
        f"image: add to {where}: {', '.join(lines)}.",
        details=tuple([*(f"sent: {u}" for u in exposed), *(f"add: {x}" for x in lines)]),
    )
