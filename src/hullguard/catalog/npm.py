"""npm cataloger: installed ``node_modules`` packages and ``package-lock.json`` (v1/v2/v3).

An installed package is a ``package.json`` directly under ``node_modules/<name>/`` or
``node_modules/@scope/<name>/`` with a name and a version (test fixtures and nested
example manifests are skipped). A lockfile adds the entries that are not installed
next to it; ``dev`` entries that are not installed are left out (an image built with
``npm ci --omit=dev`` does not contain them). The application's own ``package.json``
is the project, not a dependency, and is not reported (as ``npm ls`` does not).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from hullguard.catalog import purls
from hullguard.catalog.interface import CatalogerId, PathCataloger, PathHint, basename, dirname
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, meta_tuple

LOCKFILE = "package-lock.json"


def installed_manifest(path: str) -> bool:
    """``.../node_modules/<name>/package.json`` or ``.../node_modules/@s/<name>/package.json``."""
    parts = path.split("/")
    if len(parts) < 3 or parts[-1] != "package.json":
        return False
    if parts[-3] == "node_modules":
        return not parts[-2].startswith((".", "@"))
    return (
        len(parts) >= 4
        and parts[-4] == "node_modules"
        and parts[-3].startswith("@")
        and not parts[-2].startswith(".")
    )


def _load(data: bytes) -> dict[str, Any] | None:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


def licenses_of(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """``license`` (string or ``{type}``) or legacy ``licenses`` list."""
    value = doc.get("license")
    values = doc.get("licenses") if value is None else [value]
    out: list[str] = []
    for item in values if isinstance(values, list) else [values]:
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
        elif isinstance(item, dict) and isinstance(item.get("type"), str):
            out.append(item["type"])
    return tuple(out)


def _package(name: str, version: str, path: str, licenses: tuple[str, ...], **meta: str) -> Package:
    return Package(
        name=name,
        version=version,
        type=PackageType.NPM,
        purl=purls.npm(name, version),
        licenses=licenses,
        evidence=(Evidence(path),),
        metadata=meta_tuple(meta),
        found_by=CatalogerId.NPM,
    )


class NpmCataloger(PathCataloger):
    """Node.js packages."""

    name = CatalogerId.NPM
    version = 1

    path_hint = PathHint(suffixes=(f"/{LOCKFILE}", "/package.json"))

    def wants(self, path: str) -> bool:
        if basename(path) == LOCKFILE:
            return "/node_modules/" not in path
        return installed_manifest(path)

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        out: list[Package] = []
        for path in sorted(files):
            if basename(path) == LOCKFILE:
                out.extend(_from_lock(path, files[path], files))
            else:
                pkg = _from_manifest(path, files[path])
                if pkg is not None:
                    out.append(pkg)
        return out


def _from_manifest(path: str, data: bytes) -> Package | None:
    doc = _load(data)
    if doc is None:
        return None
    name, version = doc.get("name"), doc.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return None
    homepage = doc.get("homepage")
    return _package(
        name,
        version,
        path,
        licenses_of(doc),
        homepage=homepage if isinstance(homepage, str) else "",
    )


def _from_lock(path: str, data: bytes, files: Mapping[str, bytes]) -> Iterator[Package]:
    doc = _load(data)
    if doc is None:
        return
    root = dirname(path)
    entries = doc.get("packages")
    pairs = _v2_entries(entries) if isinstance(entries, dict) else _v1_entries(doc, "")
    for install_path, name, entry in pairs:
        if f"{root}/{install_path}/package.json" in files:
            continue  # installed: the node_modules manifest is the evidence
        if entry.get("dev") is True or entry.get("link") is True:
            continue
        version = entry.get("version")
        if not isinstance(version, str) or not version:
            continue
        if version.startswith("npm:"):  # v1 alias: "npm:real-name@version"
            name, _, version = version[4:].rpartition("@")
        if name and version and not version.startswith(("file:", "git", "http")):
            resolved = entry.get("resolved")
            yield _package(
                name,
                version,
                path,
                licenses_of(entry),
                resolved=resolved if isinstance(resolved, str) else "",
            )


def _v2_entries(packages: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for key, entry in packages.items():
        if not key or not isinstance(entry, dict) or "node_modules/" not in key:
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            name = key.rsplit("node_modules/", 1)[1]
        yield key, name, entry


def _v1_entries(doc: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    deps = doc.get("dependencies")
    if not isinstance(deps, dict):
        return
    for name, entry in deps.items():
        if not isinstance(entry, dict) or entry.get("dev") is True:
            continue  # a dev dependency's own dependencies are dev-only too
        install_path = f"{prefix}node_modules/{name}"
        yield install_path, name, entry
        yield from _v1_entries(entry, install_path + "/")
