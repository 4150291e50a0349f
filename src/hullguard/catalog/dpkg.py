"""dpkg cataloger: ``/var/lib/dpkg/status``, distroless ``status.d/*``, file lists, copyrights.

Only stanzas whose status is ``installed`` are packages (``dpkg-query -W`` with
``db:Status-Status == installed``). Owned files come from ``info/*.list`` (and
``*.md5sums`` where no list exists, as in distroless images); licences from DEP-5
``/usr/share/doc/<pkg>/copyright`` files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hullguard.catalog import purls
from hullguard.catalog.deb822 import copyright_licenses, stanzas
from hullguard.catalog.interface import CatalogerId, PathCataloger, PathHint, basename
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, meta_tuple

STATUS = "/var/lib/dpkg/status"
STATUS_D = "/var/lib/dpkg/status.d/"
INFO_D = "/var/lib/dpkg/info/"
DOC_D = "/usr/share/doc/"
_SIDE_FILES = (".md5sums", ".list", ".conffiles", ".triggers", ".shlibs", ".symbols")
_SIDE_FILES_ALL = (*_SIDE_FILES, ".preinst", ".postinst", ".prerm", ".postrm", ".templates")
_SOURCE = re.compile(r"^(?P<name>\S+)(?:\s+\((?P<version>[^)]+)\))?")


def _is_status_d_entry(path: str) -> bool:
    return path.startswith(STATUS_D) and not path.endswith(_SIDE_FILES_ALL)


class DpkgCataloger(PathCataloger):
    """Debian/Ubuntu packages from dpkg's database."""

    name = CatalogerId.DPKG
    version = 1

    path_hint = PathHint(prefixes=(STATUS, INFO_D), suffixes=("/copyright",))

    def wants(self, path: str) -> bool:
        if path == STATUS or path.startswith(STATUS_D):
            return path == STATUS or _is_status_d_entry(path) or path.endswith(".md5sums")
        if path.startswith(INFO_D):
            return path.endswith((".list", ".md5sums"))
        return path.startswith(DOC_D) and path.endswith("/copyright") and path.count("/") == 5

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        owned = _owned_files(files)
        out: list[Package] = []
        for path in sorted(files):
            if path == STATUS or _is_status_d_entry(path):
                text = files[path].decode("utf-8", "replace")
                out.extend(
                    _package(st, path, files, owned, os_info)
                    for st in stanzas(text)
                    if _installed(st, path)
                )
        return out


def _installed(stanza: dict[str, str], path: str) -> bool:
    if not stanza.get("Package") or not stanza.get("Version"):
        return False
    status = stanza.get("Status")
    if status is None:
        # distroless status.d files written by image builders may omit Status
        return path != STATUS
    words = status.split()
    return len(words) == 3 and words[2] == "installed"


def _package(
    stanza: dict[str, str],
    path: str,
    files: Mapping[str, bytes],
    owned: Mapping[str, tuple[str, ...]],
    os_info: OSInfo | None,
) -> Package:
    name = stanza["Package"]
    version = stanza["Version"]
    arch = stanza.get("Architecture", "")
    source_field = stanza.get("Source", "")
    match = _SOURCE.match(source_field)
    source = match["name"] if match else ""
    source_version = (match["version"] or "") if match else ""
    upstream = f"{source}@{source_version}" if source and source_version else source
    copyright_path = f"{DOC_D}{name}/copyright"
    evidence = [Evidence(path)]
    licenses: tuple[str, ...] = ()
    if copyright_path in files:
        licenses = copyright_licenses(files[copyright_path])
        evidence.append(Evidence(copyright_path))
    files_of = owned.get(f"{name}:{arch}") or owned.get(name, ())
    for side in (f"{INFO_D}{name}:{arch}.list", f"{INFO_D}{name}.list"):
        if side in files:
            evidence.append(Evidence(side))
            break
    return Package(
        name=name,
        version=version,
        type=PackageType.DEB,
        purl=purls.deb(name, version, arch, upstream, os_info),
        licenses=licenses,
        source_name=source or name,
        source_version=source_version or version,
        architecture=arch,
        evidence=tuple(sorted(evidence)),
        metadata=meta_tuple(
            {
                "maintainer": stanza.get("Maintainer", ""),
                "installedSize": stanza.get("Installed-Size", ""),
            }
        ),
        found_by=CatalogerId.DPKG,
        owned_files=files_of,
    )


def _owned_files(files: Mapping[str, bytes]) -> dict[str, tuple[str, ...]]:
    """``name`` or ``name:arch`` -> absolute paths listed by dpkg's per-package lists."""
    lists: dict[str, tuple[str, ...]] = {}
    for path in sorted(files):
        if path.startswith(INFO_D) and path.endswith(".list"):
            key = basename(path).removesuffix(".list")
            lists[key] = _list_paths(files[path])
    for path in sorted(files):
        if path.endswith(".md5sums") and (path.startswith((INFO_D, STATUS_D))):
            key = basename(path).removesuffix(".md5sums")
            if key not in lists:
                lists[key] = _md5sum_paths(files[path])
    return lists


def _list_paths(data: bytes) -> tuple[str, ...]:
    lines = data.decode("utf-8", "replace").splitlines()
    return tuple(sorted({ln for ln in lines if ln.startswith("/") and ln != "/."}))


def _md5sum_paths(data: bytes) -> tuple[str, ...]:
    out = set()
    for line in data.decode("utf-8", "replace").splitlines():
        _, _, rel = line.partition("  ")
        if rel:
            out.add("/" + rel.lstrip("/"))
    return tuple(sorted(out))
