"""Render ``image inspect`` and ``image files`` results as JSON or tables."""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hullguard.image.loader import Image
from hullguard.model.image import FileRecord, FileType
from hullguard.secrets.redact import redact_command

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class LayerStats:
    uncompressed_size: int
    files: int


def _sizeof(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"  # pragma: no cover


def inspect_document(image: Image, stats: dict[int, LayerStats]) -> dict[str, Any]:
    cfg = image.config
    layer_by_step: dict[int, int] = {}
    step = 0
    for i, hist in enumerate(cfg.history):
        if not hist.empty_layer:
            layer_by_step[i] = step
            step += 1
    return {
        "reference": image.reference,
        "manifest_digest": image.manifest_digest,
        "index_digest": image.index_digest,
        "media_type": image.manifest_media_type,
        "image_id": image.config_digest,
        "platform": {"os": cfg.os, "architecture": cfg.architecture, "variant": cfg.variant},
        "platforms_available": [str(p) for p in image.platforms],
        "created": cfg.created,
        "author": cfg.author,
        "user": cfg.user,
        "entrypoint": list(cfg.entrypoint) if cfg.entrypoint is not None else None,
        "cmd": list(cfg.cmd) if cfg.cmd is not None else None,
        "env": [redact_command(e) for e in cfg.env],
        "working_dir": cfg.working_dir,
        "exposed_ports": list(cfg.exposed_ports),
        "volumes": list(cfg.volumes),
        "labels": dict(cfg.labels),
        "stop_signal": cfg.stop_signal,
        "layers": [
            {
                "index": layer.index,
                "digest": layer.descriptor.digest,
                "diff_id": layer.diff_id,
                "media_type": layer.descriptor.media_type,
                "size": layer.descriptor.size,
                "uncompressed_size": stats[layer.index].uncompressed_size
                if layer.index in stats
                else None,
                "files": stats[layer.index].files if layer.index in stats else None,
                "created_by": redact_command(layer.created_by),
                "created": layer.history.created if layer.history else "",
            }
            for layer in image.layers
        ],
        "history": [
            {
                "created": h.created,
                "created_by": redact_command(h.created_by),
                "comment": h.comment,
                "empty_layer": h.empty_layer,
                "layer": layer_by_step.get(i),
            }
            for i, h in enumerate(cfg.history)
        ],
        "warnings": list(image.warnings),
    }


def _console(buf: io.StringIO) -> Console:
    from rich.console import Console  # rich only for `inspect` tables, not `files` listings

    return Console(file=buf, width=160, no_color=True, highlight=False, soft_wrap=False)


def inspect_table(doc: dict[str, Any]) -> str:
    from rich.table import Table

    buf = io.StringIO()
    con = _console(buf)
    plat = doc["platform"]
    rows = [
        ("Reference", doc["reference"]),
        ("Manifest digest", doc["manifest_digest"] or "(not recorded in this archive)"),
        ("Index digest", doc["index_digest"] or "-"),
        ("Media type", doc["media_type"]),
        ("Image ID", doc["image_id"]),
        ("Platform", "/".join(p for p in (plat["os"], plat["architecture"], plat["variant"]) if p)),
        ("Created", doc["created"] or "-"),
        ("User", doc["user"] or "(root: no USER set)"),
        ("Entrypoint", json.dumps(doc["entrypoint"])),
        ("Cmd", json.dumps(doc["cmd"])),
        ("Working dir", doc["working_dir"] or "-"),
        ("Exposed ports", ", ".join(doc["exposed_ports"]) or "-"),
    ]
    head = Table(show_header=False, box=None, pad_edge=False)
    head.add_column(style="bold")
    head.add_column()
    for key, value in rows:
        head.add_row(key, str(value))
    for env in doc["env"]:
        head.add_row("Env", env)
    for key, value in sorted(doc["labels"].items()):
        head.add_row("Label", f"{key}={value}")
    con.print(head)
    layers = Table(title="Layers", title_justify="left")
    for col in ("#", "Digest", "DiffID", "Size", "Uncompressed", "Files", "Created by"):
        layers.add_column(col, overflow="fold")
    for layer in doc["layers"]:
        layers.add_row(
            str(layer["index"]),
            layer["digest"][:19],
            layer["diff_id"][:19],
            _sizeof(layer["size"]),
            _sizeof(layer["uncompressed_size"]) if layer["uncompressed_size"] is not None else "?",
            str(layer["files"]) if layer["files"] is not None else "?",
            _short(layer["created_by"]),
        )
    con.print(layers)
    hist = Table(title="History", title_justify="left")
    for col in ("Layer", "Created", "Created by"):
        hist.add_column(col, overflow="fold")
    for step in doc["history"]:
        hist.add_row(
            "-" if step["layer"] is None else str(step["layer"]),
            step["created"][:19],
            _short(step["created_by"]) + ("  (empty layer)" if step["empty_layer"] else ""),
        )
    con.print(hist)
    for warning in doc["warnings"]:
        con.print(f"WARNING: {warning}")
    return buf.getvalue()


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def record_document(record: FileRecord, created_by: dict[int, str]) -> dict[str, Any]:
    """One file as JSON; ``created_by`` maps layer index to its (already redacted) step."""
    doc: dict[str, Any] = {
        "path": record.path,
        "type": str.__str__(record.type),  # the plain value (StrEnum; faster than .value)
        "size": record.size,
        "mode": f"{record.mode:04o}",
        "uid": record.uid,
        "gid": record.gid,
        "layer": record.layer,
        "created_by": created_by.get(record.layer, ""),
        "status": _status(record),
    }
    if record.linkname:
        doc["link"] = record.linkname
    if record.replaced_by is not None:
        doc["replaced_by"] = record.replaced_by
    if record.deleted_by is not None:
        doc["deleted_by"] = record.deleted_by
    return doc


def _status(record: FileRecord) -> str:
    if record.type in (FileType.WHITEOUT, FileType.OPAQUE):
        return "whiteout"
    if record.deleted_by is not None:
        return "deleted"
    if record.replaced_by is not None:
        return "replaced"
    return "present"


def files_table(records: list[FileRecord]) -> str:
    """``ls -l``-style listing; plain string formatting (rich tables are too slow for 100k rows).

    Straight from the records (no JSON documents in between): 26,000 rows per
    benchmark image, so every per-row step shows in ``image files`` time.
    """
    rows = [("Mode", "Size", "Layer", "Status", "Path")]
    append = rows.append
    for r in records:
        if r.type is FileType.WHITEOUT or r.type is FileType.OPAQUE:
            status = "whiteout"
        elif r.deleted_by is not None:
            status = f"deleted by {r.deleted_by}"
        elif r.replaced_by is not None:
            status = f"replaced by {r.replaced_by}"
        else:
            status = "present"
        append(
            (
                _mode_text(r.type, r.mode),
                str(r.size),
                str(r.layer),
                status,
                f"{r.path} -> {r.linkname}" if r.linkname else r.path,
            )
        )
    size_w = max(len(r[1]) for r in rows)
    layer_w = max(len(r[2]) for r in rows)
    status_w = max(len(r[3]) for r in rows)
    lines = [
        f"{m:<10}  {sz:>{size_w}}  {ly:>{layer_w}}  {st:<{status_w}}  {pa}"
        for m, sz, ly, st, pa in rows
    ]
    return "\n".join(lines) + "\n"


_TYPECHAR = {
    "dir": "d",
    "symlink": "l",
    "hardlink": "h",
    "char": "c",
    "block": "b",
    "fifo": "p",
    "whiteout": "w",
    "opaque": "o",
}


@functools.lru_cache(maxsize=4096)
def _mode_text(ftype: FileType, mode: int) -> str:
    """``_modestr``, cached: few distinct (type, mode) pairs in 100k-row listings."""
    return _modestr(ftype, mode)


def _modestr(ftype: str, mode: int) -> str:
    chars = _TYPECHAR.get(ftype, "-")
    for shift in (6, 3, 0):
        bits = (mode >> shift) & 7
        chars += (
            ("r" if bits & 4 else "-") + ("w" if bits & 2 else "-") + ("x" if bits & 1 else "-")
        )
    if mode & 0o4000:
        chars = chars[:3] + ("s" if chars[3] == "x" else "S") + chars[4:]
    if mode & 0o2000:
        chars = chars[:6] + ("s" if chars[6] == "x" else "S") + chars[7:]
    return chars
