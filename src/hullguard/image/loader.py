"""Open any image reference into a verified :class:`Image`.

This is where every transport's bytes are checked: manifest and index digests,
platform selection, config digest, layer count against ``diff_ids``. Layers
are opened lazily through :meth:`Image.open_layer`, which verifies the blob
digest and the uncompressed ``diff_id`` while streaming.
"""

from __future__ import annotations

import hashlib
import platform as host_platform
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from hullguard.errors import DigestMismatch, LimitExceeded, MalformedImage, SourceError
from hullguard.image.config import layer_history, parse_config
from hullguard.image.descriptors import parse_index, parse_manifest, sniff_media_type
from hullguard.image.interface import INDEX_TYPES, ImageSource, RawManifest
from hullguard.image.jsonutil import load_object
from hullguard.image.reference import ImageReference, Transport, parse_reference
from hullguard.image.stream import BombGuard, DigestingReader, close_quietly, decompressing_reader
from hullguard.image.tarstream import TarStream
from hullguard.limits import DEFAULT_LIMITS, Limits
from hullguard.model.image import Descriptor, Digest, ImageConfig, Layer, Platform

_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
_SKIP_ARTIFACT = "vnd.docker.reference.type"


def host_default_platform() -> Platform:
    machine = host_platform.machine().lower()
    return Platform("linux", _ARCH.get(machine, machine), "v8" if machine == "aarch64" else "")


def parse_platform_flag(text: str) -> Platform:
    from hullguard.errors import UsageError

    parts = text.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise UsageError(f"invalid --platform {text!r}", hint="use os/arch[/variant], linux/amd64")
    return Platform(*parts)


@dataclass(frozen=True)
class OpenOptions:
    """How to open an image: platform choice, limits and transport-specific settings."""

    platform: Platform | None = None
    limits: Limits = DEFAULT_LIMITS
    #: registry connection settings (``hullguard.image.registry.source.RegistryOptions``)
    registry: object | None = None
    #: scratch directory for transports that must spool (docker-daemon)
    scratch_dir: str | None = None


