"""Read several layers at once in forked worker processes; hand results back in layer order.

Inflating a layer (ISA-L, zstandard) and parsing its tar hold the GIL, so
threads cannot overlap them; separate processes can. Each worker is forked
from the parent (the image, its source and the per-layer job are inherited,
nothing is pickled on the way in), reads whole layers on its own (digests
verified there), and sends back only what the job returns: compact records and
the small files analyzers asked for, never a layer's bytes.

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
import os
import signal
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

WORKERS_ENV = "HULLGUARD_WORKERS"
#: compressed bytes outside the largest layer below which one process is faster
MIN_PARALLEL_BYTES = 8 << 20


class LayerWorkerError(HullguardError):
    """A worker process reading layers died (killed, out of memory)."""


@dataclass(frozen=True)
class _Failure:
    error: HullguardError


#: the job of this worker process (set by the initializer, inherited through fork)
_JOB: Callable[[int], object] | None = None


def _init_worker(job: Callable[[int], object], source: ImageSource) -> None:
    global _JOB
    _JOB = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    source.after_fork()


def _run(index: int) -> object:
    assert _JOB is not None
    try:
        return _JOB(index)
    except HullguardError as exc:
        return _Failure(exc)


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


def map_layers(
    source: ImageSource,
    layers: Sequence[Layer],
    job: Callable[[Layer], T],
    *,
    allow_pool: bool = True,
) -> Iterator[tuple[Layer, T]]:
    """``(layer, job(layer))`` for each layer, in order; in worker processes when it pays."""
    workers = worker_count(source, layers) if allow_pool else 1
    if workers <= 1:
        for layer in layers:
            yield layer, job(layer)
        return
    yield from _pooled(source, layers, job, workers)


def _pooled(
    source: ImageSource, layers: Sequence[Layer], job: Callable[[Layer], T], workers: int
) -> Iterator[tuple[Layer, T]]:
    by_index = {layer.index: layer for layer in layers}
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init_worker,
        initargs=(lambda index: job(by_index[index]), source),
    )
    done = False
    try:
        largest_first = sorted(layers, key=lambda layer: (-layer.descriptor.size, layer.index))
        futures = {layer.index: pool.submit(_run, layer.index) for layer in largest_first}
        prewarm.run_pending()  # the workers are forked: the parent's imports overlap them
        for layer in layers:
            yield layer, cast(T, _result(futures[layer.index], layer))
        done = True
    finally:
        if not done:
            _stop(pool)
        pool.shutdown(wait=True, cancel_futures=True)


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
