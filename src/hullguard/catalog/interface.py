"""The cataloger contract, its ids, and the error family of catalogers.

A cataloger is sans-I/O. The orchestrator (the layer walk, or the ``dir:`` walker)

1. asks every cataloger ``wants(path)`` for each normalised absolute path
   (``/var/lib/dpkg/status``), and, for catalogers with ``sniffs = True``, also
   ``sniff(head)`` with the first :data:`SNIFF_BYTES` bytes of each regular file
   (the Go and Rust catalogers want ELF files: head starting with ``\\x7fELF``);
2. reads each wanted file once, from the final filesystem, up to ``Limits.max_file_bytes``;
3. calls ``catalog(files, os_info)`` with only the paths that cataloger wanted.

``catalog`` returns packages whose ``Evidence.path`` is set and whose layer fields are
``None``: the orchestrator fills layer attribution
(:func:`hullguard.catalog.run.attribute_layers`).
``version`` is bumped whenever a cataloger's output changes; caches key on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from hullguard.errors import HullguardError
from hullguard.model.package import OSInfo, Package

#: bytes of a file's head handed to ``sniff``
SNIFF_BYTES = 4

ELF_MAGIC = b"\x7fELF"


class CatalogerId(StrEnum):
    """Every cataloger hullguard ships (the registry key, and ``found_by`` on packages)."""

    DPKG = "dpkg"
    APK = "apk"
    RPM = "rpm"
    PYTHON = "python-installed"
    NPM = "npm"
    GO_BINARY = "go-binary"
    JAVA = "java-archive"
    RUBY = "ruby-gemspec"
    RUST = "rust-cargo-auditable"
    PHP = "php-composer-installed"
    DOTNET = "dotnet-deps"


class CatalogError(HullguardError):
    """A package database could not be read. Catalogers raise it only for fatal input;
    a single malformed entry is skipped instead."""


@runtime_checkable
class Cataloger(Protocol):
    """One package ecosystem's reader."""

    @property
    def name(self) -> CatalogerId: ...

    @property
    def version(self) -> int: ...

    @property
    def sniffs(self) -> bool:
        """True when the cataloger also selects files by content (see :meth:`sniff`)."""
        ...

    def wants(self, path: str) -> bool:
        """Fast path test (suffix/basename/glob) on a normalised absolute path."""
        ...

    def sniff(self, head: bytes) -> bool:
        """Whether a file whose first ``SNIFF_BYTES`` bytes are ``head`` is wanted."""
        ...

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        """Packages found in ``files`` (only paths this cataloger wanted)."""
        ...


@dataclass(frozen=True)
class PathHint:
    """A necessary condition on the paths a cataloger's ``wants`` accepts.

    Every wanted path starts with one of ``prefixes``, ends with one of
    ``suffixes``, or ends with one of ``isuffixes`` ignoring case; paths matching
    none are not wanted. The layer walk merges the hints of all catalogers into
    three tuple tests (C-level ``startswith``/``endswith``) and asks ``wants``
    only for the few paths that pass: ~26,000 files per image otherwise cost a
    Python call per cataloger each. A cataloger without a ``path_hint`` attribute
    is asked about every path. ``tests/unit/catalog/test_path_hints.py`` checks
    each hint against its ``wants`` on real images' paths.
    """

    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    isuffixes: tuple[str, ...] = ()


class PathCataloger:
    """Base for catalogers that select by path only (``sniff`` always False)."""

    sniffs = False

    def sniff(self, head: bytes) -> bool:
        return False


def basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def dirname(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""