@dataclass
class Image:
    """A resolved image: verified manifest and config, layers ready to stream."""

    reference: str
    source: ImageSource
    manifest_digest: Digest | None
    manifest_media_type: str
    config_digest: Digest
    config: ImageConfig
    config_raw: bytes
    layers: tuple[Layer, ...]
    limits: Limits
    index_digest: Digest | None = None
    platforms: tuple[Platform, ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    warnings: list[str] = field(default_factory=list)

    @property
    def image_id(self) -> Digest:
        return self.config_digest

    @contextmanager
    def open_layer(self, layer: Layer) -> Iterator[TarStream]:
        """Stream a layer's tar; digests are verified when the body completes."""
        what = f"layer {layer.index} ({layer.descriptor.digest[:19]})"
        limits = self.limits
        raw = self.source.open_blob(layer.descriptor)
        readers: list[DigestingReader] = []
        try:
            trusted_blob = not self.source.blob_verified_by_diff_id(layer.descriptor)
            blob = DigestingReader(
                raw,
                layer.descriptor.digest if trusted_blob else None,
                what,
                limits.max_layer_bytes,
            )
            readers.append(blob)
            tar_bytes = decompressing_reader(blob, what)
            guarded = BombGuard(
                tar_bytes,
                blob,
                what,
                limits.max_layer_uncompressed_bytes,
                limits.max_decompression_ratio,
                limits.ratio_grace_bytes,
            )
            diff = DigestingReader(
                guarded, layer.diff_id, f"{what} uncompressed", limits.max_layer_uncompressed_bytes
            )
            readers.append(diff)
            stream = TarStream(diff, what, limits)
            yield stream
            stream.drain()
            blob.drain()
            blob.verify()
            if trusted_blob and blob.count != layer.descriptor.size:
                raise DigestMismatch(
                    f"{what}: size {blob.count} differs from the manifest's {layer.descriptor.size}"
                )
            diff.verify()
        finally:
            for reader in readers:
                reader.close()
            close_quietly(raw)

    def close(self) -> None:
        self.source.close()


def _verify_bytes(raw: RawManifest, what: str) -> None:
    if raw.digest is None:
        return
    algo, _, expected = raw.digest.partition(":")
    actual = hashlib.new(algo, raw.data).hexdigest()
    if actual != expected:
        raise DigestMismatch(
            f"{what}: content digest {algo}:{actual} does not match {raw.digest}",
            hint="the source returned wrong or tampered content",
        )


def _choose(entries: tuple[Descriptor, ...], wanted: Platform | None, what: str) -> Descriptor:
    candidates = [
        e for e in entries if _SKIP_ARTIFACT not in dict(e.annotations) and e.platform is not None
    ]
    candidates = [e for e in candidates if e.platform and e.platform.os != "unknown"]
    if not candidates:
        plain = [e for e in entries if _SKIP_ARTIFACT not in dict(e.annotations)]
        if len(plain) == 1:
            return plain[0]
        raise MalformedImage(f"{what}: index has no usable platform manifests")
    target = wanted or host_default_platform()
    exact = [
        e
        for e in candidates
        if e.platform
        and e.platform.os == target.os
        and e.platform.architecture == target.architecture
        and (not target.variant or e.platform.variant in (target.variant, ""))
    ]
    if exact:
        return exact[0]
    available = ", ".join(sorted({str(e.platform) for e in candidates if e.platform}))
    raise SourceError(
        f"{what}: no image for platform {target}",
        hint=f"available platforms: {available}; choose with --platform",
    )


def resolve(source: ImageSource, reference: str, options: OpenOptions) -> Image:
    """Walk index -> manifest -> config, verifying each step."""
    limits = options.limits
    raw = source.root()
    index_digest: Digest | None = None
    platforms: tuple[Platform, ...] = ()
    for depth in range(limits.max_index_depth + 1):
        what = f"{source.description} manifest"
        _verify_bytes(raw, what)
        doc = load_object(raw.data, what, limits.max_manifest_bytes)
        media_type = sniff_media_type(doc, raw.media_type)
        if media_type not in INDEX_TYPES:
            break
        entries = parse_index(doc, what)
        if depth == 0:
            index_digest = raw.digest
            platforms = tuple(sorted({e.platform for e in entries if e.platform}))
        child = _choose(entries, options.platform, what)
        raw = source.child_manifest(child)
        if raw.digest is None:
            raw = RawManifest(raw.data, raw.media_type or child.media_type, child.digest)
    else:
        raise LimitExceeded(f"{source.description}: indexes nested deeper than allowed")
    manifest = parse_manifest(doc, media_type, what)
    config_raw = _read_config(source, manifest.config, limits)
    config = parse_config(
        load_object(config_raw, f"{source.description} config", limits.max_config_bytes),
        f"{source.description} config",
    )
    if len(config.diff_ids) != len(manifest.layers):
        raise MalformedImage(
            f"{source.description}: manifest has {len(manifest.layers)} layers "
            f"but config lists {len(config.diff_ids)} diff_ids"
        )
    steps = layer_history(config)
    layers = tuple(
        Layer(i, desc, config.diff_ids[i], steps[i]) for i, desc in enumerate(manifest.layers)
    )
    image = Image(
        reference=reference,
        source=source,
        manifest_digest=raw.digest,
        manifest_media_type=media_type,
        config_digest=manifest.config.digest,
        config=config,
        config_raw=config_raw,
        layers=layers,
        limits=limits,
        index_digest=index_digest,
        platforms=platforms,
        annotations=manifest.annotations,
    )
    if sum(not h.empty_layer for h in config.history) not in (0, len(layers)):
        image.warnings.append("history does not match the layer count; build steps may be off")
    return image


def _read_config(source: ImageSource, desc: Descriptor, limits: Limits) -> bytes:
    what = f"{source.description} config"
    if desc.size > limits.max_config_bytes:
        raise LimitExceeded(f"{what}: {desc.size} bytes exceeds the config size limit")
    stream = source.open_blob(desc)
    try:
        reader = DigestingReader(stream, desc.digest, what, limits.max_config_bytes)
        chunks = []
        try:
            while chunk := reader.read(1 << 16):
                chunks.append(chunk)
            reader.verify()
        finally:
            reader.close()
    finally:
        close_quietly(stream)
    return b"".join(chunks)


#: opener per transport: (reference, options) -> ImageSource
SourceOpener = Callable[[ImageReference, OpenOptions], ImageSource]


def _open_docker_archive(ref: ImageReference, options: OpenOptions) -> ImageSource:
    from hullguard.image.layout import open_docker_archive

    assert ref.path is not None
    return open_docker_archive(ref.path, ref.selector, options.limits)


def _open_oci(ref: ImageReference, options: OpenOptions) -> ImageSource:
    from hullguard.image.layout import open_oci

    assert ref.path is not None
    return open_oci(ref.path, ref.selector, options.limits)


def _open_registry(ref: ImageReference, options: OpenOptions) -> ImageSource:
    from hullguard.image.registry import RegistryOptions, open_registry_source

    assert ref.registry is not None
    reg = options.registry
    if not isinstance(reg, RegistryOptions):
        reg = RegistryOptions(limits=options.limits)
    return open_registry_source(ref.registry, reg)


class _SpooledArchive(ImageSource):
    """A docker-archive spooled into a private scratch directory, removed on close."""

    def __init__(self, inner: ImageSource, scratch: str) -> None:
        self._inner = inner
        self._scratch = scratch
        self.description = inner.description

    def root(self) -> RawManifest:
        return self._inner.root()

    def child_manifest(self, descriptor: Descriptor) -> RawManifest:
        return self._inner.child_manifest(descriptor)

    def open_blob(self, descriptor: Descriptor) -> BinaryIO:
        return self._inner.open_blob(descriptor)

    def blob_verified_by_diff_id(self, descriptor: Descriptor) -> bool:
        return self._inner.blob_verified_by_diff_id(descriptor)

    def close(self) -> None:
        self._inner.close()
        shutil.rmtree(self._scratch, ignore_errors=True)


def _open_daemon(ref: ImageReference, options: OpenOptions) -> ImageSource:
    from hullguard.image.daemon import fetch_daemon_archive
    from hullguard.image.layout import open_docker_archive

    assert ref.daemon_name is not None
    scratch = tempfile.mkdtemp(prefix="hullguard-daemon-", dir=options.scratch_dir)
    try:
        path = fetch_daemon_archive(ref.daemon_name, Path(scratch), limits=options.limits)
        return _SpooledArchive(open_docker_archive(path, None, options.limits), scratch)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


SOURCE_OPENERS: dict[Transport, SourceOpener] = {
    Transport.DOCKER_ARCHIVE: _open_docker_archive,
    Transport.OCI_LAYOUT: _open_oci,
    Transport.OCI_ARCHIVE: _open_oci,
    Transport.REGISTRY: _open_registry,
    Transport.DOCKER_DAEMON: _open_daemon,
}


def open_source(ref: ImageReference, options: OpenOptions) -> ImageSource:
    opener = SOURCE_OPENERS.get(ref.transport)
    if opener is None:
        raise SourceError(
            f"{ref.transport.value} images are not supported in this build",
            hint="use docker-archive:, oci: or oci-archive:",
        )
    return opener(ref, options)


def open_image(reference: str, options: OpenOptions | None = None) -> Image:
    """Parse ``reference``, open its source and resolve it into a verified :class:`Image`."""
    options = options or OpenOptions()
    ref = parse_reference(reference)
    source = open_source(ref, options)
    try:
        return resolve(source, reference, options)
    except BaseException:
        source.close()
        raise
