"""A container's runtime settings as Docker sees them, whatever wrote them.

Compose services and ``docker run`` lines are both parsed into a
:class:`RuntimeSpec`; one set of checks (``runtime_checks``) then audits either.
Each setting keeps the file position it came from. :class:`Vocabulary` holds how
a setting is spelled in each input kind, so messages say exactly what to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.audit.interface import InputKind
from hullguard.audit.nodes import Pos


@dataclass(frozen=True)
class Setting:
    """One value and where it was written."""

    value: str
    pos: Pos
    field: str


@dataclass(frozen=True)
class Mount:
    """A volume or bind mount. ``kind`` is ``bind``, ``volume``, ``tmpfs`` or ``npipe``."""

    kind: str
    source: str
    target: str
    pos: Pos
    field: str


@dataclass(frozen=True)
class RuntimeSpec:
    """Everything the runtime checks need about one container."""

    kind: InputKind
    file: str
    resource: str
    pos: Pos
    field: str
    image: Setting | None = None
    privileged: Setting | None = None
    user: Setting | None = None
    read_only: Setting | None = None
    network: Setting | None = None
    pid: Setting | None = None
    ipc: Setting | None = None
    uts: Setting | None = None
    memory: Setting | None = None
    cpus: Setting | None = None
    pids_limit: Setting | None = None
    cap_add: tuple[Setting, ...] = ()
    cap_drop: tuple[Setting, ...] = ()
    security_opt: tuple[Setting, ...] = ()
    sysctls: tuple[Setting, ...] = ()
    devices: tuple[Setting, ...] = ()
    mounts: tuple[Mount, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """How each hardening setting is written in one input kind."""

    privileged: str
    user: str
    read_only: str
    cap_drop: str
    cap_add: str
    no_new_privileges: str
    memory: str
    cpus: str
    pids_limit: str
    network: str
    pid: str
    ipc: str
    uts: str
    security_opt: str
    sysctl: str
    device: str
    volume: str


VOCABULARY: dict[InputKind, Vocabulary] = {
    InputKind.COMPOSE: Vocabulary(
        privileged="privileged: true",
        user='user: "<uid>:<gid>"',
        read_only="read_only: true",
        cap_drop="cap_drop: [ALL]",
        cap_add="cap_add",
        no_new_privileges='security_opt: ["no-new-privileges:true"]',
        memory="mem_limit (or deploy.resources.limits.memory)",
        cpus="cpus (or deploy.resources.limits.cpus)",
        pids_limit="pids_limit",
        network="network_mode: host",
        pid="pid: host",
        ipc="ipc: host",
        uts="uts: host",
        security_opt="security_opt",
        sysctl="sysctls",
        device="devices",
        volume="volumes",
    ),
    InputKind.DOCKER_RUN: Vocabulary(
        privileged="--privileged",
        user="--user <uid>:<gid>",
        read_only="--read-only",
        cap_drop="--cap-drop ALL",
        cap_add="--cap-add",
        no_new_privileges="--security-opt no-new-privileges",
        memory="--memory",
        cpus="--cpus",
        pids_limit="--pids-limit",
        network="--network host",
        pid="--pid host",
        ipc="--ipc host",
        uts="--uts host",
        security_opt="--security-opt",
        sysctl="--sysctl",
        device="--device",
        volume="-v/--mount",
    ),
}


def normalize_capability(cap: str) -> str:
    """``cap_sys_admin`` / ``CAP_SYS_ADMIN`` / ``sys_admin`` -> ``SYS_ADMIN`` (as Docker does)."""
    upper = cap.strip().upper()
    return upper[4:] if upper.startswith("CAP_") else upper


def split_security_opt(opt: str) -> tuple[str, str]:
    """``seccomp=unconfined`` / ``seccomp:unconfined`` -> ``("seccomp", "unconfined")``."""
    eq, colon = opt.find("="), opt.find(":")
    cuts = [i for i in (eq, colon) if i >= 0]
    if not cuts:
        return opt.strip(), ""
    cut = min(cuts)
    return opt[:cut].strip(), opt[cut + 1 :].strip()


def is_root_user(user: str) -> bool:
    """Whether a Docker ``user`` value names UID 0 (``root``, ``0``, ``0:0``, ``root:1000``)."""
    name = user.strip().split(":", 1)[0]
    return name in ("0", "root")
