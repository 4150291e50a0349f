"""The cataloger registry: :class:`CatalogerId` -> factory (no if-chains over names)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from hullguard.catalog.apk import ApkCataloger
from hullguard.catalog.dotnet import DotnetDepsCataloger
from hullguard.catalog.dpkg import DpkgCataloger
from hullguard.catalog.golang import GoBinaryCataloger
from hullguard.catalog.interface import Cataloger, CatalogerId
from hullguard.catalog.java import JavaArchiveCataloger
from hullguard.catalog.npm import NpmCataloger
from hullguard.catalog.php import ComposerInstalledCataloger
from hullguard.catalog.python import PythonCataloger
from hullguard.catalog.rpm import RpmCataloger
from hullguard.catalog.ruby import RubyGemspecCataloger
from hullguard.catalog.rust import RustAuditableCataloger

CATALOGERS: dict[CatalogerId, Callable[[], Cataloger]] = {
    CatalogerId.DPKG: DpkgCataloger,
    CatalogerId.APK: ApkCataloger,
    CatalogerId.RPM: RpmCataloger,
    CatalogerId.PYTHON: PythonCataloger,
    CatalogerId.NPM: NpmCataloger,
    CatalogerId.GO_BINARY: GoBinaryCataloger,
    CatalogerId.JAVA: JavaArchiveCataloger,
    CatalogerId.RUBY: RubyGemspecCataloger,
    CatalogerId.RUST: RustAuditableCataloger,
    CatalogerId.PHP: ComposerInstalledCataloger,
    CatalogerId.DOTNET: DotnetDepsCataloger,
}


def catalogers(ids: Iterable[CatalogerId] | None = None) -> list[Cataloger]:
    """Instances of the given catalogers (all of them by default), in registry order."""
    chosen = set(ids) if ids is not None else set(CATALOGERS)
    return [factory() for cid, factory in CATALOGERS.items() if cid in chosen]


def cache_key(selected: Iterable[Cataloger]) -> str:
    """``name@version`` of each cataloger, sorted: changes whenever any output may change."""
    return ",".join(sorted(f"{c.name}@{c.version}" for c in selected))
