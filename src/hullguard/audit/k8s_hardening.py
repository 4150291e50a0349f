"""hullguard's own Kubernetes hardening rules, beyond the Pod Security Standards.

Read-only root filesystem, resource limits and requests, runtime sockets mounted
through hostPath, image pinning, service account token automount and hostAliases.
Ephemeral (debug) containers cannot carry resources, so the resource and
read-only rules skip them; Windows pods have no read-only root filesystem.
"""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.audit.hostpaths import image_problems, runtime_socket
from hullguard.audit.interface import Finding
from hullguard.audit.k8s_context import PodCheck, PodContext, sc_of
from hullguard.audit.k8s_objects import iter_containers
from hullguard.audit.nodes import get_map, get_seq, get_str, has_key, is_false, is_true


def read_only_root(ctx: PodContext) -> Iterator[Finding]:
    if ctx.windows:
        return
    for ref in iter_containers(ctx.spec):
        if not ref.ephemeral and not is_true(sc_of(ref), "readOnlyRootFilesystem"):
            yield ctx.finding(
                "AU301",
                ctx.container_pos(ref, "securityContext", "readOnlyRootFilesystem"),
                f"{ref.path(ctx.target)}.securityContext.readOnlyRootFilesystem",
                f"container {ref.name!r} should set readOnlyRootFilesystem: true",
                ref.name,
            )


def limits(ctx: PodContext) -> Iterator[Finding]:
    for ref in iter_containers(ctx.spec):
        if ref.ephemeral:
            continue
        lim = get_map(get_map(ref.container, "resources"), "limits")
        for key, rule_id in (("memory", "AU302"), ("cpu", "AU303")):
            if not has_key(lim, key):
                yield ctx.finding(
                    rule_id,
                    ctx.container_pos(ref, "resources", "limits"),
                    f"{ref.path(ctx.target)}.resources.limits.{key}",
                    f"container {ref.name!r} has no {key} limit; set resources.limits.{key}",
                    ref.name,
                )


def requests(ctx: PodContext) -> Iterator[Finding]:
    for ref in iter_containers(ctx.spec):
        res = get_map(ref.container, "resources")
        for part in ("requests", "limits"):
            if any(has_key(get_map(res, part), k) for k in ("cpu", "memory")):
                return
    yield ctx.finding(
        "AU304",
        ctx.spec_pos(),
        ctx.target.path,
        "no container requests CPU or memory (BestEffort QoS: evicted first); "
        "set resources.requests",
    )


def runtime_sockets(ctx: PodContext) -> Iterator[Finding]:
    loc = ctx.target.locator
    volumes = get_seq(ctx.spec, "volumes")
    for i, vol in enumerate(volumes):
        path = get_str(get_map(vol, "hostPath"), "path") or ""
        sock = runtime_socket(path)
        if sock:
            yield ctx.finding(
                "AU305",
                loc.item(volumes, i, ctx.spec_pos("volumes")),
                f"{ctx.target.path}.volumes[{i}].hostPath.path",
                f"hostPath {path} exposes the runtime socket {sock}; remove it",
            )


def images(ctx: PodContext) -> Iterator[Finding]:
    for ref in iter_containers(ctx.spec):
        image = get_str(ref.container, "image") or ""
        for rule_id in image_problems(image):
            msg = (
                f"image {image!r} uses latest or no tag; pin a version"
                if rule_id == "AU307"
                else f"image {image!r} is not pinned by digest; append @sha256:<digest>"
            )
            yield ctx.finding(
                rule_id,
                ctx.container_pos(ref, "image"),
                f"{ref.path(ctx.target)}.image",
                msg,
                ref.name,
            )


def automount_token(ctx: PodContext) -> Iterator[Finding]:
    if is_false(ctx.spec, "automountServiceAccountToken"):
        return
    account = get_str(ctx.spec, "serviceAccountName") or "default"
    if is_true(ctx.spec, "automountServiceAccountToken") or account not in ctx.tokenless_accounts:
        yield ctx.finding(
            "AU308",
            ctx.spec_pos("automountServiceAccountToken"),
            f"{ctx.target.path}.automountServiceAccountToken",
            "the service account token is mounted; set "
            "automountServiceAccountToken: false unless the pod calls the API",
        )


def host_aliases(ctx: PodContext) -> Iterator[Finding]:
    if get_seq(ctx.spec, "hostAliases"):
        yield ctx.finding(
            "AU309",
            ctx.spec_pos("hostAliases"),
            f"{ctx.target.path}.hostAliases",
            "hostAliases rewrite /etc/hosts; prefer DNS",
        )


HARDENING_CHECKS: tuple[PodCheck, ...] = (
    read_only_root,
    limits,
    requests,
    runtime_sockets,
    images,
    automount_token,
    host_aliases,
)
