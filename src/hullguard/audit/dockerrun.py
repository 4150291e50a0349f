"""``docker run`` command lines -> :class:`RuntimeSpec`, parsed the way the Docker CLI does.

Lines are joined on trailing backslashes and split with POSIX shell rules
(:mod:`shlex`). Flags follow pflag: ``--flag value`` and ``--flag=value``,
boolean long flags that take no value (``--privileged``, ``--read-only=false``),
combined short flags (``-it``, ``-itd``, ``-p8080:80``, ``-itp 80:80``), and ``--``.
The first positional argument is the image; everything after it is the command
and is never read as flags. ``docker container run``, a leading ``sudo`` or ``$``
prompt, and Docker's global flags (``-H``, ``--context`` …) are accepted.
"""

from __future__ import annotations

import csv
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from hullguard.audit.compose import parse_short_volume
from hullguard.audit.interface import InputKind
from hullguard.audit.runtime_model import Mount, RuntimeSpec, Setting

#: long flags of ``docker run`` that take no value
BOOL_FLAGS = frozenset(
    {
        "detach",
        "init",
        "interactive",
        "no-healthcheck",
        "oom-kill-disable",
        "privileged",
        "publish-all",
        "quiet",
        "read-only",
        "rm",
        "sig-proxy",
        "tty",
        "disable-content-trust",
        "help",
        "use-api-socket",
    }
)
#: short flag -> long flag
SHORT = {
    "d": "detach",
    "i": "interactive",
    "t": "tty",
    "P": "publish-all",
    "q": "quiet",
    "a": "attach",
    "c": "cpu-shares",
    "e": "env",
    "h": "hostname",
    "l": "label",
    "m": "memory",
    "p": "publish",
    "u": "user",
    "v": "volume",
    "w": "workdir",
}
ALIASES = {"net": "network", "net-alias": "network-alias"}
#: Docker's global options that take a value (before ``run``)
GLOBAL_VALUE_FLAGS = frozenset(
    {
        "-H",
        "--host",
        "-c",
        "--context",
        "--config",
        "-l",
        "--log-level",
        "--tlscacert",
        "--tlscert",
        "--tlskey",
    }
)
_CONTINUATION = re.compile(r"\\\r?\n")


