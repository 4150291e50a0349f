"""One pass over every layer: file records for the layered view, file contents for analyzers.

Analyzers declare which files they want (``wants``); the walk reads each
wanted file once, in the single pass that also verifies the layer digests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from hullguard.cache import AnalysisCache
from hullguard.image.fsview import LayeredView
from hullguard.image.loader import Image
from hullguard.image.tarstream import Row as Row  # re-exported: workers' and the cache's form
from hullguard.image.tarstream import TarEntry, entry_row
from hullguard.model.frozen import from_fields
from hullguard.model.image import FileRecord, FileType, Layer
from hullguard.progress import NULL_PROGRESS, Progress

#: (path, size, layer) -> whether to read the file's bytes
WantFn = Callable[[str, int, Layer], bool]


@dataclass
class LayerContent:
    """What one layer holds: its entries and the bytes of the wanted files."""

    layer: Layer
    records: list[FileRecord] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # wanted but over the size limit


def record_of(entry: TarEntry, layer: int) -> FileRecord:
    """The model record of one tar entry of layer ``layer``."""
    return FileRecord(
        path=entry.path,
        type=entry.type,
        size=entry.size,
        mode=entry.mode,
        layer=layer,
        uid=entry.uid,
        gid=entry.gid,
        linkname=entry.linkname,
    )


def read_layer(image: Image, layer: Layer, want: WantFn | None, progress: Progress) -> LayerContent:
    """Read one layer fully (verifying its digests) and collect what ``want`` asks for."""
    out = LayerContent(layer)
    max_file = image.limits.max_file_bytes
    with image.open_layer(layer) as stream:
        for entry in stream:
            out.records.append(record_of(entry, layer.index))
            if (
                want is not None
                and entry.type is FileType.FILE
                and want(entry.path, entry.size, layer)
            ):
                data = stream.read_data(max_file)
                if data is None:
                    out.skipped.append(entry.path)
                else:
                    out.files[entry.path] = data
    progress.advance("layers", 1)
    return out


RECORDS_ANALYZER = "records"
RECORDS_VERSION = "1"


def row_of(entry: TarEntry) -> Row:
    """The compact form of one tar entry (what workers send and the cache stores)."""
    return entry_row(entry)


def records_from_rows(rows: list[Row], layer: int) -> list[FileRecord]:
    """Records from rows made by :func:`row_of` in this run (trusted: types are members).

    Rows read back from the cache are plain JSON and go through ``_decode``.
    Built with :func:`from_fields` (half the cost of the frozen ``__init__``,
    26,000 records per image here); every field is given, as the helper requires.
    """
    return [
        from_fields(
            FileRecord,
            {
                "path": p,
                "type": t,
                "size": s,
                "mode": m,
                "layer": layer,
                "uid": u,
                "gid": g,
                "linkname": ln,
                "replaced_by": None,
                "deleted_by": None,
                "extra": {},
            },
        )
        for p, t, s, m, u, g, ln in rows
    ]


def _encode(records: list[FileRecord]) -> list[Row]:
    return [[r.path, r.type.value, r.size, r.mode, r.uid, r.gid, r.linkname] for r in records]


def _decode(rows: object, layer: int) -> list[FileRecord] | None:
    if not isinstance(rows, list):
        return None
    try:
        return [
            FileRecord(
                path=str(p),
                type=FileType(t),
                size=int(s),
                mode=int(m),
                layer=layer,
                uid=int(u),
                gid=int(g),
                linkname=str(ln),
            )
            for p, t, s, m, u, g, ln in rows
        ]
    except (TypeError, ValueError):
        return None


#: rows per part a worker hands back while it reads a layer (see ``stream_layers``)
PART_ROWS = 2048


def read_rows(
    image: Image,
    layer: Layer,
    cache: AnalysisCache,
    emit: Callable[[list[Row]], None] | None = None,
) -> list[Row]:
    """Read one layer's entries (digests verified) and cache them; runs in a worker.

    With ``emit``, rows are handed to it in parts as the layer is read and only
    what is left is returned; without it, every row is returned.
    """
    keep = cache.enabled or emit is None
    rows: list[Row] = []
    with image.open_layer(layer) as stream:
        for part in stream.row_parts(PART_ROWS):  # the C header scanner's fast path
            if keep:
                rows += part
            if emit is not None and part:
                emit(part)
    cache.put(RECORDS_ANALYZER, RECORDS_VERSION, layer.diff_id, rows)
    return [] if emit is not None else rows


def layer_records(
    image: Image, layer: Layer, cache: AnalysisCache, progress: Progress
) -> list[FileRecord]:
    """A layer's entries, from the cache when another scan already read that diff_id."""
    cached = _decode(cache.get(RECORDS_ANALYZER, RECORDS_VERSION, layer.diff_id), layer.index)
    if cached is None:
        cached = records_from_rows(read_rows(image, layer, cache), layer.index)
    progress.advance("layers", 1)
    return cached


def build_layered_view(
    image: Image, cache: AnalysisCache | None = None, progress: Progress = NULL_PROGRESS
) -> tuple[LayeredView, dict[int, list[FileRecord]]]:
    """The layered view of the whole image, reading only layers not already cached.

    Layers not in the cache are read in worker processes when that pays
    (:mod:`hullguard.image.parallel`); the view is built in layer order as
    their records arrive.
    """
    store = cache or AnalysisCache(None)
    cached = {
        layer.index: _decode(
            store.get(RECORDS_ANALYZER, RECORDS_VERSION, layer.diff_id), layer.index
        )
        for layer in image.layers
    }
    todo = [layer for layer in image.layers if cached[layer.index] is None]

    def job(layer: Layer, emit: Callable[[list[Row]], None]) -> list[Row]:
        return read_rows(image, layer, store, emit)

    def convert(layer: Layer, rows: list[Row]) -> list[FileRecord]:
        return records_from_rows(rows, layer.index)

    fresh: Iterator[tuple[Layer, list[FileRecord] | None, list[Row] | None]] = iter(())
    if todo:  # the pool (multiprocessing, ~20 ms of imports) only when a layer is read
        from hullguard.image.parallel import stream_layers

        fresh = stream_layers(image.source, todo, job, convert=convert)
    view = LayeredView()
    per_layer: dict[int, list[FileRecord]] = {}
    progress.start("layers", len(image.layers))
    for layer in image.layers:
        view.begin_layer(layer.index)
        records = cached[layer.index]
        if records is not None:
            for record in records:
                view.add(record)
        else:
            records = []
            for _, part, _ in fresh:  # this layer's records as the worker reads it
                if part is None:
                    break
                records += part
                for record in part:
                    view.add(record)
        per_layer[layer.index] = records
        view.end_layer()
        progress.advance("layers", 1)
    progress.finish("layers")
    return view, per_layer


def walk_image(
    image: Image,
    want: WantFn | None = None,
    progress: Progress = NULL_PROGRESS,
) -> tuple[LayeredView, list[LayerContent]]:
    """Read every layer in order; build the layered view and collect wanted files."""
    view = LayeredView()
    contents: list[LayerContent] = []
    progress.start("layers", len(image.layers))
    for layer in image.layers:
        content = read_layer(image, layer, want, progress)
        view.begin_layer(layer.index)
        for record in content.records:
            view.add(record)
        view.end_layer()
        contents.append(content)
    progress.finish("layers")
    return view, contents
