"""Sans-I/O driver shared by every source: select files, run catalogers, post-process.

Orchestrators (the image layer walk, the ``dir:`` walker) use it like this::

    selected = registry.catalogers()
    if is_wanted(path, selected):
        files[path] = content            # read once, from the final filesystem
    elif any_sniffer(selected) and sniff_candidate(mode) and sniff_wanted(content[:4], selected):
        files[path] = content            # ELF executables for the Go / Rust catalogers
    result = catalog_files(files, selected)
    packages = attribute_layers(result.packages, locate)   # image sources only
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from hullguard.catalog import osdetect
from hullguard.catalog.interface import SNIFF_BYTES, Cataloger, PathHint
from hullguard.catalog.ownership import drop_os_owned
from hullguard.catalog.registry import catalogers as default_catalogers
from hullguard.model.package import OSInfo, Package, sorted_packages


@dataclass(frozen=True)
class CatalogResult:
    """Everything the catalog stage found in one filesystem."""

    packages: tuple[Package, ...]
    os_info: OSInfo | None


def is_wanted(path: str, selected: Sequence[Cataloger]) -> bool:
    """Whether the OS detector or any cataloger wants ``path`` by name."""
    return osdetect.wants(path) or any(c.wants(path) for c in selected)


def path_filter(selected: Sequence[Cataloger]) -> Callable[[str], bool]:
    """:func:`is_wanted` for a fixed selection, with the catalogers' path hints merged.

    Same answers (``tests/unit/catalog/test_path_hints.py``); a path no hint
    matches costs three C-level tuple tests instead of a Python call per cataloger.
    """
    hints = [osdetect.PATH_HINT]
    for cataloger in selected:
        hint = getattr(cataloger, "path_hint", None)
        if not isinstance(hint, PathHint):
            return lambda path: is_wanted(path, selected)  # a cataloger without a hint
        hints.append(hint)
    prefixes = tuple(p for h in hints for p in h.prefixes)
    suffixes = tuple(s for h in hints for s in h.suffixes)
    isuffixes = tuple(s.lower() for h in hints for s in h.isuffixes)

    def wanted(path: str) -> bool:
        if not (
            path.endswith(suffixes)
            or path.startswith(prefixes)
            or (isuffixes and path.lower().endswith(isuffixes))
        ):
            return False
        return is_wanted(path, selected)

    return wanted


def any_sniffer(selected: Sequence[Cataloger]) -> bool:
    """Whether some cataloger selects by content (the walk must then read file heads)."""
    return any(c.sniffs for c in selected)


def sniff_candidate(mode: int) -> bool:
    """Whether a regular file with permission bits ``mode`` may be an executable worth
    sniffing (any execute bit). Walks that decide before reading content use this, then
    keep the file only if :func:`sniff_wanted` accepts its first bytes."""
    return bool(mode & 0o111)


def sniff_wanted(head: bytes, selected: Sequence[Cataloger]) -> bool:
    """Whether a regular file starting with ``head`` is wanted by content."""
    head = head[:SNIFF_BYTES]
    return any(c.sniffs and c.sniff(head) for c in selected)


def _files_for(cataloger: Cataloger, files: Mapping[str, bytes]) -> dict[str, bytes]:
    return {
        path: data
        for path, data in files.items()
        if cataloger.wants(path) or (cataloger.sniffs and cataloger.sniff(data[:SNIFF_BYTES]))
    }


def merge_duplicates(packages: Sequence[Package]) -> list[Package]:
    """One package per identity (type, name, version, purl); evidence merged."""
    merged: dict[tuple[str, str, str, str], Package] = {}
    for pkg in packages:
        key = (pkg.type.value, pkg.name, pkg.version, pkg.purl)
        seen = merged.get(key)
        if seen is None:
            merged[key] = pkg.with_evidence(pkg.evidence)
        else:
            merged[key] = seen.with_evidence(seen.evidence + pkg.evidence)
    return sorted_packages(list(merged.values()))


def catalog_files(
    files: Mapping[str, bytes],
    selected: Sequence[Cataloger] | None = None,
    os_info: OSInfo | None = None,
) -> CatalogResult:
    """Run catalogers over the wanted files of one filesystem.

    ``files`` maps normalised absolute paths to content: every path :func:`is_wanted`
    or :func:`sniff_wanted` accepted. ``os_info`` is detected from ``files`` unless given.
    """
    chosen = list(selected) if selected is not None else default_catalogers()
    if os_info is None:
        os_info = osdetect.detect_os({p: d for p, d in files.items() if osdetect.wants(p)})
    found: list[Package] = []
    for cataloger in chosen:
        subset = _files_for(cataloger, files)
        if subset:
            found.extend(cataloger.catalog(subset, os_info))
    return CatalogResult(tuple(merge_duplicates(drop_os_owned(found))), os_info)


#: path -> (layer index, layer diff id, history created_by) of the layer that added it
LayerLocator = Callable[[str], tuple[int, str, str] | None]


def attribute_layers(packages: Sequence[Package], locate: LayerLocator) -> list[Package]:
    """Fill each evidence's layer fields from ``locate`` (used by image sources)."""
    out = []
    for pkg in packages:
        evidence = []
        for ev in pkg.evidence:
            where = locate(ev.path)
            if where is None:
                evidence.append(ev)
            else:
                index, diff_id, created_by = where
                evidence.append(
                    replace(
                        ev, layer_index=index, layer_diff_id=diff_id, created_by=created_by or None
                    )
                )
        out.append(pkg.with_evidence(tuple(evidence)))
    return out
