"""The layered filesystem view: which layer added each path, and what later layers did.

Layers are applied in order with overlay semantics (the OCI image spec's
"Applying changesets"): a regular entry replaces the lower path (and, when a
directory is replaced by a non-directory, everything below it); a whiteout
``.wh.NAME`` deletes ``NAME`` and everything below it in lower layers; an
opaque marker ``.wh..wh..opq`` deletes everything below its directory from
lower layers while keeping the same layer's own entries.

The view keeps every record ever written, so it can answer both "what is in the
final image" and "what was in layer 3 and is gone now".
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from hullguard.image.tarstream import OPAQUE_MARKER, WHITEOUT_PREFIX
from hullguard.model.image import FileRecord, FileType


@dataclass(slots=True)
class _Node:
    record: int  # index into records of the live record at this path
    children: set[str] = field(default_factory=set)


class LayeredView:
    """Accumulates per-layer entries and tracks replacement and deletion."""

    def __init__(self) -> None:
        self._records: list[FileRecord] = []
        self._replaced: dict[int, int] = {}
        self._deleted: dict[int, int] = {}
        self._live: dict[str, _Node] = {}
        self._layer = -1
        self._opaque_pending: list[str] = []
        self._whiteouts: list[tuple[str, int]] = []

    # -- building --------------------------------------------------------------
    def begin_layer(self, index: int) -> None:
        self._layer = index
        self._opaque_pending = []
        self._whiteouts = []

    def add(self, record: FileRecord) -> None:
        """Add one entry of the current layer (whiteouts and opaque markers included)."""
        path = record.path
        if record.type is FileType.OPAQUE:
            self._opaque_pending.append(posixpath.dirname(path))
            self._records.append(record)
            return
        if record.type is FileType.WHITEOUT:
            parent = posixpath.dirname(path)
            target = posixpath.join(parent, posixpath.basename(path)[len(WHITEOUT_PREFIX) :])
            self._records.append(record)
            self._whiteouts.append((target, len(self._records) - 1))
            return
        idx = len(self._records)
        self._records.append(record)
        node = self._live.get(path)
        if node is not None:
            old = self._records[node.record]
            self._replaced[node.record] = self._layer
            if old.type is FileType.DIR and record.type is not FileType.DIR:
                for child in list(node.children):
                    self._delete_tree(child, self._replaced)
                node.children.clear()
            node.record = idx
            return
        parent = path.rpartition("/")[0] or "/"
        parent_node = self._live.get(parent)
        if parent_node is None:
            self._ensure_parents(path)
            parent_node = self._live[parent]
        self._live[path] = _Node(idx)
        if path != "/":
            parent_node.children.add(path)

    def end_layer(self) -> None:
        """Apply this layer's opaque markers and whiteouts to lower layers."""
        for directory in self._opaque_pending:
            node = self._live.get(directory)
            if node is None:
                continue
            for child in list(node.children):
                self._delete_lower(child)
        for target, _ in self._whiteouts:
            node = self._live.get(target)
            if node is None:
                continue
            if self._records[node.record].layer < self._layer:
                self._delete_tree(target, self._deleted)
                parent = self._live.get(posixpath.dirname(target))
                if parent is not None:
                    parent.children.discard(target)
            else:  # deleted and re-created in this layer: only lower contents go
                for child in list(node.children):
                    self._delete_lower(child)

    def _ensure_parents(self, path: str) -> None:
        """Create implicit parent directories (tars may omit them)."""
        missing: list[str] = []
        parent = posixpath.dirname(path)
        while parent not in self._live:
            missing.append(parent)
            if parent == "/":
                break
            parent = posixpath.dirname(parent)
        for directory in reversed(missing):
            idx = len(self._records)
            self._records.append(
                FileRecord(directory, FileType.DIR, 0, 0o755, self._layer, extra={"implicit": "1"})
            )
            self._live[directory] = _Node(idx)
            if directory != "/":
                self._live[posixpath.dirname(directory)].children.add(directory)

    def _delete_tree(self, path: str, into: dict[int, int]) -> None:
        stack = [path]
        while stack:
            current = stack.pop()
            node = self._live.pop(current, None)
            if node is None:
                continue
            into.setdefault(node.record, self._layer)
            stack.extend(node.children)

    def _delete_lower(self, path: str) -> None:
        """Opaque directory: remove lower-layer entries below it, keep this layer's."""
        node = self._live.get(path)
        if node is None:
            return
        for child in list(node.children):
            self._delete_lower(child)
        if self._records[node.record].layer < self._layer and not node.children:
            self._live.pop(path)
            self._deleted.setdefault(node.record, self._layer)
            parent = self._live.get(posixpath.dirname(path))
            if parent is not None:
                parent.children.discard(path)

    # -- reading -----------------------------------------------------------------
    def _finalised(self, idx: int) -> FileRecord:
        record = self._records[idx]
        replaced = self._replaced.get(idx)
        deleted = self._deleted.get(idx)
        if replaced is None and deleted is None:
            return record
        return replace(record, replaced_by=replaced, deleted_by=deleted)

    def final(self) -> list[FileRecord]:
        """Files present in the final image, sorted by path."""
        out = [
            self._finalised(node.record)
            for node in self._live.values()
            if not self._records[node.record].extra.get("implicit")
        ]
        return sorted(out, key=lambda r: r.path)

    def final_layers(self) -> dict[str, int]:
        """``{path: layer}`` of :meth:`final` without building or sorting records."""
        records = self._records
        return {
            path: record.layer
            for path, node in self._live.items()
            if not (record := records[node.record]).extra.get("implicit")
        }

    def all_records(self) -> list[FileRecord]:
        """Every entry of every layer (whiteouts and markers included), by layer then path."""
        return sorted(
            (
                self._finalised(i)
                for i, record in enumerate(self._records)
                if not record.extra.get("implicit")
            ),
            key=lambda r: (r.layer, r.path),
        )

    def layer_records(self, layer: int) -> Iterator[FileRecord]:
        for i, record in enumerate(self._records):
            if record.layer == layer:
                yield self._finalised(i)


def whiteout_target(record: FileRecord) -> str | None:
    """For a whiteout record, the path it deletes."""
    if record.type is FileType.WHITEOUT:
        base = posixpath.basename(record.path)[len(WHITEOUT_PREFIX) :]
        return posixpath.join(posixpath.dirname(record.path), base)
    if record.type is FileType.OPAQUE:
        return posixpath.dirname(record.path) + "/" + OPAQUE_MARKER
    return None


def build_view(layers: Iterable[tuple[int, Iterable[FileRecord]]]) -> LayeredView:
    view = LayeredView()
    for index, records in layers:
        view.begin_layer(index)
        for record in records:
            view.add(record)
        view.end_layer()
    return view
