"""Build-time secret rules: sensitive files copied in, secret ARG/ENV, removed-too-late."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.lint.dockerfile.expand import expand
from hullguard.lint.dockerfile.model import Dockerfile, Instruction
from hullguard.lint.dockerfile.rules.framework import Hit, LintContext, rule
from hullguard.lint.dockerfile.rules.paths import copy_pairs
from hullguard.lint.dockerfile.secretmount import secret_mount_fix, too_late_removals
from hullguard.lint.dockerfile.sensitive import classify, secret_name, secret_value
from hullguard.lint.interface import Severity


@rule(
    "HGD010",
    "copy-sensitive-file",
    Severity.CRITICAL,
    "COPY/ADD puts a secret file (.env, keys, .ssh, .aws, .npmrc, ...) into a layer.",
    tags=("secrets",),
)
def copy_sensitive(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr in df.instructions:
        if instr.keyword not in ("COPY", "ADD") or instr.heredocs:
            continue
        for source, _dest in copy_pairs(instr):
            found = classify(source)
            if found is None:
                continue
            kind, unit = found
            yield Hit.at(
                instr,
                f"{instr.keyword} copies {unit} ({kind.label}) into the image: mount it at "
                "build time with `RUN --mount=type=secret,id=...` instead, and list it in "
                ".dockerignore.",
            )


def _secret_hit(instr: Instruction, name: str, value: str | None) -> Hit | None:
    kind = secret_value(value or "")
    if kind:
        return Hit.at(
            instr,
            f"{instr.keyword} {name} holds what looks like a {kind}: remove it and pass it with "
            "`RUN --mount=type=secret,id=...` (`docker build --secret`).",
        )
    if not secret_name(name):
        return None
    if instr.keyword == "ENV" and not value:
        return None
    where = "the image config" if instr.keyword == "ENV" else "the image history"
    return Hit.at(
        instr,
        f"{instr.keyword} {name} looks like a secret and ends up in {where}: use "
        f"`RUN --mount=type=secret,id={name.lower()}` "
        f"(`docker build --secret id={name.lower()},env={name}`) instead.",
    )


def arg_env_pairs(instr: Instruction) -> Iterator[tuple[str, str | None]]:
    """(name, value) declared by an ARG or ENV instruction."""
    if instr.keyword == "ARG":
        for token in instr.args:
            name, eq, value = token.partition("=")
            yield name, (value if eq else None)
    elif instr.keyword == "ENV":
        args = instr.args
        for i in range(0, len(args) - 1, 2):
            value = args[i + 1]
            unquoted = expand(value, {})
            yield args[i], unquoted.text if unquoted.resolved else value


@rule(
    "HGD011",
    "secret-in-arg-env",
    Severity.HIGH,
    "ARG or ENV holds a secret (by name or value): it stays in the image history or config.",
    tags=("secrets",),
)
def secret_arg_env(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr in df.instructions:
        for name, value in arg_env_pairs(instr):
            hit = _secret_hit(instr, name, value)
            if hit is not None:
                yield hit


@rule(
    "HGD012",
    "secret-removed-too-late",
    Severity.HIGH,
    "A secret copied in one step and deleted by a later RUN is still in the earlier layer.",
    tags=("secrets",),
)
def removed_too_late(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for removal in too_late_removals(df):
        fix = secret_mount_fix(df, removal)
        yield Hit.at(
            removal.run,
            f"`rm {removal.removed}` comes too late: {removal.copy.keyword} on line "
            f"{removal.copy.line} already stored it in a layer. Mount it only for this step: "
            f"`RUN --mount=type=secret,id={removal.secret_id},target={removal.target} ...` and "
            f"`docker build --secret id={removal.secret_id},src={removal.source}`.",
            fix=fix,
        )
