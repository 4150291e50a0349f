"""Pod Security Standards, *baseline* profile: one check per control.

Semantics follow the PSS definitions (kubernetes.io "Pod Security Standards") and
the reference implementation, k8s.io/pod-security-admission, at its newest
policy version: every container list is visited (init, regular, ephemeral),
pod-level and container-level fields are checked where the control names both.
"""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.audit.interface import Finding, Profile
from hullguard.audit.k8s_context import PodCheck, PodContext, sc_of
from hullguard.audit.k8s_objects import iter_containers
from hullguard.audit.nodes import as_map, get_int, get_map, get_seq, get_str, is_false, is_true

#: capabilities a container may add under baseline (Docker's default set)
BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)

#: namespaced sysctls the kubelet treats as safe (PSS "Sysctls" allowed values)
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
    }
)

SELINUX_TYPES = frozenset(
    {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)
SECCOMP_OK = frozenset({"RuntimeDefault", "Localhost"})
APPARMOR_OK = frozenset({"RuntimeDefault", "Localhost"})
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HOOKS = ("postStart", "preStop")


def host_process(ctx: PodContext) -> Iterator[Finding]:
    if is_true(get_map(ctx.pod_sc, "windowsOptions"), "hostProcess"):
        yield ctx.finding(
            "AU101",
            ctx.pod_sc_pos("windowsOptions"),
            f"{ctx.target.path}.securityContext.windowsOptions.hostProcess",
            "pod sets windowsOptions.hostProcess: true; remove it",
        )
    for ref in iter_containers(ctx.spec):
        if is_true(get_map(sc_of(ref), "windowsOptions"), "hostProcess"):
            yield ctx.finding(
                "AU101",
                ctx.container_pos(ref, "securityContext", "windowsOptions"),
                f"{ref.path(ctx.target)}.securityContext.windowsOptions.hostProcess",
                f"container {ref.name!r} sets windowsOptions.hostProcess: true; remove it",
                ref.name,
            )


def host_namespaces(ctx: PodContext) -> Iterator[Finding]:
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if is_true(ctx.spec, key):
            yield ctx.finding(
                "AU102",
                ctx.spec_pos(key),
                f"{ctx.target.path}.{key}",
                f"{key}: true shares the node's namespace; remove it",
            )


def privileged(ctx: PodContext) -> Iterator[Finding]:
    for ref in iter_containers(ctx.spec):
        if is_true(sc_of(ref), "privileged"):
            yield ctx.finding(
                "AU103",
                ctx.container_pos(ref, "securityContext", "privileged"),
                f"{ref.path(ctx.target)}.securityContext.privileged",
                f"container {ref.name!r} is privileged; remove securityContext.privileged",
                ref.name,
            )


def added_capabilities(ref_sc: object) -> list[str]:
    caps = get_map(ref_sc, "capabilities")
    return [str(c) for c in get_seq(caps, "add")]


def capabilities_baseline(ctx: PodContext) -> Iterator[Finding]:
    for ref in iter_containers(ctx.spec):
        bad = sorted({c for c in added_capabilities(sc_of(ref)) if c not in BASELINE_CAPABILITIES})
        if bad:
            yield ctx.finding(
                "AU104",
                ctx.container_pos(ref, "securityContext", "capabilities", "add"),
                f"{ref.path(ctx.target)}.securityContext.capabilities.add",
                f"container {ref.name!r} adds {', '.join(bad)}; remove them",
                ref.name,
            )


def host_path_volumes(ctx: PodContext) -> Iterator[Finding]:
    loc = ctx.target.locator
    volumes = get_seq(ctx.spec, "volumes")
    for i, vol in enumerate(volumes):
        hp = get_map(vol, "hostPath")
        if hp is not None:
            name = get_str(vol, "name") or f"volumes[{i}]"
            path = get_str(hp, "path") or "?"
            yield ctx.finding(
                "AU105",
                loc.item(volumes, i, ctx.spec_pos("volumes")),
                f"{ctx.target.path}.volumes[{i}].hostPath",
                f"volume {name!r} mounts host path {path}; use another volume type",
            )


def host_ports(ctx: PodContext) -> Iterator[Finding]:
    loc = ctx.target.locator
    for ref in iter_containers(ctx.spec):
        ports = get_seq(ref.container, "ports")
        for i, port in enumerate(ports):
            value = get_int(port, "hostPort")
            if value:
                m = as_map(port) or {}
                yield ctx.finding(
                    "AU106",
                    loc.key(m, "hostPort", loc.item(ports, i)),
                    f"{ref.path(ctx.target)}.ports[{i}].hostPort",
                    f"container {ref.name!r} binds hostPort {value}; remove hostPort",
                    ref.name,
                )


def host_probes(ctx: PodContext) -> Iterator[Finding]:
    for ref in iter_containers(ctx.spec):
        handlers = [(p, get_map(ref.container, p)) for p in PROBES]
        lifecycle = get_map(ref.container, "lifecycle")
        handlers += [(f"lifecycle.{h}", get_map(lifecycle, h)) for h in HOOKS]
        for where, handler in handlers:
            for kind in ("httpGet", "tcpSocket"):
                host = get_str(get_map(handler, kind), "host")
                if host:
                    keys = (*where.split("."), kind, "host")
                    yield ctx.finding(
                        "AU107",
                        ctx.container_pos(ref, *keys),
                        f"{ref.path(ctx.target)}.{where}.{kind}.host",
                        f"container {ref.name!r} {where} targets host {host!r}; remove host",
                        ref.name,
                    )


def apparmor(ctx: PodContext) -> Iterator[Finding]:
    loc = ctx.target.locator
    annotations = get_map(ctx.target.metadata, "annotations") or {}
    for key in sorted(str(k) for k in annotations):
        value = annotations.get(key)
        if key.startswith(APPARMOR_ANNOTATION) and not apparmor_annotation_ok(value):
            yield ctx.finding(
                "AU108",
                loc.key(annotations, key),
                f"metadata.annotations[{key!r}]",
                f"annotation {key} = {value!r}; use runtime/default",
            )
    pod_type = get_str(get_map(ctx.pod_sc, "appArmorProfile"), "type")
    if pod_type is not None and pod_type not in APPARMOR_OK:
        yield ctx.finding(
            "AU108",
            ctx.pod_sc_pos("appArmorProfile"),
            f"{ctx.target.path}.securityContext.appArmorProfile.type",
            f"pod appArmorProfile.type is {pod_type}; use RuntimeDefault",
        )
    for ref in iter_containers(ctx.spec):
        ctype = get_str(get_map(sc_of(ref), "appArmorProfile"), "type")
        if ctype is not None and ctype not in APPARMOR_OK:
            yield ctx.finding(
                "AU108",
                ctx.container_pos(ref, "securityContext", "appArmorProfile"),
                f"{ref.path(ctx.target)}.securityContext.appArmorProfile.type",
                f"container {ref.name!r} appArmorProfile.type is {ctype}; use RuntimeDefault",
                ref.name,
            )


def apparmor_annotation_ok(value: object) -> bool:
    if not isinstance(value, str):
        return value is None
    return value in ("", "runtime/default") or value.startswith("localhost/")


def selinux_problems(opts: object) -> list[str]:
    """What is wrong with one ``seLinuxOptions`` mapping (empty when allowed)."""
    m = as_map(opts)
    if m is None:
        return []
    problems = []
    sel_type = get_str(m, "type") or ""
    if sel_type not in SELINUX_TYPES:
        problems.append(f"type {sel_type}")
    problems += [f"{k} set" for k in ("user", "role") if get_str(m, k)]
    return problems


def selinux(ctx: PodContext) -> Iterator[Finding]:
    bad = selinux_problems(ctx.pod_sc.get("seLinuxOptions"))
    if bad:
        yield ctx.finding(
            "AU109",
            ctx.pod_sc_pos("seLinuxOptions"),
            f"{ctx.target.path}.securityContext.seLinuxOptions",
            f"pod seLinuxOptions: {', '.join(bad)}; remove them",
        )
    for ref in iter_containers(ctx.spec):
        bad = selinux_problems(sc_of(ref).get("seLinuxOptions"))
        if bad:
            yield ctx.finding(
                "AU109",
                ctx.container_pos(ref, "securityContext", "seLinuxOptions"),
                f"{ref.path(ctx.target)}.securityContext.seLinuxOptions",
                f"container {ref.name!r} seLinuxOptions: {', '.join(bad)}; remove them",
                ref.name,
            )


def proc_mount(ctx: PodContext) -> Iterator[Finding]:
    # baseline (v1.35+) allows any procMount in a user namespace (hostUsers: false);
    # restricted always requires the default masks
    if ctx.profile is Profile.BASELINE and is_false(ctx.spec, "hostUsers"):
        return
    for ref in iter_containers(ctx.spec):
        value = get_str(sc_of(ref), "procMount")
        if value is not None and value != "Default":
            yield ctx.finding(
                "AU110",
                ctx.container_pos(ref, "securityContext", "procMount"),
                f"{ref.path(ctx.target)}.securityContext.procMount",
                f"container {ref.name!r} sets procMount: {value}; use Default",
                ref.name,
            )


def seccomp_baseline(ctx: PodContext) -> Iterator[Finding]:
    pod_type = seccomp_type(ctx.pod_sc)
    if pod_type is not None and pod_type not in SECCOMP_OK:
        yield ctx.finding(
            "AU111",
            ctx.pod_sc_pos("seccompProfile"),
            f"{ctx.target.path}.securityContext.seccompProfile.type",
            f"pod seccompProfile.type is {pod_type}; use RuntimeDefault",
        )
    for ref in iter_containers(ctx.spec):
        ctype = seccomp_type(sc_of(ref))
        if ctype is not None and ctype not in SECCOMP_OK:
            yield ctx.finding(
                "AU111",
                ctx.container_pos(ref, "securityContext", "seccompProfile"),
                f"{ref.path(ctx.target)}.securityContext.seccompProfile.type",
                f"container {ref.name!r} seccompProfile.type is {ctype}; use RuntimeDefault",
                ref.name,
            )


def seccomp_type(sc: object) -> str | None:
    """``seccompProfile.type`` of a securityContext (``""`` if the profile has no type)."""
    profile = get_map(sc, "seccompProfile")
    if profile is None:
        return None
    return get_str(profile, "type") or ""


def sysctls(ctx: PodContext) -> Iterator[Finding]:
    loc = ctx.target.locator
    items = get_seq(ctx.pod_sc, "sysctls")
    for i, item in enumerate(items):
        name = get_str(item, "name") or ""
        if name not in SAFE_SYSCTLS:
            yield ctx.finding(
                "AU112",
                loc.item(items, i, ctx.pod_sc_pos("sysctls")),
                f"{ctx.target.path}.securityContext.sysctls[{i}]",
                f"sysctl {name!r} is not in the safe set; remove it",
            )


BASELINE_CHECKS: tuple[PodCheck, ...] = (
    host_process,
    host_namespaces,
    privileged,
    capabilities_baseline,
    host_path_volumes,
    host_ports,
    host_probes,
    apparmor,
    selinux,
    proc_mount,
    seccomp_baseline,
    sysctls,
)
