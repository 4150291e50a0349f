"""Secrets in an image: every layer (deleted files included), the config and the history.

Each finding says where the secret is and how it got there: the layer that
added the file (with its build step), whether a later layer replaced or
deleted it (and which step), and that a deleted file is still extractable from
the layer that added it. Values never leave the secret engine: findings carry
a redacted excerpt and a fingerprint only, and only those are cached.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, cast

from hullguard import __version__
from hullguard.image.loader import Image
from hullguard.model.image import Digest, FileRecord, Layer
from hullguard.secrets.interface import SecretMatch
from hullguard.secrets.redact import redact_command
from hullguard.secrets.serialize import match_to_dict

if TYPE_CHECKING:  # the engine (hyperscan, RE2) is imported by whoever builds a scanner
    from hullguard.secrets.scanner import SecretScanner

SECRETS_ANALYZER = "secrets"


class Origin:
    """Where a finding was made (string constants, stable in JSON)."""

    LAYER = "layer"
    CONFIG = "config"
    HISTORY = "history"


@dataclass(frozen=True)
class ImageSecret:
    """A secret match placed in the image."""

    match: SecretMatch
    origin: str
    layer: int | None = None
    layer_digest: str | None = None
    created_by: str | None = None
    status: str = "present"  # present | deleted | replaced | config | history
    removed_by_layer: int | None = None
    removed_by: str | None = None
    history_step: int | None = None

    def sort_key(self) -> tuple[int, int, str, int, str]:
        return (
            -self.match.severity.rank,
            self.layer if self.layer is not None else -1,
            self.match.path,
            self.match.line,
            self.match.rule_id,
        )

    def story(self) -> str:
        """ "added by layer 3 `COPY . /app`, deleted by layer 5 `RUN rm .env` — ..."."""
        if self.origin == Origin.CONFIG:
            return f"in the image config ({self.match.path})"
        if self.origin == Origin.HISTORY:
            return f"in build history step {self.history_step}: visible to anyone who pulls"
        text = f"added by layer {self.layer} `{_short(self.created_by)}`"
        if self.status == "deleted":
            text += (
                f", deleted by layer {self.removed_by_layer} `{_short(self.removed_by)}`"
                f" — still extractable from layer {self.layer}"
            )
        elif self.status == "replaced":
            text += (
                f", overwritten by layer {self.removed_by_layer} `{_short(self.removed_by)}`"
                f" — the old content is still extractable from layer {self.layer}"
            )
        return text

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = dict(match_to_dict(self.match))
        doc.update(
            {
                "origin": self.origin,
                "layer": self.layer,
                "layer_digest": self.layer_digest,
                "created_by": redact_command(self.created_by or "") or None,
                "status": self.status,
                "removed_by_layer": self.removed_by_layer,
                "removed_by": redact_command(self.removed_by or "") or None,
                "history_step": self.history_step,
                "story": self.story(),
            }
        )
        return doc


def _short(text: str | None, width: int = 60) -> str:
    flat = " ".join(redact_command(text or "").split())
    for prefix in ("/bin/sh -c #(nop) ", "/bin/sh -c "):
        flat = flat.replace(prefix, "RUN " if prefix == "/bin/sh -c " else "")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _canonical(obj: object) -> object:
    """A deterministic, JSON-able form (sets sorted, enums by value, patterns by source)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _canonical(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, re.Pattern):
        return [obj.pattern, obj.flags]
    if isinstance(obj, (set, frozenset)):
        return sorted((_canonical(o) for o in obj), key=repr)
    if isinstance(obj, (list, tuple)):
        return [_canonical(o) for o in obj]
    if isinstance(obj, dict):
        return {str(k): _canonical(v) for k, v in sorted(obj.items(), key=lambda kv: repr(kv[0]))}
    return obj if isinstance(obj, (str, int, float, bool, type(None))) else repr(obj)


