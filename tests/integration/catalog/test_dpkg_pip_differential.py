"""Differential tests against the reference tools on this machine.

- dpkg: this machine's real ``/var/lib/dpkg`` vs ``dpkg-query -W`` (installed packages).
- pip: the running interpreter's site-packages vs ``pip list --path``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from hullguard.catalog.dpkg import DpkgCataloger
from hullguard.catalog.purls import pep503
from hullguard.catalog.python import PythonCataloger
from hullguard.catalog.run import catalog_files

pytestmark = pytest.mark.integration
DPKG = Path("/var/lib/dpkg")


def _dpkg_files() -> dict[str, bytes]:
    files = {"/var/lib/dpkg/status": (DPKG / "status").read_bytes()}
    for listing in (DPKG / "info").glob("*.list"):
        files[f"/var/lib/dpkg/info/{listing.name}"] = listing.read_bytes()
    return files


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a dpkg system")
def test_dpkg_status_matches_dpkg_query() -> None:
    out = subprocess.run(
        [
            "dpkg-query",
            "-W",
            "-f",
            "${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\t"
            "${source:Package}\\t${source:Version}\\n",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expected = {
        tuple(line.split("\t")[1:])
        for line in out.splitlines()
        if line.split("\t")[0] == "installed"
    }
    pkgs = DpkgCataloger().catalog(_dpkg_files(), None)
    actual = {(p.name, p.version, p.architecture, p.source_name, p.source_version) for p in pkgs}
    assert actual == expected
    assert len(pkgs) == len(expected)


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a dpkg system")
def test_dpkg_owned_files_match_dpkg_listfiles() -> None:
    pkgs = {p.name: p for p in DpkgCataloger().catalog(_dpkg_files(), None)}
    name = "dpkg"
    out = subprocess.run(["dpkg-query", "-L", name], capture_output=True, text=True, check=True)
    listed = {line for line in out.stdout.splitlines() if line.startswith("/") and line != "/."}
    assert set(pkgs[name].owned_files) == listed


@pytest.mark.skipif(not Path("/usr/lib/python3/dist-packages").is_dir(), reason="no Debian python")
def test_debian_python_modules_are_debs_not_pypi() -> None:
    files = _dpkg_files()
    owned_metadata = 0
    for meta in Path("/usr/lib/python3/dist-packages").glob("*.*-info"):
        target = meta / "PKG-INFO" if meta.is_dir() else meta
        if meta.is_dir() and not target.exists():
            target = meta / "METADATA"
        if target.is_file():
            files[str(target)] = target.read_bytes()
            owned_metadata += 1
    if owned_metadata == 0:
        pytest.skip("no Debian-packaged Python distributions installed")
    result = catalog_files(files)
    leaked = [p for p in result.packages if p.type == "python"]
    assert leaked == []


def test_pip_list_matches_python_cataloger() -> None:
    site = Path(sysconfig.get_paths()["purelib"])
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--path", str(site), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = {(pep503(d["name"]), d["version"]) for d in json.loads(proc.stdout)}
    cataloger = PythonCataloger()
    files = {
        str(p): p.read_bytes() for p in site.rglob("*") if p.is_file() and cataloger.wants(str(p))
    }
    actual = {(pep503(p.name), p.version) for p in cataloger.catalog(files, None)}
    assert len(expected) > 20
    assert actual == expected
