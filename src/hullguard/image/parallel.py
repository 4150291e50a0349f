"""Read several layers at once in forked worker processes; hand results back in layer order.

Inflating a layer (ISA-L, zstandard) and parsing its tar hold the GIL, so
threads cannot overlap them; separate processes can. Each worker is forked
from the parent (the image, its source and the per-layer job are inherited,
nothing is pickled on the way in), reads whole layers on its own (digests
verified there), and sends back only what the job emits and returns: compact
rows and the small files analyzers asked for, never a layer's bytes. Rows go
back in parts of a few thousand while the layer is read, so the parent turns
them into records and its view as they come rather than after the last layer.

Layers are submitted largest first (compressed size), so the longest layer
starts at once and the small ones fill the gaps; results are consumed in layer
order, so the caller merges exactly as the serial walk does and the first
error is the one the serial walk would raise. A :class:`HullguardError` in a
worker comes back as a value and is raised again in the parent (same message,
same exit code); a worker that dies becomes a :class:`LayerWorkerError`.

The pool is used only when it pays: the layers other than the largest hold at
least ``MIN_PARALLEL_BYTES`` (compressed), two usable CPUs and a source whose blobs forked
processes can read (:meth:`ImageSource.fork_safe`). ``HULLGUARD_WORKERS=1``
forces the serial path; ``HULLGUARD_WORKERS=N`` caps the pool.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import os
import queue
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar, cast

from hullguard import prewarm
from hullguard.errors import HullguardError, UsageError
from hullguard.image.interface import ImageSource
from hullguard.model.image import Layer

T = TypeVar("T")
P = TypeVar("P")
Q = TypeVar("Q")

WORKERS_ENV = "HULLGUARD_WORKERS"
#: compressed bytes outside the largest layer below which one process is faster
MIN_PARALLEL_BYTES = 8 << 20


class LayerWorkerError(HullguardError):
    """A worker process reading layers died (killed, out of memory)."""


@dataclass(frozen=True)
class _Failure:
    error: HullguardError


#: the job of this worker process and where its parts and results go (set by the
#: initializer, inherited through fork)
_JOB: Callable[[int, Callable[[object], None]], object] | None = None
_CHANNEL: multiprocessing.queues.Queue[tuple[int, bool, object]] | None = None
#: how often the parent, waiting on the channel, looks whether the layer's worker failed
_POLL_SECONDS = 0.05


def _init_worker(
    job: Callable[[int, Callable[[object], None]], object],
    source: ImageSource,
    channel: multiprocessing.queues.Queue[tuple[int, bool, object]],
) -> None:
    global _JOB, _CHANNEL
    _JOB, _CHANNEL = job, channel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    source.after_fork()


def _run(index: int) -> object:
    """Read layer ``index``: its parts and then its result go through the channel (one
    queue, so a layer's parts always precede its result); the future carries failures."""
    assert _JOB is not None and _CHANNEL is not None
    channel = _CHANNEL
    try:
        result = _JOB(index, lambda part: channel.put((index, False, part)))
    except HullguardError as exc:
        return _Failure(exc)
    channel.put((index, True, result))
    return None


def _env_workers() -> int | None:
    text = os.environ.get(WORKERS_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise UsageError(
            f"{WORKERS_ENV}={text!r} is not a positive number",
            hint="set it to 1 for one process, or unset it",
        )
    return int(text)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def worker_count(source: ImageSource, layers: Sequence[Layer]) -> int:
    """How many processes reading ``layers`` should use (1: read them here, in order).

    The largest layer is the critical path either way; a pool pays only when
    the other layers together are big enough to hide behind it.
    """
    sizes = sorted((layer.descriptor.size for layer in layers), reverse=True)
    if len(sizes) < 2 or sum(sizes[1:]) < MIN_PARALLEL_BYTES:
        return 1
    cap = _env_workers()
    wanted = min(len(sizes), _cpus(), cap if cap is not None else len(sizes))
    if wanted < 2 or not source.fork_safe():
        return 1
    return wanted


def stream_layers(
    source: ImageSource,
    layers: Sequence[Layer],
    job: Callable[[Layer, Callable[[P], None]], T],
    *,
    convert: Callable[[Layer, P], Q],
    allow_pool: bool = True,
    before_fork: Callable[[], None] | None = None,
    after_fork: Callable[[int], None] | None = None,
) -> Iterator[tuple[Layer, Q, None] | tuple[Layer, None, T]]:
    """Each layer's parts, then its result, layer after layer, while later layers are read.

    ``job(layer, emit)`` reads one layer (in a worker process when it pays),
    handing pieces of its result to ``emit`` as it goes (rows every few
    thousand entries) and returning the rest. The caller gets, in layer order,
    ``(layer, part, None)`` for each emitted part (after ``convert(layer, part)``,
    done in this process as soon as the part arrives, whatever its layer) and
    then ``(layer, None, result)``. The parts of the layer the caller is at come
    while that layer is still being read: the parent's work on them (records,
    the view) overlaps the workers instead of following the last of them.

    With a pool, ``before_fork()`` runs just before the workers are forked and
    ``after_fork(workers)`` in this process right after (work the workers will
    be sent, done while they read); without one, neither runs.
    """
    workers = worker_count(source, layers) if allow_pool else 1
    if workers <= 1:
        for layer in layers:
            parts: list[P] = []
            result = job(layer, parts.append)
            for part in parts:
                yield layer, convert(layer, part), None
            yield layer, None, result
        return
    yield from _pooled(source, layers, job, workers, convert, before_fork, after_fork)


def _pooled(
    source: ImageSource,
    layers: Sequence[Layer],
    job: Callable[[Layer, Callable[[P], None]], T],
    workers: int,
    convert: Callable[[Layer, P], Q],
    before_fork: Callable[[], None] | None = None,
    after_fork: Callable[[int], None] | None = None,
) -> Iterator[tuple[Layer, Q, None] | tuple[Layer, None, T]]:
    by_index = {layer.index: layer for layer in layers}
    context = multiprocessing.get_context("fork")
    #: parts and results: ``(layer index, done, payload)``, in order per layer
    channel: multiprocessing.queues.Queue[tuple[int, bool, object]] = context.Queue()
    if before_fork is not None:
        before_fork()
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(lambda index, emit: job(by_index[index], emit), source, channel),
    )
    done = False
    try:
        largest_first = sorted(layers, key=lambda layer: (-layer.descriptor.size, layer.index))
        futures = {layer.index: pool.submit(_run, layer.index) for layer in largest_first}
        if after_fork is not None:
            after_fork(workers)
        prewarm.run_pending()  # the workers are forked: the parent's imports overlap them
        waiting: dict[int, deque[Q]] = {layer.index: deque() for layer in layers}
        results: dict[int, object] = {}
        for layer in layers:
            parts = waiting[layer.index]
            while True:
                while parts:
                    yield layer, parts.popleft(), None
                if layer.index in results:
                    yield layer, None, cast(T, results.pop(layer.index))
                    break
                try:
                    index, finished, payload = channel.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    future = futures[layer.index]
                    if future.done():  # a failure raises here; a success is in the channel
                        _result(future, layer)
                    continue
                if finished:
                    results[index] = payload
                else:
                    waiting[index].append(convert(by_index[index], cast(P, payload)))
        done = True
    finally:
        if not done:
            _stop(pool)
        pool.shutdown(wait=True, cancel_futures=True)
        channel.close()


def _result(future: Future[object], layer: Layer) -> object:
    try:
        value = future.result()
    except BrokenProcessPool:
        raise LayerWorkerError(
            f"layer {layer.index}: the worker process reading it died",
            hint=f"out of memory? retry with {WORKERS_ENV}=1 to read layers one at a time",
        ) from None
    if isinstance(value, _Failure):
        raise value.error.with_traceback(None) from None
    return value


def _stop(pool: ProcessPoolExecutor) -> None:
    """Error or interrupt in the parent: do not wait for layers nobody will use."""
    for process in list(pool._processes.values()):  # no public way to cancel running work
        process.terminate()
