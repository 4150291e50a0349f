"""Package-manager hygiene in RUN: apt-get, apk, pip, pipefail, curl vs wget.

Where a rule mirrors a hadolint rule (alias), it follows hadolint's definition so
both tools agree line for line (see docs/lint.md for the few deliberate differences).
"""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.lint.dockerfile.model import Dockerfile, Instruction, Stage
from hullguard.lint.dockerfile.rules.framework import Hit, LintContext, rule, run_script, runs
from hullguard.lint.dockerfile.shell import Command, Script
from hullguard.lint.interface import Severity

_TRUTHY = frozenset({"1", "true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES"})
_NON_POSIX = ("pwsh", "powershell", "cmd")


def _short_flags(cmd: Command) -> set[str]:
    """Flags as hadolint sees them: ``-qy`` -> {q, y}; ``--yes=1`` -> {yes}."""
    out: set[str] = set()
    for arg in cmd.args:
        if arg in ("-", "--"):
            continue
        if arg.startswith("--"):
            out.add(arg[2:].split("=", 1)[0])
        elif arg.startswith("-"):
            out.update(arg[1:])
    return out


def _is(cmd: Command, name: str, arg: str) -> bool:
    return cmd.argv[0] == name and arg in cmd.args


def _apt_installs(script: Script) -> Iterator[Command]:
    return (c for c in script.commands if c.argv and _is(c, "apt-get", "install"))


def _cache_mount(instr: Instruction, *prefixes: str) -> bool:
    for mount in instr.flag_values("mount"):
        opts = dict(p.partition("=")[::2] for p in mount.split(","))
        target = opts.get("target") or opts.get("dst") or opts.get("destination") or ""
        if opts.get("type") == "cache" and target.startswith(prefixes):
            return True
    return False


def stages_used_later(df: Dockerfile) -> set[int]:
    """The final stage and every stage another FROM builds on."""
    used = {s.base_stage for s in df.stages if s.base_stage is not None}
    if df.stages:
        used.add(df.stages[-1].index)
    return used


