"""Shared value types: frozen dataclasses, str Enums and NewType ids."""

from hullguard.model.image import (
    Descriptor,
    Digest,
    FileRecord,
    FileType,
    HistoryEntry,
    ImageConfig,
    Layer,
    Platform,
)

__all__ = [
    "Descriptor",
    "Digest",
    "FileRecord",
    "FileType",
    "HistoryEntry",
    "ImageConfig",
    "Layer",
    "Platform",
]
