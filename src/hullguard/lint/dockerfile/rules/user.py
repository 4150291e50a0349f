"""Runtime user rules: final stage running as root, sudo, SSH exposed."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.lint.dockerfile.model import Dockerfile, Instruction, Stage
from hullguard.lint.dockerfile.rules.framework import Hit, LintContext, rule, runs
from hullguard.lint.dockerfile.userfix import add_user_fix
from hullguard.lint.interface import Severity

_ROOT = frozenset({"root", "0"})


def is_root(user: str) -> bool:
    """``root``, ``0``, ``root:root``, ``0:0`` ... (the user part decides)."""
    return user.split(":", 1)[0].strip() in _ROOT


def stage_chain(df: Dockerfile, stage: Stage) -> list[Stage]:
    """``stage`` and the earlier stages it builds on, nearest first."""
    chain = [stage]
    while chain[-1].base_stage is not None and len(chain) <= len(df.stages):
        chain.append(df.stages[chain[-1].base_stage])
    return chain


def last_user(df: Dockerfile, stage: Stage) -> Instruction | None:
    """The USER instruction in force at the end of ``stage`` (following FROM <stage>)."""
    for link in stage_chain(df, stage):
        users = [i for i in link.instructions if i.keyword == "USER" and i.args]
        if users:
            return users[-1]
    return None


def base_runs_nonroot(df: Dockerfile, stage: Stage) -> bool:
    """True when the root image is known to default to a non-root user."""
    root = stage_chain(df, stage)[-1].ref
    if root is None:
        return False
    if "nonroot" in root.tag:
        return True
    return root.name.startswith("cgr.dev/chainguard/") and "-dev" not in root.tag


@rule(
    "HGD020",
    "final-stage-no-user",
    Severity.MEDIUM,
    "The final stage never sets a USER, so the container runs as root.",
    tags=("runtime", "user"),
)
def no_user(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    final = df.final_stage
    if final is None or last_user(df, final) is not None or base_runs_nonroot(df, final):
        return
    yield Hit.at(
        final.from_instruction,
        "Final stage runs as root: add `USER <non-root uid>` (e.g. `USER 65532:65532`) "
        "after the build steps.",
        fix=add_user_fix(df, final),
    )


@rule(
    "HGD021",
    "final-stage-user-root",
    Severity.HIGH,
    "The last USER of the final stage is root.",
    aliases=("DL3002",),
    tags=("runtime", "user"),
)
def user_root(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    final = df.final_stage
    if final is None:
        return
    user = last_user(df, final)
    if user is not None and is_root(user.args[0]):
        yield Hit.at(
            user,
            f"Final stage switches to `USER {user.args[0]}` and stays root: switch back to a "
            "non-root user after the steps that need root.",
        )


@rule(
    "HGD022",
    "sudo",
    Severity.MEDIUM,
    "`sudo` in RUN: build steps already run as the current USER.",
    aliases=("DL3004",),
    tags=("runtime", "user"),
)
def sudo(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr, script in runs(df):
        if any(c.name == "sudo" for c in script.commands):
            yield Hit.at(
                instr,
                "Do not use sudo: run the step as root (USER root ... USER app) or use gosu "
                "at runtime; sudo in an image is a privilege-escalation path.",
            )


def _ports(instr: Instruction) -> Iterator[str]:
    for arg in instr.args:
        yield from (p for p in arg.split() if p)


@rule(
    "HGD023",
    "expose-ssh",
    Severity.MEDIUM,
    "EXPOSE 22: an SSH server in a container is an unneeded entry point.",
    tags=("runtime",),
)
def expose_ssh(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr in df.instructions:
        if instr.keyword != "EXPOSE":
            continue
        if any(p.split("/")[0] == "22" for p in _ports(instr)):
            yield Hit.at(
                instr,
                "EXPOSE 22: do not run sshd in a container; use `docker exec`/`kubectl exec`.",
            )