@rule(
    "HGD040",
    "apt-lists-not-deleted",
    Severity.LOW,
    "`apt-get update` without deleting /var/lib/apt/lists in the same RUN.",
    aliases=("DL3009",),
    tags=("hygiene",),
)
def apt_lists(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    used = stages_used_later(df)
    for instr, script in runs(df):
        if instr.stage not in used or _cache_mount(instr, "/var/lib/apt/lists"):
            continue
        updates = any(
            _is(c, "apt-get", "update") or _is(c, "apt", "update")
            for c in script.commands
            if c.argv
        )
        cleans = any(
            c.argv[0] == "rm" and ("-rf" in c.args or "/var/lib/apt/lists/*" in c.args)
            for c in script.commands
            if c.argv
        )
        if updates and not cleans:
            yield Hit.at(
                instr,
                "Delete the apt lists in the same RUN: end it with "
                "`&& rm -rf /var/lib/apt/lists/*`.",
            )


@rule(
    "HGD041",
    "apt-install-recommends",
    Severity.LOW,
    "`apt-get install` without `--no-install-recommends`.",
    aliases=("DL3015",),
    tags=("hygiene",),
)
def apt_recommends(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr, script in runs(df):
        if any(
            "no-install-recommends" not in _short_flags(c)
            and "APT::Install-Recommends=false" not in c.args
            for c in _apt_installs(script)
        ):
            yield Hit.at(
                instr,
                "Add `--no-install-recommends` to `apt-get install` to keep unneeded packages out.",
            )


@rule(
    "HGD042",
    "apt-get-no-yes",
    Severity.LOW,
    "`apt-get install` without `-y` stops the build at the prompt.",
    aliases=("DL3014",),
    tags=("hygiene",),
)
def apt_yes(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr, script in runs(df):
        if any(
            not (_short_flags(c) & {"y", "yes", "q", "assume-yes"}) for c in _apt_installs(script)
        ):
            yield Hit.at(instr, "Use `apt-get install -y` so the build never waits for input.")


@rule(
    "HGD043",
    "apt-not-apt-get",
    Severity.LOW,
    "`apt` is for humans; scripts use `apt-get`/`apt-cache`.",
    aliases=("DL3027",),
    tags=("hygiene",),
)
def apt_cli(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr, script in runs(df):
        if any(c.argv and c.argv[0] == "apt" for c in script.commands):
            yield Hit.at(instr, "Use `apt-get` or `apt-cache` instead of `apt` in scripts.")


@rule(
    "HGD044",
    "apt-upgrade",
    Severity.LOW,
    "`apt-get upgrade`/`dist-upgrade` in a build makes the image unreproducible.",
    tags=("hygiene", "reproducibility"),
)
def apt_upgrade(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr, script in runs(df):
        if any(
            c.name in ("apt-get", "apt")
            and ({"upgrade", "dist-upgrade", "full-upgrade"} & set(c.args))
            for c in script.unwrapped()
        ):
            yield Hit.at(
                instr,
                "Do not upgrade all packages in the build: use a newer base image tag instead, "
                "and install pinned packages.",
            )


def _pip_env_no_cache(df: Dockerfile) -> set[int]:
    """Stages where ``ENV PIP_NO_CACHE_DIR`` is truthy (inherited via FROM <stage>)."""
    found: set[int] = set()
    for stage in df.stages:
        if stage.base_stage is not None and stage.base_stage in found:
            found.add(stage.index)
        for instr in stage.instructions:
            if instr.keyword == "ENV":
                args = instr.args
                pairs = dict(zip(args[::2], args[1::2], strict=False))
                if pairs.get("PIP_NO_CACHE_DIR", "").strip("\"'") in _TRUTHY:
                    found.add(stage.index)
    return found


def _pip_install(cmd: Command) -> bool:
    argv = cmd.argv
    if not argv:
        return False
    if argv[0].startswith("pip") and "install" in argv[1:]:
        return "pipx" not in argv[0] and "pipenv" not in argv[0]
    if argv[0].startswith("python") and "-m" in argv and "install" in argv:
        module = argv[argv.index("-m") + 1] if argv.index("-m") + 1 < len(argv) else ""
        return module == "pip"
    return False


@rule(
    "HGD045",
    "pip-cache",
    Severity.LOW,
    "`pip install` without `--no-cache-dir` keeps the wheel cache in the layer.",
    aliases=("DL3042",),
    tags=("hygiene",),
)
def pip_cache(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    env_off = _pip_env_no_cache(df)
    for instr, script in runs(df):
        if instr.stage in env_off or "PIP_NO_CACHE_DIR=" in instr.text:
            continue
        if any(_pip_install(c) and "--no-cache-dir" not in c.args for c in script.commands):
            yield Hit.at(instr, "Use `pip install --no-cache-dir` (or ENV PIP_NO_CACHE_DIR=1).")


@rule(
    "HGD046",
    "apk-cache",
    Severity.LOW,
    "`apk add` without `--no-cache` leaves the index in the layer.",
    aliases=("DL3019",),
    tags=("hygiene",),
)
def apk_cache(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr, script in runs(df):
        if any(
            _is(c, "apk", "add") and "no-cache" not in _short_flags(c)
            for c in script.commands
            if c.argv
        ):
            yield Hit.at(instr, "Use `apk add --no-cache` instead of `apk update`/`--update`.")


def _sets_pipefail(instr: Instruction) -> bool:
    argv = instr.args
    first = argv[0].rsplit("/", 1)[-1] if argv else ""
    if first not in ("bash", "zsh", "ash"):
        return False
    return any(a.startswith("-") and "o" in a[1:] and not a.startswith("--") for a in argv) and (
        "pipefail" in argv
    )


def _pipefail_states(stage: Stage) -> Iterator[tuple[Instruction, bool]]:
    safe = False
    for instr in stage.instructions:
        if instr.keyword == "SHELL":
            text = " ".join(instr.args)
            safe = text.startswith(_NON_POSIX) or _sets_pipefail(instr)
        yield instr, safe


@rule(
    "HGD047",
    "pipefail",
    Severity.LOW,
    "RUN with a pipe and no `SHELL [... -o pipefail ...]`: a failing download is ignored.",
    aliases=("DL4006",),
    tags=("hygiene",),
)
def pipefail(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for stage in df.stages:
        for instr, safe in _pipefail_states(stage):
            if instr.keyword == "RUN" and not safe and run_script(instr).pipes():
                yield Hit.at(
                    instr,
                    'Add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` (or /bin/ash for '
                    "busybox) before RUNs with pipes, so a failing command fails the build.",
                )


@rule(
    "HGD048",
    "curl-and-wget",
    Severity.INFO,
    "A stage uses both curl and wget: pick one.",
    aliases=("DL4001",),
    tags=("hygiene",),
)
def curl_and_wget(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for stage in df.stages:
        seen: set[str] = set()
        for instr in stage.instructions:
            if instr.keyword != "RUN":
                continue
            names = {c.argv[0] for c in run_script(instr).commands if c.argv} & {"curl", "wget"}
            seen |= names
            if names and len(seen) == 2:
                yield Hit.at(instr, "Use either wget or curl, not both: one tool less to patch.")
