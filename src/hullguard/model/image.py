"""Value types describing an image: descriptors, config, layers, files."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType

#: ``algorithm:hex``, e.g. ``sha256:...``
Digest = NewType("Digest", str)


@dataclass(frozen=True, order=True)
class Platform:
    """An OS/architecture pair as the OCI image index names it."""

    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        base = f"{self.os}/{self.architecture}"
        return f"{base}/{self.variant}" if self.variant else base


@dataclass(frozen=True)
class Descriptor:
    """An OCI content descriptor."""

    media_type: str
    digest: Digest
    size: int
    annotations: tuple[tuple[str, str], ...] = ()
    platform: Platform | None = None


@dataclass(frozen=True)
class HistoryEntry:
    """One step of the image's build history."""

    created: str = ""
    created_by: str = ""
    author: str = ""
    comment: str = ""
    empty_layer: bool = False


@dataclass(frozen=True)
class ImageConfig:
    """The parts of an image config hullguard reports on."""

    os: str = ""
    architecture: str = ""
    variant: str = ""
    created: str = ""
    author: str = ""
    user: str = ""
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    env: tuple[str, ...] = ()
    working_dir: str = ""
    exposed_ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    on_build: tuple[str, ...] = ()
    stop_signal: str = ""
    diff_ids: tuple[Digest, ...] = ()
    history: tuple[HistoryEntry, ...] = ()


@dataclass(frozen=True)
class Layer:
    """A filesystem layer: its blob, its uncompressed digest and the history step that made it."""

    index: int
    descriptor: Descriptor
    diff_id: Digest
    history: HistoryEntry | None = None

    @property
    def created_by(self) -> str:
        return self.history.created_by if self.history else ""


class FileType(StrEnum):
    """Kinds of tar entries a layer may hold."""

    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    CHAR = "char"
    BLOCK = "block"
    FIFO = "fifo"
    WHITEOUT = "whiteout"
    OPAQUE = "opaque"


@dataclass(frozen=True)
class FileRecord:
    """One path as one layer wrote it, and what later layers did to it.

    ``path`` is normalised: absolute, no ``.``/``..`` parts, no trailing slash.
    ``replaced_by`` / ``deleted_by`` are layer indexes (``None`` when the entry
    survives into the final filesystem).
    """

    path: str
    type: FileType
    size: int
    mode: int
    layer: int
    uid: int = 0
    gid: int = 0
    linkname: str = ""
    replaced_by: int | None = None
    deleted_by: int | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def present(self) -> bool:
        return self.replaced_by is None and self.deleted_by is None
