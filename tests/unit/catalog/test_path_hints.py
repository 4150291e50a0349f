"""Each cataloger's ``path_hint`` is a necessary condition of its ``wants``; the merged
filter answers exactly as :func:`is_wanted`.

Paths: every file and directory name of this machine's /usr, /etc, /var/lib and /lib
(Debian's dpkg database, Python dist-info and egg-info, Node modules, Maven jars,
Ruby gemspecs), the shared fixtures, and hand-made edge cases (case, newlines,
vendored metadata, scoped npm packages, dpkg side files).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hullguard.catalog import osdetect
from hullguard.catalog.interface import PathHint
from hullguard.catalog.registry import catalogers
from hullguard.catalog.run import is_wanted, path_filter

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"

EDGE_CASES = [
    "/var/lib/dpkg/status",
    "/var/lib/dpkg/status-old",
    "/var/lib/dpkg/status.d/base",
    "/var/lib/dpkg/status.d/base.md5sums",
    "/var/lib/dpkg/status.d/libc6.preinst",
    "/var/lib/dpkg/info/libc6:amd64.list",
    "/var/lib/dpkg/info/libc6.md5sums",
    "/usr/share/doc/libc6/copyright",
    "/usr/share/doc/libc6/examples/copyright",
    "/usr/share/doc/a\nb/copyright",
    "/lib/apk/db/installed",
    "/lib/apk/db/installed\n",
    "/var/lib/rpm/Packages",
    "/usr/lib/sysimage/rpm/rpmdb.sqlite",
    "/usr/share/rpm/Packages.db",
    "/opt/rpm/Packages",
    "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA",
    "/usr/lib/python3/dist-packages/pkg.DIST-INFO/METADATA",
    "/usr/lib/python3/dist-packages/six-1.16.0.egg-info",
    "/usr/lib/python3/dist-packages/six-1.16.0.EGG-INFO",
    "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO",
    "/usr/lib/python3/site-packages/pip/_vendor/rich-13.dist-info/METADATA",
    "/srv/app/EGG-INFO/PKG-INFO",
    "/app/node_modules/left-pad/package.json",
    "/app/node_modules/@scope/pkg/package.json",
    "/app/node_modules/.bin/package.json",
    "/app/package-lock.json",
    "/app/node_modules/x/package-lock.json",
    "/app/package.json",
    "/opt/app/lib/log4j-core-2.14.1.jar",
    "/opt/app/lib/APP.WAR",
    "/opt/app/lib/plugin.Hpi",
    "/opt/app/lib/x.jar\n",
    "/usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec",
    "/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.gemspec",
    "/usr/lib/ruby/gems/3.1.0/gems/rake/rake.gemspec",
    "/srv/www/vendor/composer/installed.json",
    "/srv/www/vendor/composer/installed.json.bak",
    "/app/bin/App.deps.json",
    "/etc/os-release",
    "/usr/lib/os-release",
    "/etc/alpine-release",
    "/etc/debian_version",
    "/etc/redhat-release",
    "/etc/os-release.d/x",
    "/",
    "",
]


def _walk(root: Path) -> list[str]:
    out: list[str] = []
    if not root.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        rel = "/" + os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel = "" if rel == "/." else rel
        out.extend(f"{rel}/{name}" for name in (*dirnames, *filenames))
    return out


@pytest.fixture(scope="module")
def paths() -> list[str]:
    found = list(EDGE_CASES)
    for top in ("usr", "etc", "var/lib", "lib"):
        root = Path("/", top)
        if root.is_dir() and not root.is_symlink():
            found.extend(f"/{top}{p}" for p in _walk(root))
    found.extend(_walk(SHARED / "fixtures"))
    return found


def _satisfies(hint: PathHint, path: str) -> bool:
    return (
        path.startswith(hint.prefixes)
        or path.endswith(hint.suffixes)
        or path.lower().endswith(tuple(s.lower() for s in hint.isuffixes))
    )


def test_every_cataloger_declares_a_hint() -> None:
    assert all(isinstance(getattr(c, "path_hint", None), PathHint) for c in catalogers())


def test_hints_are_necessary_conditions(paths: list[str]) -> None:
    assert len(paths) > 10_000
    wanted_somewhere = 0
    for cataloger in catalogers():
        hint = cataloger.path_hint  # type: ignore[attr-defined]
        for path in paths:
            if cataloger.wants(path):
                wanted_somewhere += 1
                assert _satisfies(hint, path), (cataloger.name, path)
    for path in paths:
        if osdetect.wants(path):
            assert _satisfies(osdetect.PATH_HINT, path), path
    assert wanted_somewhere > 100  # the machine's dpkg database alone has thousands


def test_filter_answers_as_is_wanted(paths: list[str]) -> None:
    for selection in (catalogers(), catalogers()[:3], catalogers()[5:]):
        fast = path_filter(selection)
        assert [p for p in paths if fast(p)] == [p for p in paths if is_wanted(p, selection)]


def test_cataloger_without_hint_is_asked_about_every_path() -> None:
    class Anything:
        name = "anything"
        version = 1
        sniffs = False

        def wants(self, path: str) -> bool:
            return path.endswith(".odd")

        def sniff(self, head: bytes) -> bool:
            return False

        def catalog(self, files: object, os_info: object) -> list[object]:
            return []

    fast = path_filter([*catalogers(), Anything()])  # type: ignore[list-item]
    assert fast("/srv/x.odd")
    assert fast("/var/lib/dpkg/status")
    assert not fast("/srv/x.even")
