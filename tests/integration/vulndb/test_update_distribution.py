"""``db update`` against a loopback mirror of the real files; ``db push``/``pull``.

The registry is Debian's real ``docker-registry`` on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from hullguard.cli.main import main
from hullguard.errors import HullguardError
from hullguard.image.registry.options import RegistryOptions
from hullguard.image.registry.push import RegistryPusher
from hullguard.vulndb import VulnDBError, open_db
from hullguard.vulndb.distribution import ARTIFACT_TYPE, pull_database, push_database
from hullguard.vulndb.schema import SCHEMA_VERSION
from hullguard.vulndb.update import update_database

SOURCES = ("osv-pypi", "osv-go", "alpine-secdb", "debian-security-support")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_update_conditional_and_atomic(tmp_path: Path, mirror: Any) -> None:
    db_path = tmp_path / "db" / "vuln.db"
    results = update_database(db_path, now=NOW, names=SOURCES, mirror=mirror.base)
    assert {r.name for r in results} == set(SOURCES)
    with open_db(db_path) as db:
        assert db.entries("PyPI", "requests")
        assert db.entries("Go", "stdlib")
        assert db.entries("alpine:3.19", "openssl")
        assert db.support_ended("debian:12")
        urls = {s.name: s.url for s in db.sources()}
        assert urls["osv-pypi"] == f"{mirror.base}/osv/PyPI/all.zip"
        assert all(s.etag for s in db.sources())
    stamp = db_path.stat().st_mtime_ns
    mirror.requests.clear()
    existing = list(SOURCES)
    again = update_database(db_path, now=NOW, names=SOURCES, mirror=mirror.base, existing=existing)
    assert again == []  # every file answered 304
    assert db_path.stat().st_mtime_ns == stamp
    conditional = [etag for path, etag in mirror.requests if not path.endswith(".sha256")]
    assert conditional and all(conditional)


def test_update_rejects_bad_sidecar_and_keeps_db(tmp_path: Path, mirror: Any) -> None:
    db_path = tmp_path / "vuln.db"
    update_database(db_path, now=NOW, names=["debian-security-support"], mirror=mirror.base)
    before = db_path.read_bytes()
    path = "debian/security-support-ended.deb12"
    original = mirror.files[path]
    mirror.files[path] = original + b"\nnewpkg 1.0-1 2030-01-01 changed upstream\n"
    mirror.sidecars[path] = "0" * 64
    try:
        with pytest.raises(VulnDBError, match="sidecar"):
            update_database(db_path, now=NOW, names=["debian-security-support"],
                            mirror=mirror.base, existing=["debian-security-support"])  # fmt: skip
        assert db_path.read_bytes() == before
        mirror.sidecars[path] = hashlib.sha256(mirror.files[path]).hexdigest()
        update_database(db_path, now=NOW, names=["debian-security-support"],
                        mirror=mirror.base, existing=["debian-security-support"])  # fmt: skip
        with open_db(db_path) as db:
            assert any(r.name_pattern == "newpkg" for r in db.support_ended("debian:12"))
    finally:
        mirror.files[path] = original
        mirror.sidecars.pop(path, None)


def test_update_unreachable_mirror_is_operational_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "db", "update", "--db", str(tmp_path / "v.db"),
                        "--source", "osv-go", "--mirror", "http://127.0.0.1:9")  # fmt: skip
    assert code == 3
    assert "download of http://127.0.0.1:9/osv/Go/all.zip failed" in err
    assert "Traceback" not in err
    assert not (tmp_path / "v.db").exists()


def test_cli_import_and_status(
    tmp_path: Path, vulndata: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "v.db")
    code, _, err = _run(capsys, "db", "status", "--db", db)
    assert code == 3 and "hullguard db update" in err
    code, _, err = _run(capsys, "db", "import", "--db", db,
                        str(vulndata / "npm/nodejs-security-wg/vuln/npm"))  # fmt: skip
    assert code == 0, err
    code, out, _ = _run(capsys, "db", "status", "--db", db, "--format", "json")
    doc = json.loads(out)
    assert doc["sources"][0]["name"] == "npm"
    assert doc["counts"]["advisories:npm-legacy"] == 467


def test_push_pull_roundtrip(tmp_path: Path, full_db_path: Path, registry_host: str) -> None:
    options = RegistryOptions(insecure=True)
    ref = f"{registry_host}/security/hullguard-db:1"
    digest = push_database(full_db_path, ref, options)
    manifest = httpx.get(
        f"http://{registry_host}/v2/security/hullguard-db/manifests/1",
        headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
    )
    assert manifest.headers["docker-content-digest"] == digest
    body = manifest.json()
    assert body["artifactType"] == ARTIFACT_TYPE
    assert body["annotations"]["dev.hullguard.db.schema-version"] == str(SCHEMA_VERSION) == "3"
    target = tmp_path / "pulled" / "vuln.db"
    assert pull_database(target, ref, options) == digest
    assert target.read_bytes() == full_db_path.read_bytes()
    with open_db(target) as db:
        assert db.entries("PyPI", "django")


def test_pull_of_a_non_db_artifact_keeps_old_db(
    tmp_path: Path, full_db_path: Path, registry_host: str
) -> None:
    options = RegistryOptions(insecure=True)
    small = tmp_path / "small.db"
    conn = sqlite3.connect(small)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '999')")
    conn.commit()
    conn.close()
    with pytest.raises(VulnDBError):
        push_database(small, f"{registry_host}/x/db:bad", options)  # refuses a foreign schema
    target = tmp_path / "vuln.db"
    target.write_bytes(full_db_path.read_bytes())
    with pytest.raises(HullguardError):
        pull_database(target, f"{registry_host}/x/nothing:1", options)
    pusher = RegistryPusher(registry_host, options)
    config = pusher.upload_blob("x/other", b"{}")
    other = {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/x-something-else",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2},
        "layers": [],
    }  # fmt: skip
    pusher.put_manifest("x/other", "1", json.dumps(other).encode(), other["mediaType"])
    pusher.close()
    with pytest.raises(VulnDBError, match="is not a hullguard database"):
        pull_database(target, f"{registry_host}/x/other:1", options)
    assert target.read_bytes() == full_db_path.read_bytes()
