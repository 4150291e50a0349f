"""``--fix`` for compose files: harden every service in place (round-trip YAML).

Per service: removes ``privileged``, host ``network_mode``/``pid``/``ipc``/``uts``,
unconfined seccomp/AppArmor/systempaths and SELinux-disabling ``security_opt``
entries and unsafe sysctls; adds ``no-new-privileges:true``, ``cap_drop: [ALL]``
(``cap_add`` keeps only NET_BIND_SERVICE) and ``read_only: true``; a missing or
root ``user`` becomes ``65532:65532`` and missing limits become placeholders, each
marked with a ``# hullguard:`` comment. Bind mounts and devices are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from hullguard.audit.compose import is_compose
from hullguard.audit.nodes import get_map, has_key
from hullguard.audit.pss_baseline import SAFE_SYSCTLS, SELINUX_TYPES
from hullguard.audit.runtime_model import is_root_user, normalize_capability, split_security_opt
from hullguard.audit.yamldoc import Document, dump_like
from hullguard.audit.yamledit import eol_comment, forget_orphans, new_seq, put, remove

USER_NOTE = "hullguard: use the image's non-root UID"
LIMITS_NOTE = "hullguard: set real limits"
_AFTER = ("image", "build")
_NO_NEW_PRIVS = "no-new-privileges:true"


def fix_compose_documents(docs: Sequence[Document]) -> str:
    """Harden every service of every compose document; return the whole new text."""
    changed = set()
    for doc in docs:
        if not is_compose(doc.data):
            continue
        services = get_map(doc.data, "services") or {}
        for name in services:
            svc = services[name]
            if isinstance(svc, CommentedMap) and fix_service(svc):
                changed.add(doc.index)
    forget_orphans()
    return "".join(dump_like(d.text, d.data) if d.index in changed else d.text for d in docs)


class _Adder:
    """Inserts new keys one after the other, right after ``image``/``build``."""

    def __init__(self, svc: CommentedMap) -> None:
        self.svc = svc
        self.placed: list[str] = []

    def __call__(self, key: str, value: Any, note: str = "") -> None:
        put(self.svc, key, value, after=(*reversed(self.placed), *_AFTER))
        self.placed.append(key)
        if note:
            eol_comment(self.svc, key, note)


def fix_service(svc: CommentedMap) -> bool:
    """Harden one service in place; ``True`` when anything changed."""
    before = repr(svc)
    add = _Adder(svc)
    if svc.get("privileged") is True:
        remove(svc, "privileged")
    for key in ("network_mode", "pid", "ipc", "uts"):
        if svc.get(key) == "host":
            remove(svc, key)
    _fix_user(svc, add)
    if svc.get("read_only") is not True:
        add("read_only", True)
    _fix_capabilities(svc, add)
    _fix_security_opt(svc, add)
    _fix_sysctls(svc)
    _fix_limits(svc, add)
    return repr(svc) != before


def _fix_security_opt(svc: CommentedMap, add: _Adder) -> None:
    opts = svc.get("security_opt")
    if not isinstance(opts, CommentedSeq):
        add("security_opt", new_seq([_NO_NEW_PRIVS]))
        return
    keep = [o for o in opts if not _unsafe_opt(str(o))]
    if not any(_is_no_new_privs(str(o)) for o in keep):
        keep = [o for o in keep if split_security_opt(str(o))[0] != "no-new-privileges"]
        keep.append(_NO_NEW_PRIVS)
    if keep != list(opts):
        opts[:] = keep


def _is_no_new_privs(opt: str) -> bool:
    key, value = split_security_opt(opt)
    return key == "no-new-privileges" and value.lower() in ("", "true")


def _unsafe_opt(opt: str) -> bool:
    key, value = split_security_opt(opt)
    if key in ("seccomp", "apparmor", "systempaths"):
        return value == "unconfined"
    if key == "label":
        kind, _, rest = value.partition(":")
        return kind in ("disable", "user", "role") or (kind == "type" and rest not in SELINUX_TYPES)
    return False


def _fix_capabilities(svc: CommentedMap, add: _Adder) -> None:
    drop = svc.get("cap_drop")
    if not isinstance(drop, list) or "ALL" not in {normalize_capability(str(c)) for c in drop}:
        add("cap_drop", new_seq(["ALL"]))
    caps = svc.get("cap_add")
    if isinstance(caps, CommentedSeq):
        keep = [c for c in caps if normalize_capability(str(c)) == "NET_BIND_SERVICE"]
        if not keep:
            remove(svc, "cap_add")
        elif len(keep) != len(caps):
            caps[:] = keep


def _fix_sysctls(svc: CommentedMap) -> None:
    raw = svc.get("sysctls")
    if isinstance(raw, CommentedMap):
        bad = [k for k in raw if str(k) not in SAFE_SYSCTLS]
        if len(bad) == len(raw):
            remove(svc, "sysctls")
        for key in bad if len(bad) < len(raw) else ():
            remove(raw, key)
    elif isinstance(raw, CommentedSeq):
        keep = [s for s in raw if str(s).split("=", 1)[0].strip() in SAFE_SYSCTLS]
        if not keep:
            remove(svc, "sysctls")
        elif len(keep) != len(raw):
            raw[:] = keep


def _fix_user(svc: CommentedMap, add: _Adder) -> None:
    user: Any = svc.get("user")
    if user is None or (isinstance(user, (str, int)) and is_root_user(str(user))):
        add("user", DoubleQuotedScalarString("65532:65532"), USER_NOTE)


def _fix_limits(svc: CommentedMap, add: _Adder) -> None:
    limits = get_map(get_map(get_map(svc, "deploy"), "resources"), "limits")
    wanted = (
        ("mem_limit", "256m", has_key(svc, "mem_limit") or has_key(limits, "memory")),
        ("cpus", 0.5, has_key(svc, "cpus") or has_key(limits, "cpus") or has_key(svc, "cpu_quota")),
        ("pids_limit", 256, has_key(svc, "pids_limit") or has_key(limits, "pids")),
    )
    for key, placeholder, present in wanted:
        if not present:
            add(key, placeholder, LIMITS_NOTE)
