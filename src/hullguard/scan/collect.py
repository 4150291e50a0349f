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
from hullguard.image.tarstream import TarEntry, TarStream
from hullguard.image.walk import (
    PART_ROWS,
    RECORDS_ANALYZER,
    RECORDS_VERSION,
    Row,
    record_of,
    records_from_rows,
)
from hullguard.model.image import FileRecord, FileType, Layer
from hullguard.progress import NULL_PROGRESS, Progress

ELF_MAGIC = b"\x7fELF"
#: smallest executable worth sniffing
_MIN_SNIFF = 64


@dataclass(frozen=True)
class WalkPlan:
    """What the walk should keep.

    ``want(path)``: keep the surviving version of this file.
    ``sniff_executables``: keep ELF executables carrying Go/Rust build metadata
    (:func:`carries_build_metadata`: what the Go and Rust catalogers can read).
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
    #: before any byte is read: False when ``visit_wants`` would refuse the file whatever
    #: its content (the walk then skips it without reading its head)
    visit_path: Callable[[str, int], bool] = lambda _path, _size: True
    #: after a layer (in the process that read it): take the visitor's result for that layer
    export: Callable[[int], object] | None = None
    #: in the parent, in layer order: merge what ``export`` returned
    absorb: Callable[[int, object], None] | None = None
    #: when layers are read in worker processes: just before they are forked, and in
    #: the parent right after (with the number of workers); not called otherwise
    before_fork: Callable[[], None] | None = None
    after_fork: Callable[[int], None] | None = None


@dataclass
class Collected:
    """Result of the walk."""

    view: LayeredView
    records: dict[int, list[FileRecord]]
    files: dict[str, bytes]
    file_layer: dict[str, int]
    history: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    #: path -> layer of every file in the final image (``view.final_layers()``)
    final_layers: dict[str, int] = field(default_factory=dict)

    def locate(self, path: str) -> int | None:
        """Layer that wrote the surviving version of ``path``."""
        return self.final_layers.get(path)


@dataclass
class LayerHarvest:
    """What one layer yielded (built in a worker process when layers are read in parallel)."""

    rows: list[Row] = field(default_factory=list)
    wanted: dict[str, bytes] = field(default_factory=dict)  # last version in this layer
    history: list[tuple[str, bytes]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    visited: object = None  # the visitor's per-layer result (``WalkPlan.export``)


def harvest_layer(
    image: Image,
    layer: Layer,
    plan: WalkPlan,
    cache: AnalysisCache,
    emit: Callable[[list[Row]], None] | None = None,
) -> LayerHarvest:
    """Read one layer (digests verified) and keep what ``plan`` asks for.

    With ``emit``, the rows go to it in parts as the layer is read (the
    harvest's ``rows`` stays empty); without it, the harvest holds them all.
    """
    out = LayerHarvest()
    max_file = image.limits.max_file_bytes
    keep = cache.enabled or emit is None
    rows = out.rows if keep else []

    def flush(part: list[Row]) -> None:
        if keep:
            rows.extend(part)
        if emit is not None and part:
            emit(part)

    want, history, sniff = plan.want, plan.history, plan.sniff_executables
    visit = plan.visit_path if plan.visit is not None else None
    regular = FileType.FILE

    def select(path: str, ftype: FileType, size: int, mode: int) -> bool:
        """Regular files the body below may read (the rest only leave their row)."""
        return ftype is regular and bool(
            (visit is not None and (size > max_file or visit(path, size)))
            or want(path)
            or history(path)
            or (sniff and mode & 0o111 and _MIN_SNIFF <= size <= max_file)
        )

    with image.open_layer(layer) as stream:
        for entry in stream.pick(select, PART_ROWS, flush):
            path = entry.path
            data: bytes | None = None
            wanted = plan.want(path)
            in_history = plan.history(path)
            if wanted or in_history:
                data = stream.read_data(max_file)
                if data is None:
                    out.skipped.append(path)
            elif (
                plan.sniff_executables
                and entry.mode & 0o111
                and _MIN_SNIFF <= entry.size <= max_file
                and stream.peek(4) == ELF_MAGIC
            ):
                data = stream.read_data(max_file)
                if data is not None and _carries_build_metadata(data):
                    wanted = True
            if data is not None:
                if wanted:
                    out.wanted[path] = data
                if in_history:
                    out.history.append((path, data))
            if plan.visit is not None:
                _visit(plan, layer, stream, entry, data, max_file)
    cache.put(RECORDS_ANALYZER, RECORDS_VERSION, layer.diff_id, rows)
    if emit is not None:
        out.rows = []
    if plan.export is not None:
        out.visited = plan.export(layer.index)
    return out


def _records_of(layer: Layer, rows: list[Row]) -> list[FileRecord]:
    return records_from_rows(rows, layer.index)


def _carries_build_metadata(data: bytes) -> bool:
    # imported here: the catalogers' ELF readers are for scans that sniff executables,
    # not for a secrets-only walk
    from hullguard.catalog.buildmeta import carries_build_metadata

    return carries_build_metadata(data)


def _visit(
    plan: WalkPlan,
    layer: Layer,
    stream: TarStream,
    entry: TarEntry,
    data: bytes | None,
    max_file: int,
) -> None:
    assert plan.visit is not None
    if entry.size > max_file:
        plan.visit(layer, record_of(entry, layer.index), None)  # path-only checks
        return
    if data is None and entry.size <= plan.head_bytes:
        data = stream.read_data(max_file)  # the whole file is its head: one copy, no peek
    if data is None:
        head = stream.peek(plan.head_bytes)
    else:
        head = data if len(data) <= plan.head_bytes else data[: plan.head_bytes]
    if plan.visit_wants(entry.path, entry.size, head):
        if data is None:
            data = stream.read_data(max_file)
        plan.visit(layer, record_of(entry, layer.index), data)


def collect(
    image: Image,
    plan: WalkPlan,
    cache: AnalysisCache | None = None,
    progress: Progress = NULL_PROGRESS,
) -> Collected:
    """Read every layer once (verifying digests) and keep what ``plan`` asks for.

    Layers are read in worker processes when that pays and the plan's visitor
    (if any) can hand its per-layer results back (``export``/``absorb``);
    results are merged here in layer order either way.
    """
    store = cache or AnalysisCache(None)
    view = LayeredView()
    per_layer: dict[int, list[FileRecord]] = {}
    latest: dict[str, tuple[int, bytes]] = {}
    history: dict[str, list[tuple[int, bytes]]] = {}
    skipped: list[str] = []
    progress.start("layers", len(image.layers))
    poolable = plan.visit is None or (plan.export is not None and plan.absorb is not None)

    def job(layer: Layer, emit: Callable[[list[Row]], None]) -> LayerHarvest:
        return harvest_layer(image, layer, plan, store, emit)

    # imported here: the pool's modules (multiprocessing, ~20 ms) are for cold walks only
    from hullguard.image.parallel import stream_layers

    events = stream_layers(
        image.source,
        image.layers,
        job,
        convert=_records_of,
        allow_pool=poolable,
        before_fork=plan.before_fork,
        after_fork=plan.after_fork,
    )
    records: list[FileRecord] = []
    current: int | None = None
    for layer, part, got in events:
        if current != layer.index:
            current, records = layer.index, []
            view.begin_layer(layer.index)
        if part is not None:  # records of this layer while it is read: into the view now
            records += part
            for record in part:
                view.add(record)
            continue
        assert got is not None
        per_layer[layer.index] = records
        view.end_layer()
        for path, data in got.wanted.items():
            latest[path] = (layer.index, data)
        for path, data in got.history:
            history.setdefault(path, []).append((layer.index, data))
        skipped.extend(got.skipped)
        if plan.absorb is not None:
            plan.absorb(layer.index, got.visited)
        progress.advance("layers", 1)
    progress.finish("layers")
    final_layer = view.final_layers()
    files = {p: d for p, (lay, d) in latest.items() if final_layer.get(p) == lay}
    file_layer = {p: lay for p, (lay, _) in latest.items() if final_layer.get(p) == lay}
    return Collected(view, per_layer, files, file_layer, history, skipped, final_layer)
