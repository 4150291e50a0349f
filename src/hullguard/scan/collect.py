"""One verified pass over every layer, collecting what the analyzers asked for.

The walk builds the layered view and, for the files analyzers want, keeps the
bytes of the version that survives into the final filesystem (plus, for
single-file package databases, every layer's version, so the layer that
installed a package can be found). An optional visitor sees every regular
file of every layer, including files a later layer deletes: that is what secret
scanning stands on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hullguard.cache import AnalysisCache
from hullguard.image.fsview import LayeredView
from hullguard.image.loader import Image
from hullguard.image.walk import RECORDS_ANALYZER, RECORDS_VERSION, _encode, record_of
from hullguard.model.image import FileRecord, FileType, Layer
from hullguard.progress import NULL_PROGRESS, Progress

ELF_MAGIC = b"\x7fELF"
#: markers of embedded build metadata worth keeping an executable for
BINARY_MARKERS = (b"\xff Go buildinf:", b".dep-v0")
#: smallest executable worth sniffing
_MIN_SNIFF = 64


@dataclass(frozen=True)
class WalkPlan:
    """What the walk should keep.

    ``want(path)``: keep the surviving version of this file.
    ``sniff_executables``: keep ELF executables carrying Go/Rust build metadata.
    ``history(path)``: also keep every layer's version of this file.
    ``visit``: called for every regular file of every layer with its bytes
    (``None`` when over the size limit); must not keep references it does not need.
    """

    want: Callable[[str], bool] = lambda _path: False
    sniff_executables: bool = False
    history: Callable[[str], bool] = lambda _path: False
    visit: Callable[[Layer, FileRecord, bytes | None], None] | None = None
    #: visit only files this predicate accepts (path, size, first bytes)
    visit_wants: Callable[[str, int, bytes], bool] = lambda _path, _size, _head: True
    #: how many leading bytes ``visit_wants`` sees
    head_bytes: int = 8192


@dataclass
class Collected:
    """Result of the walk."""

    view: LayeredView
    records: dict[int, list[FileRecord]]
    files: dict[str, bytes]
    file_layer: dict[str, int]
    history: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def locate(self, path: str) -> int | None:
        """Layer that wrote the surviving version of ``path``."""
        return self._final_layers().get(path)

    def _final_layers(self) -> dict[str, int]:
        cached: dict[str, int] | None = getattr(self, "_final_cache", None)
        if cached is None:
            cached = {r.path: r.layer for r in self.view.final()}
            self._final_cache = cached
        return cached


def collect(
    image: Image,
    plan: WalkPlan,
    cache: AnalysisCache | None = None,
    progress: Progress = NULL_PROGRESS,
) -> Collected:
    """Read every layer once (verifying digests) and keep what ``plan`` asks for."""
    cache = cache or AnalysisCache(None)
    view = LayeredView()
    per_layer: dict[int, list[FileRecord]] = {}
    latest: dict[str, tuple[int, bytes]] = {}
    history: dict[str, list[tuple[int, bytes]]] = {}
    skipped: list[str] = []
    max_file = image.limits.max_file_bytes
    progress.start("layers", len(image.layers))
    for layer in image.layers:
        records: list[FileRecord] = []
        with image.open_layer(layer) as stream:
            for entry in stream:
                record = record_of(entry, layer.index)
                records.append(record)
                if entry.type is not FileType.FILE:
                    continue
                path = entry.path
                data: bytes | None = None
                wanted = plan.want(path)
                if wanted or plan.history(path):
                    data = stream.read_data(max_file)
                    if data is None:
                        skipped.append(path)
                elif (
                    plan.sniff_executables
                    and entry.mode & 0o111
                    and _MIN_SNIFF <= entry.size <= max_file
                    and stream.peek(4) == ELF_MAGIC
                ):
                    data = stream.read_data(max_file)
                    if data is not None and any(m in data for m in BINARY_MARKERS):
                        wanted = True
                if data is not None:
                    if wanted:
                        latest[path] = (layer.index, data)
                    if plan.history(path):
                        history.setdefault(path, []).append((layer.index, data))
                if plan.visit is not None:
                    if entry.size > max_file:
                        plan.visit(layer, record, None)  # path-only checks
                        continue
                    head = data[: plan.head_bytes] if data is not None else None
                    if head is None:
                        head = stream.peek(plan.head_bytes)
                    if plan.visit_wants(path, entry.size, head):
                        if data is None:
                            data = stream.read_data(max_file)
                        plan.visit(layer, record, data)
        per_layer[layer.index] = records
        cache.put(RECORDS_ANALYZER, RECORDS_VERSION, layer.diff_id, _encode(records))
        view.begin_layer(layer.index)
        for record in records:
            view.add(record)
        view.end_layer()
        progress.advance("layers", 1)
    progress.finish("layers")
    final_layer = {r.path: r.layer for r in view.final()}
    files = {p: d for p, (lay, d) in latest.items() if final_layer.get(p) == lay}
    file_layer = {p: lay for p, (lay, _) in latest.items() if final_layer.get(p) == lay}
    return Collected(view, per_layer, files, file_layer, history, skipped)
