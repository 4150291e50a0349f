"""Importer registry and input expansion (files, directories, zip archives).

Owns ``IMPORTERS`` (one per :class:`SourceKind`), :func:`detect` (which
importer reads a file, by name and first bytes) and :func:`iter_files`, which
turns a path into ``(name, bytes)`` pairs: a file, every file under a
directory (sorted), or every member of a ``.zip`` (bounded sizes, so a zip
bomb cannot exhaust memory). Unrecognised files (README, LICENSE) are skipped.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from hullguard.vulndb.alpine_secdb import AlpineSecdbImporter
from hullguard.vulndb.debian_oval import DebianOvalImporter
from hullguard.vulndb.debian_tracker import DebianTrackerImporter
from hullguard.vulndb.interface import Importer, SchemaDrift, SourceKind, VulnDBError
from hullguard.vulndb.npm_legacy import NpmLegacyImporter
from hullguard.vulndb.osv_import import OsvImporter
from hullguard.vulndb.support_ended import SupportEndedImporter

IMPORTERS: dict[SourceKind, Importer] = {
    SourceKind.DEBIAN_OVAL: DebianOvalImporter(),
    SourceKind.DEBIAN_SUPPORT: SupportEndedImporter(),
    SourceKind.ALPINE_SECDB: AlpineSecdbImporter(),
    SourceKind.NPM_LEGACY: NpmLegacyImporter(),
    SourceKind.DEBIAN_TRACKER: DebianTrackerImporter(),
    SourceKind.OSV: OsvImporter(),
}

MAX_MEMBER_BYTES = 256 << 20
MAX_ZIP_ENTRIES = 2_000_000
_HEAD = 4096


def detect(name: str, head: bytes) -> Importer | None:
    """The importer for a file (first match in ``IMPORTERS`` order), or None."""
    for importer in IMPORTERS.values():
        if importer.accepts(name, head):
            return importer
    return None


def _zip_members(path: Path) -> Iterator[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if len(infos) > MAX_ZIP_ENTRIES:
                raise VulnDBError(f"{path}: {len(infos)} zip entries is over the limit")
            for info in sorted(infos, key=lambda i: i.filename):
                if info.file_size > MAX_MEMBER_BYTES:
                    raise VulnDBError(f"{path}:{info.filename}: member is over the size limit")
                yield f"{path.name}:{info.filename}", archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise SchemaDrift(str(path), "<zip>", f"is not a readable zip archive: {exc}") from exc


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise VulnDBError(f"cannot read {path}: {exc.strerror}") from exc


def iter_files(path: Path) -> Iterator[tuple[str, bytes]]:
    """``(display name, bytes)`` of every file a path stands for."""
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            yield from iter_files(child)
    elif path.suffix == ".zip":
        yield from _zip_members(path)
    elif path.is_file():
        yield str(path), _read(path)
    else:
        raise VulnDBError(
            f"{path} does not exist", hint="give files, directories or .zip archives to import"
        )
