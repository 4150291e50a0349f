"""``db update``: download configured sources, then build atomically.

Per file: a conditional GET (``If-None-Match`` / ``If-Modified-Since`` from
the validators saved beside the last download), a size bound, a
``Content-Length`` check, and an optional ``<url>.sha256`` sidecar (when the
server has one, the digest must match). Downloads land in
``<db dir>/downloads/<source>/`` through temp files; the database is then
rebuilt with :func:`build_database`, so a failed download or import leaves the
old database untouched. Sources whose files were all ``304 Not Modified`` and
that are already in the database are not re-imported.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from hullguard import __version__
from hullguard.vulndb.build import Notify, SourceInput, SourceResult, build_database
from hullguard.vulndb.interface import VulnDBError
from hullguard.vulndb.sources import DEFAULT_SOURCES, RemoteFile, RemoteSource

MAX_DOWNLOAD_BYTES = 2 << 30
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Fetched:
    path: Path
    changed: bool
    etag: str
    last_modified: str
    sha256: str


def _validators(meta: Path) -> dict[str, str]:
    try:
        data = json.loads(meta.read_text())
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _sidecar(client: httpx.Client, url: str) -> str | None:
    response = client.get(f"{url}.sha256")
    if response.status_code != 200:
        return None
    text = response.text.split()
    return text[0].lower() if text else None


def _stream(response: httpx.Response, target: Path, url: str) -> str:
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        for chunk in response.iter_bytes(_CHUNK):
            size += len(chunk)
            if size > MAX_DOWNLOAD_BYTES:
                raise VulnDBError(f"{url} is larger than {MAX_DOWNLOAD_BYTES} bytes")
            digest.update(chunk)
            out.write(chunk)
    declared = response.headers.get("content-length", "")
    encoded = response.headers.get("content-encoding", "identity") != "identity"
    if declared.isdigit() and not encoded and int(declared) != size:
        raise VulnDBError(f"{url}: got {size} bytes, Content-Length said {declared}")
    return digest.hexdigest()


def fetch(client: httpx.Client, url: str, dest: Path) -> Fetched:
    """Conditionally download ``url`` to ``dest`` (atomic; integrity-checked)."""
    meta = dest.with_name(dest.name + ".meta.json")
    saved = _validators(meta) if dest.exists() else {}
    headers = {}
    if saved.get("etag"):
        headers["If-None-Match"] = saved["etag"]
    if saved.get("last_modified"):
        headers["If-Modified-Since"] = saved["last_modified"]
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304 and saved:
                return Fetched(dest, False, saved.get("etag", ""),
                               saved.get("last_modified", ""), saved.get("sha256", ""))  # fmt: skip
            if response.status_code != 200:
                raise VulnDBError(f"{url} answered HTTP {response.status_code}")
            sha = _stream(response, tmp, url)
            etag = response.headers.get("etag", "")
            modified = response.headers.get("last-modified", "")
        expected = _sidecar(client, url)
        if expected is not None and expected != sha:
            raise VulnDBError(f"{url}: sha256 {sha} does not match its .sha256 sidecar")
        os.replace(tmp, dest)
        meta.write_text(json.dumps({"etag": etag, "last_modified": modified, "sha256": sha}))
        return Fetched(dest, True, etag, modified, sha)
    except httpx.HTTPError as exc:
        raise VulnDBError(
            f"download of {url} failed: {exc}", hint="check the network or use --mirror"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _select(names: Sequence[str]) -> list[RemoteSource]:
    if not names:
        return list(DEFAULT_SOURCES)
    known = {s.name: s for s in DEFAULT_SOURCES}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise VulnDBError(
            f"unknown source(s): {', '.join(unknown)}", hint=f"known: {', '.join(known)}"
        )
    return [known[n] for n in names]


def _download(
    client: httpx.Client, source: RemoteSource, root: Path, mirror: str | None
) -> tuple[SourceInput, bool]:
    folder = root / source.name
    folder.mkdir(parents=True, exist_ok=True)
    fetched = [fetch(client, f.location(mirror), folder / f.filename) for f in source.files]
    wanted = {f.filename for f in source.files}
    for stale in folder.iterdir():
        if stale.name not in wanted and not stale.name.endswith(".meta.json"):
            stale.unlink()
    first: RemoteFile = source.files[0]
    return (
        SourceInput(
            source.name,
            folder,
            url=first.location(mirror),
            etag=fetched[0].etag,
            last_modified=fetched[0].last_modified,
            sha256=fetched[0].sha256,
        ),
        any(f.changed for f in fetched),
    )


def update_database(
    db_path: Path,
    *,
    now: datetime,
    names: Sequence[str] = (),
    mirror: str | None = None,
    existing: Sequence[str] = (),
    timeout: float = 60.0,
    notify: Notify | None = None,
) -> list[SourceResult]:
    """Download the selected sources and rebuild the database atomically."""
    root = db_path.parent / "downloads"
    inputs: list[SourceInput] = []
    headers = {"User-Agent": f"hullguard/{__version__}"}
    with httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client:
        for source in _select(names):
            if notify:
                notify(f"checking {source.name}")
            item, changed = _download(client, source, root, mirror)
            if changed or source.name not in existing:
                inputs.append(item)
    if not inputs:
        return []
    return build_database(db_path, inputs, now=now, notify=notify)
