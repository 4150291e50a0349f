"""Pod Security Standards, *restricted* profile: the controls added on top of baseline.

Inheritance follows the API: ``runAsNonRoot``, ``runAsUser`` and ``seccompProfile``
set on the pod apply to every container that does not set its own; capabilities
and ``allowPrivilegeEscalation`` exist only per container. As in the reference
implementation, an explicit bad pod-level value fails even when every container
overrides it, and the Linux-only controls (privilege escalation, seccomp,
capabilities) are skipped for pods with ``spec.os.name: windows``.
"""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.audit.interface import Finding
from hullguard.audit.k8s_context import PodCheck, PodContext, sc_of
from hullguard.audit.k8s_objects import iter_containers
from hullguard.audit.nodes import get_int, get_map, get_seq, get_str, is_false, is_true
from hullguard.audit.pss_baseline import (
    BASELINE_CAPABILITIES,
    SECCOMP_OK,
    added_capabilities,
    seccomp_type,
)

#: inline volume sources the restricted profile allows
RESTRICTED_VOLUME_SOURCES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)


def volume_types(ctx: PodContext) -> Iterator[Finding]:
    loc = ctx.target.locator
    volumes = get_seq(ctx.spec, "volumes")
    for i, vol in enumerate(volumes):
        m = vol if isinstance(vol, dict) else {}
        sources = sorted(str(k) for k in m if k != "name" and m[k] is not None)
        if not sources or "hostPath" in sources:
            continue  # no source defaults to emptyDir; hostPath is reported by AU105
        if any(s in RESTRICTED_VOLUME_SOURCES for s in sources):
            continue
        name = get_str(m, "name") or f"volumes[{i}]"
        kind = ", ".join(sources)
        yield ctx.finding(
            "AU201",
            loc.item(volumes, i, ctx.spec_pos("volumes")),
            f"{ctx.target.path}.volumes[{i}]",
            f"volume {name!r} uses restricted type {kind}",
        )


def privilege_escalation(ctx: PodContext) -> Iterator[Finding]:
    if ctx.windows:
        return
    for ref in iter_containers(ctx.spec):
        if not is_false(sc_of(ref), "allowPrivilegeEscalation"):
            yield ctx.finding(
                "AU202",
                ctx.container_pos(ref, "securityContext", "allowPrivilegeEscalation"),
                f"{ref.path(ctx.target)}.securityContext.allowPrivilegeEscalation",
                f"container {ref.name!r} must set allowPrivilegeEscalation: false",
                ref.name,
            )


def run_as_non_root(ctx: PodContext) -> Iterator[Finding]:
    pod_true = is_true(ctx.pod_sc, "runAsNonRoot")
    if is_false(ctx.pod_sc, "runAsNonRoot"):
        yield ctx.finding(
            "AU203",
            ctx.pod_sc_pos("runAsNonRoot"),
            f"{ctx.target.path}.securityContext.runAsNonRoot",
            "pod sets runAsNonRoot: false; set it to true",
        )
    for ref in iter_containers(ctx.spec):
        sc = sc_of(ref)
        if is_false(sc, "runAsNonRoot"):
            msg = f"container {ref.name!r} sets runAsNonRoot: false; set it to true"
        elif not is_true(sc, "runAsNonRoot") and not pod_true:
            msg = f"pod or container {ref.name!r} must set runAsNonRoot: true"
        else:
            continue
        yield ctx.finding(
            "AU203",
            ctx.container_pos(ref, "securityContext", "runAsNonRoot"),
            f"{ref.path(ctx.target)}.securityContext.runAsNonRoot",
            msg,
            ref.name,
        )


def run_as_user(ctx: PodContext) -> Iterator[Finding]:
    if get_int(ctx.pod_sc, "runAsUser") == 0:
        yield ctx.finding(
            "AU204",
            ctx.pod_sc_pos("runAsUser"),
            f"{ctx.target.path}.securityContext.runAsUser",
            "pod sets runAsUser: 0 (root); use a non-zero UID",
        )
    for ref in iter_containers(ctx.spec):
        if get_int(sc_of(ref), "runAsUser") == 0:
            yield ctx.finding(
                "AU204",
                ctx.container_pos(ref, "securityContext", "runAsUser"),
                f"{ref.path(ctx.target)}.securityContext.runAsUser",
                f"container {ref.name!r} sets runAsUser: 0 (root); use a non-zero UID",
                ref.name,
            )


def seccomp_required(ctx: PodContext) -> Iterator[Finding]:
    if ctx.windows or seccomp_type(ctx.pod_sc) in SECCOMP_OK:
        return
    for ref in iter_containers(ctx.spec):
        if seccomp_type(sc_of(ref)) is None:
            yield ctx.finding(
                "AU205",
                ctx.container_pos(ref, "securityContext"),
                f"{ref.path(ctx.target)}.securityContext.seccompProfile",
                f"pod or container {ref.name!r} must set seccompProfile.type: RuntimeDefault",
                ref.name,
            )


def capabilities_restricted(ctx: PodContext) -> Iterator[Finding]:
    if ctx.windows:
        return
    for ref in iter_containers(ctx.spec):
        sc = sc_of(ref)
        drops = [str(c) for c in get_seq(get_map(sc, "capabilities"), "drop")]
        if "ALL" not in drops:
            yield ctx.finding(
                "AU206",
                ctx.container_pos(ref, "securityContext", "capabilities"),
                f"{ref.path(ctx.target)}.securityContext.capabilities.drop",
                f"container {ref.name!r} must drop ALL capabilities",
                ref.name,
            )
        extra = sorted(
            {
                c
                for c in added_capabilities(sc)
                if c != "NET_BIND_SERVICE" and c in BASELINE_CAPABILITIES
            }
        )
        if extra:
            yield ctx.finding(
                "AU206",
                ctx.container_pos(ref, "securityContext", "capabilities", "add"),
                f"{ref.path(ctx.target)}.securityContext.capabilities.add",
                f"container {ref.name!r} adds {', '.join(extra)}; only NET_BIND_SERVICE may "
                "be added",
                ref.name,
            )


RESTRICTED_CHECKS: tuple[PodCheck, ...] = (
    volume_types,
    privilege_escalation,
    run_as_non_root,
    run_as_user,
    seccomp_required,
    capabilities_restricted,
)
