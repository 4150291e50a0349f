"""Configured remote sources for ``hullguard db update`` (the URL config).

Each :class:`RemoteSource` is a name and its files; each file has an upstream
URL and a ``mirror_path`` used instead when ``--mirror BASE`` is given
(``BASE/mirror_path``). Mirror layout: ``osv/<Ecosystem>/all.zip`` (the OSV
bucket's own layout under ``osv/``), ``alpine/v3.19/main.json`` (secdb's
layout under ``alpine/``), ``debian/tracker.json``,
``debian/security-support-ended.deb12``.
"""

from __future__ import annotations

from dataclasses import dataclass

OSV_BASE = "https://osv-vulnerabilities.storage.googleapis.com"
ALPINE_SECDB_BASE = "https://secdb.alpinelinux.org"
DEBIAN_TRACKER_URL = "https://security-tracker.debian.org/tracker/data/json"
DEBIAN_SUPPORT_BASE = "https://salsa.debian.org/debian/debian-security-support/-/raw/master"

OSV_ECOSYSTEMS = (
    "PyPI", "npm", "Go", "Maven", "crates.io", "RubyGems", "NuGet", "Packagist",
)  # fmt: skip
ALPINE_RELEASES = ("v3.18", "v3.19", "v3.20", "v3.21", "edge")
DEBIAN_SUPPORT_RELEASES = ("deb11", "deb12")


@dataclass(frozen=True)
class RemoteFile:
    url: str
    mirror_path: str

    @property
    def filename(self) -> str:
        return self.mirror_path.replace("/", "_")

    def location(self, mirror: str | None) -> str:
        return f"{mirror.rstrip('/')}/{self.mirror_path}" if mirror else self.url


@dataclass(frozen=True)
class RemoteSource:
    name: str
    files: tuple[RemoteFile, ...]


def _osv(ecosystem: str) -> RemoteSource:
    path = f"{ecosystem}/all.zip"
    return RemoteSource(
        f"osv-{ecosystem.lower()}", (RemoteFile(f"{OSV_BASE}/{path}", f"osv/{path}"),)
    )


def _alpine() -> RemoteSource:
    files = tuple(
        RemoteFile(f"{ALPINE_SECDB_BASE}/{rel}/{repo}.json", f"alpine/{rel}/{repo}.json")
        for rel in ALPINE_RELEASES
        for repo in ("main", "community")
    )
    return RemoteSource("alpine-secdb", files)


DEFAULT_SOURCES: tuple[RemoteSource, ...] = (
    *(_osv(e) for e in OSV_ECOSYSTEMS),
    _alpine(),
    RemoteSource("debian-tracker", (RemoteFile(DEBIAN_TRACKER_URL, "debian/tracker.json"),)),
    RemoteSource(
        "debian-security-support",
        tuple(
            RemoteFile(
                f"{DEBIAN_SUPPORT_BASE}/security-support-ended.{r}",
                f"debian/security-support-ended.{r}",
            )
            for r in DEBIAN_SUPPORT_RELEASES
        ),
    ),
)


def source_names() -> list[str]:
    return [s.name for s in DEFAULT_SOURCES]
