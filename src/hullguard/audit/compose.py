"""Compose files (the compose specification) -> one :class:`RuntimeSpec` per service.

Reads ``services.*``: ``privileged``, ``user``, ``read_only``, ``cap_add``/``cap_drop``,
``security_opt``, ``network_mode``/``pid``/``ipc``/``uts``, ``volumes`` in short
(``src:dst[:mode]``) and long (``type: bind``) syntax, ``devices``, ``sysctls``
(mapping or list), ``mem_limit``/``cpus``/``pids_limit`` and
``deploy.resources.limits``, and ``image``. A named volume declared at the top
level with ``driver_opts: {o: bind, device: PATH}`` is a bind mount of PATH.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hullguard.audit.interface import InputKind
from hullguard.audit.nodes import Locator, as_map, as_seq, get_map
from hullguard.audit.runtime_model import Mount, RuntimeSpec, Setting
from hullguard.audit.yamldoc import Document


def is_compose(data: Any) -> bool:
    m = as_map(data)
    return m is not None and as_map(m.get("services")) is not None and "kind" not in m


def compose_specs(docs: list[Document], file: str) -> Iterator[RuntimeSpec]:
    """One spec per service of every compose document."""
    for doc in docs:
        if not is_compose(doc.data):
            continue
        loc = Locator(doc.line_offset)
        bind_volumes = _bind_volumes(doc.data)
        services = get_map(doc.data, "services") or {}
        for name in services:
            svc = as_map(services[name])
            if svc is not None:
                yield _service(str(name), svc, services, loc, file, bind_volumes)


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, (Mapping, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Reader:
    """Reads settings of one service with positions and field paths."""

    def __init__(self, svc: Mapping[str, Any], loc: Locator, prefix: str) -> None:
        self.svc, self.loc, self.prefix = svc, loc, prefix

    def one(self, *path: str) -> Setting | None:
        node: Any = self.svc
        for key in path[:-1]:
            node = as_map(node.get(key)) if isinstance(node, Mapping) else None
            if node is None:
                return None
        value = _scalar(node.get(path[-1])) if isinstance(node, Mapping) else None
        if value is None:
            return None
        return Setting(value, self.loc.key(node, path[-1]), f"{self.prefix}.{'.'.join(path)}")

    def many(self, key: str) -> tuple[Setting, ...]:
        seq = as_seq(self.svc.get(key)) or []
        out = []
        for i, item in enumerate(seq):
            value = _scalar(item)
            if value is not None:
                out.append(Setting(value, self.loc.item(seq, i), f"{self.prefix}.{key}[{i}]"))
        return tuple(out)

    def sysctls(self) -> tuple[Setting, ...]:
        raw = self.svc.get("sysctls")
        m = as_map(raw)
        if m is not None:
            return tuple(
                Setting(str(k), self.loc.key(m, k), f"{self.prefix}.sysctls.{k}") for k in m
            )
        return tuple(
            Setting(s.value.split("=", 1)[0].strip(), s.pos, s.field) for s in self.many("sysctls")
        )


def _service(
    name: str,
    svc: Mapping[str, Any],
    services: Mapping[str, Any],
    loc: Locator,
    file: str,
    bind_volumes: Mapping[str, str],
) -> RuntimeSpec:
    prefix = f"services.{name}"
    r = _Reader(svc, loc, prefix)
    limits = ("deploy", "resources", "limits")
    return RuntimeSpec(
        kind=InputKind.COMPOSE,
        file=file,
        resource=f"service {name}",
        pos=loc.key(services, name),
        field=prefix,
        image=r.one("image"),
        privileged=r.one("privileged"),
        user=r.one("user"),
        read_only=r.one("read_only"),
        network=r.one("network_mode"),
        pid=r.one("pid"),
        ipc=r.one("ipc"),
        uts=r.one("uts"),
        memory=r.one("mem_limit") or r.one(*limits, "memory"),
        cpus=r.one("cpus") or r.one(*limits, "cpus") or r.one("cpu_quota"),
        pids_limit=r.one("pids_limit") or r.one(*limits, "pids"),
        cap_add=r.many("cap_add"),
        cap_drop=r.many("cap_drop"),
        security_opt=r.many("security_opt"),
        sysctls=r.sysctls(),
        devices=r.many("devices"),
        mounts=tuple(_mounts(svc, loc, prefix, bind_volumes)),
    )


def _mounts(
    svc: Mapping[str, Any], loc: Locator, prefix: str, bind_volumes: Mapping[str, str]
) -> Iterator[Mount]:
    seq = as_seq(svc.get("volumes")) or []
    for i, item in enumerate(seq):
        pos, field = loc.item(seq, i), f"{prefix}.volumes[{i}]"
        long = as_map(item)
        if long is not None:
            kind = str(long.get("type") or "volume")
            source = str(long.get("source") or "")
            target = str(long.get("target") or "")
        elif isinstance(item, str):
            kind, source, target = parse_short_volume(item)
        else:
            continue
        if kind == "volume" and source in bind_volumes:
            kind, source = "bind", bind_volumes[source]
        yield Mount(kind, source, target, pos, field)


def parse_short_volume(spec: str) -> tuple[str, str, str]:
    """``(kind, source, target)`` of a short-syntax volume (``SRC:DST[:MODE]`` or ``DST``)."""
    parts = spec.split(":")
    if len(parts) == 1:
        return "volume", "", parts[0]
    source, target = parts[0], parts[1]
    is_path = source.startswith(("/", ".", "~", "$")) or source == ""
    return ("bind" if is_path else "volume"), source, target


def _bind_volumes(data: Any) -> dict[str, str]:
    """Top-level named volumes that are really bind mounts (``o: bind`` + ``device``)."""
    out: dict[str, str] = {}
    volumes = get_map(data, "volumes") or {}
    for name in volumes:
        opts = get_map(volumes[name], "driver_opts") or {}
        options = str(opts.get("o") or "").split(",")
        device = opts.get("device")
        if "bind" in options and isinstance(device, str):
            out[str(name)] = device
    return out
