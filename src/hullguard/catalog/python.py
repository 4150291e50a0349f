"""Python cataloger: installed distributions (``*.dist-info/METADATA``, ``*.egg-info``).

Accepts ``*.dist-info/METADATA``, ``*.egg-info`` files, ``*.egg-info/PKG-INFO`` and
``EGG-INFO/PKG-INFO`` (directory names matched case-insensitively). Metadata is an
RFC 822 header block (core metadata spec); the body (long description) is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from hullguard.catalog import purls
from hullguard.catalog.interface import CatalogerId, PathCataloger, PathHint, basename, dirname
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, meta_tuple

if TYPE_CHECKING:
    from email.message import Message

_MAX_LICENSE_CHARS = 120
_IGNORED_LICENSES = frozenset({"", "unknown", "none", "license.txt", "license"})


def is_metadata_path(path: str) -> bool:
    """Whether ``path`` is a distribution's core-metadata file.

    Metadata under a ``_vendor`` directory (setuptools ships its vendored libraries'
    dist-info there) belongs to the vendoring distribution: pip and importlib.metadata
    do not list it, so neither does hullguard."""
    if "/_vendor/" in path:
        return False
    base = basename(path)
    parent = basename(dirname(path)).lower()
    if base == "METADATA":
        return parent.endswith("dist-info")
    if base == "PKG-INFO":
        return parent.endswith("egg-info")
    return base.lower().endswith(".egg-info")


class PythonCataloger(PathCataloger):
    """Installed Python distributions (pip, setuptools, Debian's python3-* egg-info)."""

    name = CatalogerId.PYTHON
    version = 1

    path_hint = PathHint(suffixes=("/METADATA", "/PKG-INFO"), isuffixes=(".egg-info",))

    def wants(self, path: str) -> bool:
        return is_metadata_path(path)

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        out: list[Package] = []
        for path in sorted(files):
            pkg = parse_metadata(path, files[path])
            if pkg is not None:
                out.append(pkg)
        return out


def _headers(data: bytes) -> Message | None:
    # imported here (as in java, purls, rpmdb): the walk's workers import every cataloger
    # for its path test before the first layer is read; the parsers are for afterwards
    from email.parser import HeaderParser
    from email.policy import compat32

    text = data.decode("utf-8", "replace")
    if not text.strip():
        return None
    return HeaderParser(policy=compat32).parsestr(text, headersonly=True)


def licenses_of(fields: Message) -> tuple[str, ...]:
    """License-Expression, else a short License field, else license classifiers."""
    expression = str(fields.get("License-Expression") or "").strip()
    if expression:
        return (expression,)
    declared = str(fields.get("License") or "").strip()
    if (
        declared.lower() not in _IGNORED_LICENSES
        and "\n" not in declared
        and len(declared) <= _MAX_LICENSE_CHARS
    ):
        return (declared,)
    found = []
    for classifier in fields.get_all("Classifier") or []:
        parts = [p.strip() for p in str(classifier).split("::")]
        if parts[0] == "License" and len(parts) > 1 and parts[-1] != "OSI Approved":
            found.append(parts[-1])
    return tuple(sorted(set(found)))


def parse_metadata(path: str, data: bytes) -> Package | None:
    """One distribution from its metadata file, or ``None`` without name and version."""
    fields = _headers(data)
    if fields is None:
        return None
    name = str(fields.get("Name") or "").strip()
    version = str(fields.get("Version") or "").strip()
    if not name or not version:
        return None
    site_root = (
        dirname(dirname(path)) if basename(path) in ("METADATA", "PKG-INFO") else dirname(path)
    )
    return Package(
        name=name,
        version=version,
        type=PackageType.PYTHON,
        purl=purls.pypi(name, version),
        licenses=licenses_of(fields),
        evidence=(Evidence(path),),
        metadata=meta_tuple(
            {
                "author": str(fields.get("Author") or ""),
                "homepage": str(fields.get("Home-page") or ""),
                "sitePackagesRootPath": site_root,
            }
        ),
        found_by=CatalogerId.PYTHON,
    )