def scanner_key(scanner: SecretScanner) -> str:
    """Cache version for a scanner: changes with the rules, the config and hullguard."""
    text = json.dumps(
        _canonical([scanner.rules, scanner.allow, scanner.config, __version__]), sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


#: text a worker holds while it waits for the rule gate from the parent (then it blocks)
PENDING_BYTES = 32 << 20
#: how long a worker waits for the gate before building its own (a parent that died is
#: stopped by the pool anyway; this only bounds a wait that should never happen)
GATE_WAIT_SECONDS = 120.0


class LayerSecretCollector:
    """Visitor for the layer walk: runs the engine on every file of every layer.

    When the walk forks layer workers, the rule gate (a hyperscan database,
    ~70 ms to compile) is compiled by the parent *after* the fork, while the
    workers already read, and sent to them (serialized, a millisecond to load):
    it used to be compiled before the fork with one core idle. A worker keeps
    the files it is given until the gate arrives (at most :data:`PENDING_BYTES`,
    and never past the end of a layer), then scans them in order; findings and
    counts are exactly those of scanning each file on arrival. Without workers
    the gate is built on first use, as before.
    """

    def __init__(self, scanner: SecretScanner) -> None:
        self.scanner = scanner
        # the keyword index once here, not in each worker process the walk forks; the
        # rule gate in the parent after the fork (``after_fork``), or on first use
        scanner.prepare(gate=False)
        self._channel: Any = None
        self._waiting = False  # in a worker: the gate has not arrived yet
        self._pending: list[tuple[Layer, FileRecord, bytes]] = []
        self._pending_bytes = 0
        #: the walk's ``visit_wants``: the scanner's own test (no wrapper call per file)
        self.wants = scanner.wants
        #: the walk's ``visit_path``: what ``wants`` decides before any byte is read
        self.visit_path = scanner.wants_path
        self.by_layer: dict[int, list[SecretMatch]] = {}
        self.files_scanned = 0
        self.bytes_scanned = 0

    def before_fork(self) -> None:
        """The walk is about to fork workers: they will get the gate from ``after_fork``."""
        if self.scanner.has_gate():
            return
        import multiprocessing

        self._channel = multiprocessing.get_context("fork").Queue()
        self._waiting = True

    def after_fork(self, workers: int) -> None:
        """In the parent, workers started: compile the gate and send it to each of them."""
        if self._channel is None:
            return
        self._waiting = False
        gate = self.scanner.build_gate()
        state = gate.dump() if gate is not None else None
        # a worker given no layer never takes its copy: exiting must not wait to send it
        self._channel.cancel_join_thread()
        for _ in range(workers):
            self._channel.put(state)

    def _receive(self, block: bool) -> bool:
        """Take the gate from the parent if it has come (``block``: wait for it)."""
        import queue

        from hullguard.secrets.gate import RuleGate

        try:
            state = self._channel.get(block, GATE_WAIT_SECONDS if block else None)
        except queue.Empty:
            if not block:
                return False
            state = None  # never sent: build our own below
        if state is not None:
            self.scanner.install_gate(RuleGate.load(state))
        else:
            self.scanner.build_gate()
        self._waiting = False
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        for layer, record, data in pending:
            self._scan(layer, record, data)
        return True

    def visit(self, layer: Layer, record: FileRecord, data: bytes | None) -> None:
        if data is not None and self._waiting and not self._receive(block=False):
            self._pending.append((layer, record, data))
            self._pending_bytes += len(data)
            if self._pending_bytes > PENDING_BYTES:
                self._receive(block=True)
            return
        self._scan(layer, record, data)

    def _scan(self, layer: Layer, record: FileRecord, data: bytes | None) -> None:
        if data is None:
            found = self.scanner.is_sensitive_path(record.path, None)
            matches = [found] if found else []
        else:
            self.files_scanned += 1
            self.bytes_scanned += len(data)
            matches = self.scanner.scan_bytes(record.path, data)
        if matches:
            self.by_layer.setdefault(layer.index, []).extend(matches)

    def export(self, index: int) -> tuple[list[SecretMatch], int, int]:
        """Hand over (and forget) what this process found in layer ``index``.

        Called by the layer walk in whichever process read the layer; the
        counters are reset so that several layers read by one worker are not
        counted twice.
        """
        if self._waiting:  # the layer is read: its files are scanned before it is handed over
            self._receive(block=True)
        found = (self.by_layer.pop(index, []), self.files_scanned, self.bytes_scanned)
        self.files_scanned = self.bytes_scanned = 0
        return found

    def absorb(self, index: int, payload: object) -> None:
        """Merge what :meth:`export` returned for layer ``index`` (in the parent)."""
        matches, files, nbytes = cast(tuple[list[SecretMatch], int, int], payload)
        if matches:
            self.by_layer.setdefault(index, []).extend(matches)
        self.files_scanned += files
        self.bytes_scanned += nbytes


def dump_layer(matches: Sequence[SecretMatch]) -> list[dict[str, Any]]:
    return [
        {**match_to_dict(m), "_category": m.category.value, "_severity": m.severity.value}
        for m in matches
    ]


def load_layer(rows: Any) -> list[SecretMatch] | None:
    from hullguard.model.severity import Severity
    from hullguard.secrets.interface import RuleId, SecretCategory

    if not isinstance(rows, list):
        return None
    try:
        return [
            SecretMatch(
                path=r["path"],
                line=int(r["line"]),
                column=int(r["column"]),
                rule_id=RuleId(r["rule_id"]),
                category=SecretCategory(r["_category"]),
                severity=Severity(r["_severity"]),
                title=r["title"],
                redacted=r["redacted"],
                fingerprint=r["fingerprint"],
                length=int(r["length"]),
                note=r["note"],
            )
            for r in rows
        ]
    except (KeyError, TypeError, ValueError):
        return None


def place_findings(
    image: Image,
    by_layer: dict[int, list[SecretMatch]],
    removed: dict[tuple[str, int], tuple[str, int]],
) -> list[ImageSecret]:
    """Attach layer, build step and deletion/replacement status to layer findings."""
    out = []
    for index, matches in by_layer.items():
        layer = image.layers[index]
        for match in matches:
            status, by = removed.get((match.path, index), ("present", -1))
            out.append(
                ImageSecret(
                    match=match,
                    origin=Origin.LAYER,
                    layer=index,
                    layer_digest=layer.descriptor.digest,
                    created_by=layer.created_by or None,
                    status=status,
                    removed_by_layer=by if by >= 0 else None,
                    removed_by=(image.layers[by].created_by or None) if by >= 0 else None,
                )
            )
    return out


def config_findings(image: Image, scanner: SecretScanner) -> list[ImageSecret]:
    """Secrets in Env, Labels, OnBuild and every history step's ``created_by``."""
    cfg = image.config
    out = [ImageSecret(m, Origin.CONFIG, status="config") for m in scanner.scan_env(cfg.env)]
    out += [ImageSecret(m, Origin.CONFIG, status="config") for m in scanner.scan_labels(cfg.labels)]
    for i, step in enumerate(cfg.on_build):
        out += [
            ImageSecret(m, Origin.CONFIG, status="config")
            for m in scanner.scan_history(step, source=f"config:OnBuild[{i}]")
        ]
    for i, hist in enumerate(cfg.history):
        out += [
            ImageSecret(m, Origin.HISTORY, status="history", history_step=i)
            for m in scanner.scan_history(hist.created_by, source=f"history[{i}]")
        ]
    return out


def removal_index(records: Sequence[FileRecord]) -> dict[tuple[str, int], tuple[str, int]]:
    """(path, layer) -> ("deleted" or "replaced", by which layer) for non-surviving records."""
    out: dict[tuple[str, int], tuple[str, int]] = {}
    for rec in records:
        if rec.deleted_by is not None:
            out[(rec.path, rec.layer)] = ("deleted", rec.deleted_by)
        elif rec.replaced_by is not None:
            out[(rec.path, rec.layer)] = ("replaced", rec.replaced_by)
    return out


def secrets_cache_digest(layer: Layer) -> Digest:
    return layer.diff_id
