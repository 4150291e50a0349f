"""``--fix`` for Kubernetes manifests: edit pod specs in place so they pass *restricted*.

Works on the round-trip (ruamel.yaml) documents, so comments, key order and quoting
survive. What it changes, per pod spec:

* pod ``securityContext``: ``runAsNonRoot: true``, ``seccompProfile: RuntimeDefault``;
  removes host namespaces, hostProcess, custom SELinux user/role/type, unsafe
  sysctls; Unconfined AppArmor becomes RuntimeDefault;
* every container: ``allowPrivilegeEscalation: false``, ``capabilities.drop: [ALL]``
  (adds other than NET_BIND_SERVICE removed), ``readOnlyRootFilesystem: true``,
  ``privileged`` and non-default ``procMount`` removed, hostPort and probe hosts removed;
* CPU/memory limits added as clearly marked placeholders (``# hullguard: set real
  limits``), equal to the request when one exists so the manifest stays valid;
* ``runAsUser: 0`` becomes 65532 with a comment asking for the image's real UID.

hostPath and other restricted volume types are never rewritten: replacing storage
silently would lose data. Windows pods only get the fields Windows accepts.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from hullguard.audit.k8s_objects import ContainerRef, PodTarget, iter_containers
from hullguard.audit.nodes import get_int, get_map, get_str, has_key, is_false, is_true
from hullguard.audit.pss_baseline import (
    APPARMOR_ANNOTATION,
    APPARMOR_OK,
    HOOKS,
    PROBES,
    SAFE_SYSCTLS,
    SECCOMP_OK,
    SELINUX_TYPES,
    apparmor_annotation_ok,
    seccomp_type,
)
from hullguard.audit.yamledit import edit_map, eol_comment, new_map, new_seq, put, remove

PLACEHOLDER_UID = 65532
LIMITS_NOTE = "hullguard: set real limits"
UID_NOTE = "hullguard: was 0 (root); use the image's non-root UID"
_PLACEHOLDER_LIMITS = (("cpu", "500m"), ("memory", "256Mi"))
_CONTAINER_SC_AFTER = ("image", "name")
_POD_SC_BEFORE = ("initContainers", "containers")


def fix_pod(target: PodTarget) -> bool:
    """Harden one pod spec in place; ``True`` when anything changed."""
    spec = target.spec
    if not isinstance(spec, CommentedMap):
        return False
    before = _snapshot(spec, target.metadata)
    windows = get_str(get_map(spec, "os"), "name") == "windows"
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if is_true(spec, key):
            remove(spec, key)
    edit_map(spec, "securityContext", lambda sc: _fix_pod_sc(sc, windows), before=_POD_SC_BEFORE)
    _fix_annotations(target.metadata)
    for ref in iter_containers(spec):
        if isinstance(ref.container, CommentedMap):
            _fix_container(ref, ref.container, windows)
    return _snapshot(spec, target.metadata) != before


def _snapshot(spec: Any, meta: Any) -> str:
    return repr((spec, meta))


def _fix_pod_sc(sc: CommentedMap, windows: bool) -> None:
    if not is_true(sc, "runAsNonRoot"):
        put(sc, "runAsNonRoot", True)
    _fix_common_sc(sc, windows)
    if not windows and seccomp_type(sc) not in SECCOMP_OK:
        put(sc, "seccompProfile", new_map([("type", "RuntimeDefault")]))
    sysctls = sc.get("sysctls")
    if isinstance(sysctls, CommentedSeq):
        keep = [s for s in sysctls if get_str(s, "name") in SAFE_SYSCTLS]
        if len(keep) != len(sysctls):
            if keep:
                sysctls[:] = keep
            else:
                remove(sc, "sysctls")


def _fix_common_sc(sc: CommentedMap, windows: bool) -> None:
    """Fields with the same meaning on pod and container securityContexts."""
    if get_int(sc, "runAsUser") == 0:
        put(sc, "runAsUser", PLACEHOLDER_UID)
        eol_comment(sc, "runAsUser", UID_NOTE)
    wo = sc.get("windowsOptions")
    if isinstance(wo, CommentedMap) and is_true(wo, "hostProcess"):
        remove(sc, "windowsOptions") if len(wo) == 1 else remove(wo, "hostProcess")
    _fix_selinux(sc)
    profile = sc.get("appArmorProfile")
    if isinstance(profile, CommentedMap) and get_str(profile, "type") not in APPARMOR_OK:
        sc["appArmorProfile"] = new_map([("type", "RuntimeDefault")])
    if windows:
        return
    seccomp = seccomp_type(sc)
    if seccomp is not None and seccomp not in SECCOMP_OK:
        sc["seccompProfile"] = new_map([("type", "RuntimeDefault")])


def _fix_selinux(sc: CommentedMap) -> None:
    opts = sc.get("seLinuxOptions")
    if not isinstance(opts, CommentedMap):
        return
    bad = [k for k in ("user", "role") if get_str(opts, k)]
    if (get_str(opts, "type") or "") not in SELINUX_TYPES:
        bad.append("type")
    if len(bad) == len(opts):
        remove(sc, "seLinuxOptions")
        return
    for key in bad:
        remove(opts, key)


def _fix_annotations(meta: Any) -> None:
    annotations = get_map(meta, "annotations")
    if not isinstance(annotations, CommentedMap):
        return
    for key in list(annotations):
        value = annotations[key]
        if str(key).startswith(APPARMOR_ANNOTATION) and not apparmor_annotation_ok(value):
            annotations[key] = "runtime/default"


def _fix_container(ref: ContainerRef, c: CommentedMap, windows: bool) -> None:
    edit_map(
        c,
        "securityContext",
        lambda sc: _fix_container_sc(sc, ref, windows),
        after=_CONTAINER_SC_AFTER,
    )
    for port in c.get("ports") or []:
        if isinstance(port, CommentedMap) and get_int(port, "hostPort"):
            remove(port, "hostPort")
    _fix_probe_hosts(c)
    if not ref.ephemeral:
        edit_map(c, "resources", _fix_limits, after=("securityContext", *_CONTAINER_SC_AFTER))


def _fix_container_sc(sc: CommentedMap, ref: ContainerRef, windows: bool) -> None:
    if is_false(sc, "runAsNonRoot"):
        sc["runAsNonRoot"] = True
    _fix_common_sc(sc, windows)
    if not windows:
        if not is_false(sc, "allowPrivilegeEscalation"):
            put(sc, "allowPrivilegeEscalation", False)
        edit_map(sc, "capabilities", _fix_capabilities)
        if not ref.ephemeral and not is_true(sc, "readOnlyRootFilesystem"):
            put(sc, "readOnlyRootFilesystem", True)
    # removals last, so that a comment block hanging on a removed last key moves to
    # the keys added above instead of being dropped with it
    if is_true(sc, "privileged"):
        remove(sc, "privileged")
    if get_str(sc, "procMount") not in (None, "Default"):
        remove(sc, "procMount")


def _fix_capabilities(caps: CommentedMap) -> None:
    drop = caps.get("drop")
    if not isinstance(drop, list) or "ALL" not in [str(d) for d in drop]:
        put(caps, "drop", new_seq(["ALL"]))
    add = caps.get("add")
    if isinstance(add, CommentedSeq):
        keep = [a for a in add if str(a) == "NET_BIND_SERVICE"]
        if not keep:
            remove(caps, "add")
        elif len(keep) != len(add):
            add[:] = keep


def _fix_probe_hosts(c: CommentedMap) -> None:
    handlers = [c.get(p) for p in PROBES]
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, CommentedMap):
        handlers += [lifecycle.get(h) for h in HOOKS]
    for handler in handlers:
        if not isinstance(handler, CommentedMap):
            continue
        for kind in ("httpGet", "tcpSocket"):
            action = handler.get(kind)
            if isinstance(action, CommentedMap) and get_str(action, "host"):
                remove(action, "host")


def _fix_limits(resources: CommentedMap) -> None:
    requests = get_map(resources, "requests") or {}
    limits = get_map(resources, "limits")
    missing = [
        (key, requests.get(key) or placeholder)
        for key, placeholder in _PLACEHOLDER_LIMITS
        if not has_key(limits, key)
    ]
    if not missing:
        return

    def fill(lim: CommentedMap) -> None:
        for key, value in missing:
            put(lim, key, value)

    edit_map(resources, "limits", fill)
    eol_comment(resources, "limits", LIMITS_NOTE)
