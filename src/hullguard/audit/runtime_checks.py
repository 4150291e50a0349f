"""Checks over a :class:`RuntimeSpec` (compose service or ``docker run`` line).

The Pod Security Standards controls are mapped to their Docker equivalents:
privileged, host namespaces (network/pid/ipc/uts), capabilities against Docker's
default set, host bind mounts, AppArmor/seccomp/SELinux/systempaths via
``security_opt``, sysctls; restricted adds no-new-privileges, a non-root user and
``cap_drop: ALL``. Docker applies its default seccomp profile unless told not to,
so the restricted "seccomp required" control is met by default. Published ports
are Docker's normal way to expose a container and are not host-port findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from hullguard.audit.hostpaths import image_problems, runtime_socket, sensitive_host_path
from hullguard.audit.interface import Finding, Profile, RuleId
from hullguard.audit.pss_baseline import BASELINE_CAPABILITIES, SAFE_SYSCTLS, SELINUX_TYPES
from hullguard.audit.rules import RULES
from hullguard.audit.runtime_model import (
    VOCABULARY,
    RuntimeSpec,
    Setting,
    is_root_user,
    normalize_capability,
    split_security_opt,
)

RuntimeCheck = Callable[[RuntimeSpec], Iterable[Finding]]


def _finding(spec: RuntimeSpec, rule_id: str, where: Setting | None, message: str) -> Finding:
    r = RULES[RuleId(rule_id)]
    pos = where.pos if where else spec.pos
    return Finding(
        file=spec.file,
        line=pos[0],
        column=pos[1],
        rule_id=r.id,
        resource=spec.resource,
        container="",
        field=where.field if where else spec.field,
        message=message,
        severity=r.severity,
    )


def _on(setting: Setting | None) -> bool:
    return setting is not None and setting.value.lower() in ("true", "1", "yes")


def privileged(spec: RuntimeSpec) -> Iterator[Finding]:
    if _on(spec.privileged):
        v = VOCABULARY[spec.kind]
        yield _finding(spec, "AU103", spec.privileged, f"remove {v.privileged}")


def host_namespaces(spec: RuntimeSpec) -> Iterator[Finding]:
    v = VOCABULARY[spec.kind]
    for setting, spelled in (
        (spec.network, v.network),
        (spec.pid, v.pid),
        (spec.ipc, v.ipc),
        (spec.uts, v.uts),
    ):
        if setting is not None and setting.value == "host":
            yield _finding(
                spec, "AU102", setting, f"remove {spelled}: it shares the host's namespace"
            )


def capabilities(spec: RuntimeSpec) -> Iterator[Finding]:
    v = VOCABULARY[spec.kind]
    for cap in spec.cap_add:
        name = normalize_capability(cap.value)
        if name not in BASELINE_CAPABILITIES:
            yield _finding(
                spec,
                "AU104",
                cap,
                f"{v.cap_add} {name} grants more than Docker's default set; remove it",
            )


def capabilities_restricted(spec: RuntimeSpec) -> Iterator[Finding]:
    v = VOCABULARY[spec.kind]
    if "ALL" not in {normalize_capability(c.value) for c in spec.cap_drop}:
        where = spec.cap_drop[0] if spec.cap_drop else None
        yield _finding(spec, "AU206", where, f"drop every capability: {v.cap_drop}")
    for cap in spec.cap_add:
        name = normalize_capability(cap.value)
        if name in BASELINE_CAPABILITIES and name != "NET_BIND_SERVICE":
            yield _finding(
                spec, "AU206", cap, f"{v.cap_add} {name}: only NET_BIND_SERVICE may be added back"
            )


def mounts(spec: RuntimeSpec) -> Iterator[Finding]:
    for m in spec.mounts:
        if m.kind != "bind":
            continue
        where = Setting(m.source, m.pos, m.field)
        sock = runtime_socket(m.source)
        if sock:
            yield _finding(
                spec,
                "AU305",
                where,
                f"bind mount of {m.source} exposes the runtime socket {sock}; remove it",
            )
        elif sensitive_host_path(m.source):
            yield _finding(
                spec,
                "AU105",
                where,
                f"bind mount of host path {m.source}; use a "
                "named volume or copy the files into the image",
            )


def security_options(spec: RuntimeSpec) -> Iterator[Finding]:
    for opt in spec.security_opt:
        key, value = split_security_opt(opt.value)
        if key == "seccomp" and value == "unconfined":
            yield _finding(spec, "AU111", opt, "remove seccomp=unconfined")
        elif key == "apparmor" and value == "unconfined":
            yield _finding(spec, "AU108", opt, "remove apparmor=unconfined")
        elif key == "systempaths" and value == "unconfined":
            yield _finding(spec, "AU110", opt, "remove systempaths=unconfined (unmasks /proc)")
        elif key == "label" and _bad_label(value):
            yield _finding(spec, "AU109", opt, f"remove label={value}")


def _bad_label(value: str) -> bool:
    kind, _, rest = value.partition(":")
    if kind == "disable":
        return True
    if kind == "type":
        return rest not in SELINUX_TYPES
    return kind in ("user", "role")


def sysctls(spec: RuntimeSpec) -> Iterator[Finding]:
    for s in spec.sysctls:
        if s.value not in SAFE_SYSCTLS:
            yield _finding(spec, "AU112", s, f"sysctl {s.value} is not in the safe set; remove it")


def no_new_privileges(spec: RuntimeSpec) -> Iterator[Finding]:
    for opt in spec.security_opt:
        key, value = split_security_opt(opt.value)
        if key == "no-new-privileges" and value.lower() in ("", "true"):
            return
    yield _finding(spec, "AU202", None, f"set {VOCABULARY[spec.kind].no_new_privileges}")


def user(spec: RuntimeSpec) -> Iterator[Finding]:
    v = VOCABULARY[spec.kind]
    if spec.user is None:
        yield _finding(
            spec, "AU203", None, f"the image decides the user; set {v.user} to a non-root UID"
        )
    elif "$" not in spec.user.value and is_root_user(spec.user.value):
        yield _finding(
            spec,
            "AU204",
            spec.user,
            f"runs as root ({spec.user.value}); set {v.user} to a non-root UID",
        )


def hardening(spec: RuntimeSpec) -> Iterator[Finding]:
    v = VOCABULARY[spec.kind]
    if not _on(spec.read_only):
        yield _finding(spec, "AU301", spec.read_only, f"set {v.read_only}")
    for setting, rule_id, spelled in (
        (spec.memory, "AU302", v.memory),
        (spec.cpus, "AU303", v.cpus),
        (spec.pids_limit, "AU310", v.pids_limit),
    ):
        if setting is None or setting.value in ("", "0", "-1"):
            yield _finding(spec, rule_id, setting, f"set {spelled}")
    for dev in spec.devices:
        yield _finding(spec, "AU311", dev, f"{v.device} {dev.value} exposes a host device")


def image(spec: RuntimeSpec) -> Iterator[Finding]:
    if spec.image is None:
        return
    for rule_id in image_problems(spec.image.value):
        msg = (
            f"image {spec.image.value!r} uses latest or no tag; pin a version"
            if rule_id == "AU307"
            else f"image {spec.image.value!r} is not pinned by digest; append @sha256:<digest>"
        )
        yield _finding(spec, rule_id, spec.image, msg)


RUNTIME_CHECKS: tuple[RuntimeCheck, ...] = (
    privileged,
    host_namespaces,
    capabilities,
    capabilities_restricted,
    mounts,
    security_options,
    sysctls,
    no_new_privileges,
    user,
    hardening,
    image,
)


def audit_runtime(specs: Iterable[RuntimeSpec], profile: Profile) -> list[Finding]:
    """Every finding of every spec whose rule applies under ``profile``."""
    out = {
        f
        for spec in specs
        for check in RUNTIME_CHECKS
        for f in check(spec)
        if RULES[f.rule_id].applies_to(profile)
    }
    return sorted(out)
