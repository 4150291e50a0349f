"""Bounds applied to everything read from an image (untrusted input).

One frozen object, passed down explicitly; the CLI builds it from flags.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """Upper bounds on untrusted input. Every reader checks the ones that apply."""

    #: manifest or index JSON
    max_manifest_bytes: int = 4 * MiB
    #: image config JSON
    max_config_bytes: int = 8 * MiB
    #: a compressed layer blob
    max_layer_bytes: int = 8 * GiB
    #: a layer's uncompressed tar stream
    max_layer_uncompressed_bytes: int = 32 * GiB
    #: sum of uncompressed layers of one image
    max_image_uncompressed_bytes: int = 64 * GiB
    #: uncompressed / compressed ratio of a layer, checked once past ``ratio_grace_bytes``
    max_decompression_ratio: float = 200.0
    ratio_grace_bytes: int = 64 * MiB
    #: tar entries in one layer
    max_entries_per_layer: int = 2_000_000
    #: bytes of one path inside a tar
    max_path_bytes: int = 4096
    #: file content read into memory for analysis (larger files are skipped, never truncated)
    max_file_bytes: int = 64 * MiB
    #: index nesting (index -> index -> manifest)
    max_index_depth: int = 4
    #: registry HTTP timeout in seconds
    http_timeout: float = 30.0
    #: registry retries on 429/5xx
    http_retries: int = 4
    #: redirects followed on one request
    max_redirects: int = 5
    #: one manifest, compose file or docker-run list read by ``hullguard audit``
    max_audit_file_bytes: int = 16 * MiB
    #: files visited when ``hullguard audit`` walks a directory
    max_audit_files: int = 10_000


DEFAULT_LIMITS = Limits()
