"""rpm cataloger: RPM databases in their three formats (SQLite, Berkeley DB, NDB).

Looks in ``/var/lib/rpm``, ``/usr/lib/sysimage/rpm`` and ``/usr/share/rpm``. The
``gpg-pubkey`` pseudo-packages rpm keeps for imported keys are not packages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from hullguard.catalog import purls
from hullguard.catalog.interface import CatalogerId, CatalogError, PathCataloger, PathHint, basename
from hullguard.catalog.rpmdb import bdb_blobs, ndb_blobs, sqlite_blobs
from hullguard.catalog.rpmheader import RpmHeader, parse_header
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, meta_tuple

RPM_DIRS = ("/var/lib/rpm/", "/usr/lib/sysimage/rpm/", "/usr/share/rpm/")
_READERS: dict[str, Callable[[bytes], Iterator[bytes]]] = {
    "rpmdb.sqlite": sqlite_blobs,
    "Packages": bdb_blobs,
    "Packages.db": ndb_blobs,
}


class RpmCataloger(PathCataloger):
    """Red Hat / SUSE / Fedora / Amazon / Mariner packages from the rpm database."""

    name = CatalogerId.RPM
    version = 1

    path_hint = PathHint(suffixes=tuple(f"/{name}" for name in _READERS))

    def wants(self, path: str) -> bool:
        return basename(path) in _READERS and path.startswith(RPM_DIRS)

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        out: list[Package] = []
        for path in sorted(files):
            reader = _READERS.get(basename(path))
            if reader is None or not files[path]:
                continue
            out.extend(read_database(path, files[path], reader, os_info))
        return out


def read_database(
    path: str,
    data: bytes,
    reader: Callable[[bytes], Iterator[bytes]],
    os_info: OSInfo | None,
) -> list[Package]:
    """Every package of one database file."""
    out: list[Package] = []
    for blob in reader(data):
        try:
            header = parse_header(blob)
        except CatalogError:
            continue
        if header.name and header.version and header.name != "gpg-pubkey":
            out.append(_package(header, path, os_info))
    return out


def _source_name(source_rpm: str) -> tuple[str, str]:
    """``bash-5.1-2.el9.src.rpm`` -> (``bash``, ``5.1-2.el9``)."""
    stem = source_rpm.removesuffix(".rpm")
    stem = stem.rsplit(".", 1)[0] if stem.endswith((".src", ".nosrc")) else stem
    parts = stem.rsplit("-", 2)
    if len(parts) != 3:
        return "", ""
    return parts[0], f"{parts[1]}-{parts[2]}"


def rpm_version(header: RpmHeader) -> str:
    """``[epoch:]version-release`` as rpm prints it."""
    base = f"{header.version}-{header.release}" if header.release else header.version
    return f"{header.epoch}:{base}" if header.epoch is not None else base


def _package(header: RpmHeader, path: str, os_info: OSInfo | None) -> Package:
    source, source_version = _source_name(header.source_rpm)
    return Package(
        name=header.name,
        version=rpm_version(header),
        type=PackageType.RPM,
        purl=purls.rpm(
            header.name,
            header.version,
            header.release,
            header.epoch,
            header.arch,
            header.source_rpm,
            os_info,
        ),
        licenses=(header.license,) if header.license else (),
        source_name=source or header.name,
        source_version=source_version,
        architecture=header.arch,
        evidence=(Evidence(path),),
        metadata=meta_tuple(
            {
                "sourceRpm": header.source_rpm,
                "vendor": header.vendor,
                "size": str(header.size) if header.size is not None else "",
                "modularityLabel": header.modularity_label,
                "sigmd5": header.sigmd5,
            }
        ),
        found_by=CatalogerId.RPM,
        owned_files=header.files,
    )
