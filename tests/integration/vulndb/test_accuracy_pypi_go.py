"""Accuracy on real data: old PyPI packages and a Debian-built Go binary.

Expected sets are computed here, independently of hullguard's comparators:
``packaging`` over the raw PyPI OSV YAML files, and a small semver order over
the raw Go OSV JSON (``stdlib`` only) with the toolchain version taken from
``go version -m`` (the reference tool).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from hullguard.catalog.dirsource import catalog_directory
from hullguard.catalog.golang import packages_of, read_buildinfo
from hullguard.match import VulnOptions, scan_packages
from hullguard.model.package import Package, PackageType, Purl
from hullguard.vulndb import VulnDB

REPO = Path(__file__).resolve().parents[3]
OLD_PYTHON = {
    "requests": "2.19.1",
    "urllib3": "1.24.1",
    "Jinja2": "2.10",
    "Django": "2.2",
    "idna": "2.7",
    "PyYAML": "5.1",
    "Pillow": "6.0.0",
}
OPTIONS = VulnOptions(today=date(2026, 1, 1))


def _pypi_affected(affected: dict[str, Any], version: Version, raw: str) -> bool:
    if raw in (affected.get("versions") or []):
        return True
    for rng in affected.get("ranges") or []:
        if rng.get("type") != "ECOSYSTEM":
            continue
        state = False
        events = sorted(
            ((k, v) for e in rng["events"] for k, v in e.items()),
            key=lambda kv: Version("0") if kv[1] == "0" else Version(kv[1]),
        )
        for kind, value in events:
            bound = Version(value)
            if kind == "introduced" and version >= bound:
                state = True
            elif (kind == "fixed" and version >= bound) or (
                kind == "last_affected" and version > bound
            ):
                state = False
        if state:
            return True
    return False


def expected_pypi(vulndata: Path, name: str, raw: str) -> set[str]:
    version = Version(raw)
    out = set()
    folder = vulndata / "osv/pypi/vulns"
    for path in folder.rglob("*.yaml"):
        if canonicalize_name(path.parent.name) != canonicalize_name(name) and (
            canonicalize_name(name).encode() not in path.read_bytes().lower()
        ):
            continue  # cheap pre-filter: the record must mention the package
        record = yaml.load(path.read_bytes(), Loader=yaml.CBaseLoader)
        if record.get("withdrawn"):
            continue
        for affected in record.get("affected") or []:
            pkg = affected["package"]
            if pkg["ecosystem"] != "PyPI" or canonicalize_name(pkg["name"]) != canonicalize_name(
                name
            ):
                continue
            try:
                if _pypi_affected(affected, version, raw):
                    out.add(record["id"])
            except InvalidVersion:
                continue
    return out


def test_old_python_packages_match_packaging_oracle(full_db: VulnDB, vulndata: Path) -> None:
    packages = [
        Package(n, v, PackageType.PYTHON, Purl(f"pkg:pypi/{n.lower()}@{v}"))
        for n, v in OLD_PYTHON.items()
    ]
    report = scan_packages(packages, None, full_db, OPTIONS)
    assert not report.skipped
    for name, version in OLD_PYTHON.items():
        got = {f.vuln_id for f in report.findings if f.package_name == name}
        want = expected_pypi(vulndata, name, version)
        assert got == want, name
    assert sum(1 for f in report.findings if f.package_name == "Django") > 20
    assert all(f.fixed_versions for f in report.findings)


_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")


def _semver_key(text: str) -> tuple[Any, ...]:
    m = _SEMVER.match(text)
    assert m, text
    pre = m[4]
    pre_key = (1,) if pre is None else (0, *((0, int(p)) if p.isdigit() else (1, p)
                                              for p in pre.split(".")))  # fmt: skip
    return (int(m[1]), int(m[2]), int(m[3]), pre_key)


def expected_stdlib(vulndata: Path, go_version: str) -> set[str]:
    key = _semver_key(go_version)
    out = set()
    for path in (vulndata / "osv/go/data/osv").glob("GO-*.json"):
        record = json.loads(path.read_bytes())
        if record.get("withdrawn"):
            continue
        for affected in record.get("affected") or []:
            if affected["package"]["name"] != "stdlib":
                continue
            for rng in affected.get("ranges") or []:
                state = False
                for event in rng["events"]:  # Go vulndb lists events in order
                    ((kind, value),) = event.items()
                    if kind == "introduced":
                        state = state or value == "0" or key >= _semver_key(value)
                    elif kind == "fixed" and key >= _semver_key(value):
                        state = False
                if state:
                    out.add(record["id"])
    return out


@pytest.mark.skipif(shutil.which("go") is None, reason="golang-go not installed")
@pytest.mark.parametrize("binary", ["/usr/bin/skopeo", "/usr/bin/docker-registry"])
def test_debian_go_binary_gets_stdlib_advisories(
    binary: str, full_db: VulnDB, vulndata: Path
) -> None:
    if not Path(binary).exists():
        pytest.skip(f"{binary} not installed")
    oracle = subprocess.run(["go", "version", "-m", binary], capture_output=True, text=True)
    toolchain = oracle.stdout.splitlines()[0].split()[-1].removeprefix("go")
    info = read_buildinfo(Path(binary).read_bytes())
    assert info is not None
    packages = packages_of(info, binary)
    stdlib = [p for p in packages if p.type is PackageType.GO_STDLIB]
    assert [p.version for p in stdlib] == [toolchain]
    report = scan_packages(stdlib, None, full_db, OPTIONS)
    got = {f.vuln_id for f in report.findings}
    assert got == expected_stdlib(vulndata, toolchain)
    assert len(got) > 10


def _pip_tree() -> Path:
    spec = importlib.util.spec_from_file_location("imagebuild", REPO / "tools" / "imagebuild.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("imagebuild", module)
    spec.loader.exec_module(module)
    return Path(module.pip_tree())


def test_real_pip_installed_tree(full_db: VulnDB, vulndata: Path) -> None:
    """The tree ``pip install --target`` made (tools/imagebuild.py pip-tree), cataloged for real."""
    try:
        tree = _pip_tree()
    except Exception as exc:  # no network to PyPI on this machine
        pytest.skip(f"pip-tree could not be built: {exc}")
    packages = catalog_directory(tree).packages
    assert {p.name for p in packages} >= {"requests", "urllib3", "Jinja2", "Django", "idna"}
    report = scan_packages(packages, None, full_db, OPTIONS)
    got = {(f.package_name, f.vuln_id) for f in report.findings}
    want = {(p.name, v) for p in packages for v in expected_pypi(vulndata, p.name, p.version)}
    assert got == want
    paths = {e.path for f in report.findings for e in f.evidence}
    assert all(p.endswith("METADATA") for p in paths)