@dataclass
class ParsedRun:
    """The flags of one ``docker run`` invocation (long names), image and command."""

    flags: list[tuple[str, str]] = field(default_factory=list)
    image: str = ""
    command: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.flags if k == name]

    def last(self, name: str) -> str | None:
        vals = self.values(name)
        return vals[-1] if vals else None


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(1-based first line, command)`` per logical line, continuations joined."""
    lineno = 1
    for chunk in re.split(r"(?<!\\)\n", text.replace("\r\n", "\n")):
        joined = _CONTINUATION.sub(" ", chunk + "\n").strip()
        if joined and not joined.startswith("#"):
            yield lineno, joined
        lineno += chunk.count("\n") + 1


def run_arguments(tokens: list[str]) -> list[str] | None:
    """The arguments after ``docker [global flags] [container] run``, else ``None``."""
    i = 0
    while i < len(tokens) and tokens[i] in ("$", "sudo", "-E"):
        i += 1
    if i >= len(tokens) or tokens[i] != "docker":
        return None
    i += 1
    while i < len(tokens) and tokens[i].startswith("-"):
        i += 2 if tokens[i] in GLOBAL_VALUE_FLAGS else 1
    if tokens[i : i + 2] == ["container", "run"]:
        return tokens[i + 2 :]
    if tokens[i : i + 1] == ["run"]:
        return tokens[i + 1 :]
    return None


def parse_run(args: list[str]) -> ParsedRun:
    """Parse ``docker run`` arguments as pflag does."""
    out = ParsedRun()
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if arg.startswith("--"):
            i = _long(args, i, out)
        elif arg.startswith("-") and len(arg) > 1:
            i = _short(args, i, out)
        else:
            break
    if i < len(args):
        out.image, out.command = args[i], args[i + 1 :]
    return out


def _long(args: list[str], i: int, out: ParsedRun) -> int:
    name, eq, value = args[i][2:].partition("=")
    name = ALIASES.get(name, name)
    if eq:
        out.flags.append((name, value))
        return i + 1
    if name in BOOL_FLAGS:
        out.flags.append((name, "true"))
        return i + 1
    if i + 1 < len(args):
        out.flags.append((name, args[i + 1]))
        return i + 2
    out.unknown.append(args[i])
    return i + 1


def _short(args: list[str], i: int, out: ParsedRun) -> int:
    letters = args[i][1:]
    for j, letter in enumerate(letters):
        name = SHORT.get(letter)
        if name is None:
            out.unknown.append(f"-{letter}")
            continue
        if name in BOOL_FLAGS:
            out.flags.append((name, "true"))
            continue
        rest = letters[j + 1 :]
        if rest:
            out.flags.append((name, rest[1:] if rest.startswith("=") else rest))
            return i + 1
        if i + 1 < len(args):
            out.flags.append((name, args[i + 1]))
            return i + 2
        out.unknown.append(f"-{letter}")
    return i + 1


def parse_mount(value: str) -> tuple[str, str, str]:
    """``(type, source, target)`` of a ``--mount`` value (CSV ``key=value`` pairs)."""
    fields = next(csv.reader([value]), [])
    kv: dict[str, str] = {}
    for item in fields:
        key, eq, value = item.partition("=")
        kv[key.strip().lower()] = value if eq else "true"
    source = kv.get("source") or kv.get("src") or ""
    target = kv.get("target") or kv.get("destination") or kv.get("dst") or ""
    return kv.get("type", "volume"), source, target


def docker_run_specs(text: str, file: str) -> Iterator[tuple[RuntimeSpec, ParsedRun]]:
    """One spec per ``docker run`` line of ``text`` (other lines are skipped)."""
    for lineno, line in logical_lines(text):
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError:
            continue
        args = run_arguments(tokens)
        if args is not None:
            parsed = parse_run(args)
            yield _spec(parsed, lineno, file), parsed


def _spec(p: ParsedRun, lineno: int, file: str) -> RuntimeSpec:
    pos = (lineno, 1)
    name = p.last("name")
    resource = f"docker run {name}" if name else f"docker run (line {lineno})"

    def one(flag: str) -> Setting | None:
        value = p.last(flag)
        return None if value is None else Setting(value, pos, f"--{flag}")

    def many(flag: str) -> tuple[Setting, ...]:
        return tuple(Setting(v, pos, f"--{flag}") for v in p.values(flag))

    mounts = [Mount(*parse_short_volume(v), pos, "--volume") for v in p.values("volume")]
    mounts += [Mount(*parse_mount(v), pos, "--mount") for v in p.values("mount")]
    sysctls = tuple(Setting(s.value.split("=", 1)[0], pos, s.field) for s in many("sysctl"))
    return RuntimeSpec(
        kind=InputKind.DOCKER_RUN,
        file=file,
        resource=resource,
        pos=pos,
        field="docker run",
        image=Setting(p.image, pos, "image") if p.image else None,
        privileged=one("privileged"),
        user=one("user"),
        read_only=one("read-only"),
        network=one("network"),
        pid=one("pid"),
        ipc=one("ipc"),
        uts=one("uts"),
        memory=one("memory"),
        cpus=one("cpus") or one("cpu-quota"),
        pids_limit=one("pids-limit"),
        cap_add=many("cap-add"),
        cap_drop=many("cap-drop"),
        security_opt=many("security-opt"),
        sysctls=sysctls,
        devices=many("device"),
        mounts=tuple(mounts),
    )


def looks_like_docker_run(text: str) -> bool:
    """Whether the first command of ``text`` is a ``docker run``."""
    for _, line in logical_lines(text):
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError:
            return False
        return run_arguments(tokens) is not None
    return False
