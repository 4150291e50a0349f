"""who-has / images / diff / idempotency on real images and real SBOMs.

Expected answers are computed here independently of hullguard: the pinned
package lists the test images were built from (tools/imagebuild.py) with
`packaging` as the PEP 440 oracle, the dpkg status file of the Debian root
filesystem tarball with `dpkg --compare-versions`, and the raw Syft JSON.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from hullguard.inventory import open_inventory
from hullguard.inventory.fleet import who_has
from hullguard.inventory.query import parse_query

Run = Any


def _hits(run: Run, fleet: str, spec: str) -> list[dict[str, object]]:
    res = run("inventory", "who-has", spec, "--database", str(fleet), "-f", "json")
    assert res.code == 0, res.err
    matches: list[dict[str, object]] = json.loads(res.out)["matches"]
    return matches


def _digest_of(run: Run, fleet: str, ref: str) -> str:
    res = run("inventory", "images", "--database", str(fleet), "-f", "json")
    for image in json.loads(res.out)["images"]:
        if ref in image["refs"]:
            return str(image["digest"])
    raise AssertionError(f"{ref} not stored")


@pytest.mark.parametrize("spec", ["<2.31", ">=2.0,<2.20", "==2.19.1", "!=2.19.1", ">2.19.1"])
def test_who_has_pypi_ranges_match_packaging(
    run: Run, fleet: str, imagebuild: ModuleType, app_ref: str, spec: str
) -> None:
    app = _digest_of(run, fleet, app_ref)
    for pinned in imagebuild.PIP_PACKAGES:
        name, version = pinned.split("==")
        hits = _hits(run, fleet, f"pypi:{name}{spec}")
        expected = Version(version) in SpecifierSet(spec.replace("==", "=="))
        found = [h for h in hits if h["image"] == app]
        assert bool(found) == expected, (pinned, spec)
        for hit in found:
            package = hit["package"]
            assert isinstance(package, dict)
            assert package["version"] == version
            assert str(package["layer"]).startswith("sha256:")
            assert hit["deployments"] and hit["deployments"][0]["name"] == "web"  # type: ignore[index]


def test_who_has_npm_range_and_purl(run: Run, fleet: str, imagebuild: ModuleType) -> None:
    for pinned in imagebuild.NPM_PACKAGES:
        name, version = pinned.split("@")
        assert [h["package"]["version"] for h in _hits(run, fleet, f"npm:{name}@<=" + version)] == [  # type: ignore[index]
            version
        ]
        assert _hits(run, fleet, f"npm:{name}@<{version}") == []
        assert len(_hits(run, fleet, f"pkg:npm/{name}@{version}")) == 1
    assert len(_hits(run, fleet, "npm:lodash@<4.17.21")) == 1
    assert _hits(run, fleet, "npm:lodash@>=4.17.21") == []


def _dpkg_status(imagebuild: ModuleType) -> dict[str, str]:
    with tarfile.open(imagebuild.debian_rootfs()) as tar:
        member = tar.extractfile("./var/lib/dpkg/status")
        assert member is not None
        text = member.read().decode()
    out = {}
    for stanza in text.split("\n\n"):
        name = re.search(r"^Package: (.+)$", stanza, re.M)
        version = re.search(r"^Version: (.+)$", stanza, re.M)
        status = re.search(r"^Status: (.+)$", stanza, re.M)
        if name and version and status and status.group(1).endswith(" installed"):
            out[name.group(1)] = version.group(1)
    return out


def _dpkg_lt(a: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b], check=False).returncode == 0


def test_who_has_every_debian_package(
    run: Run, fleet: str, imagebuild: ModuleType, debian_ref: str
) -> None:
    debian = _digest_of(run, fleet, debian_ref)
    status = _dpkg_status(imagebuild)
    assert len(status) > 50
    with open_inventory(fleet) as store:
        for name, version in status.items():
            hits = who_has(store, parse_query(f"deb:{name}=={version}")).hits
            assert debian in {h.package.image_digest for h in hits}, name


@pytest.mark.parametrize("package", ["libc6", "bash", "apt", "dpkg"])
def test_who_has_deb_ranges_match_dpkg(
    run: Run, fleet: str, imagebuild: ModuleType, debian_ref: str, package: str
) -> None:
    debian = _digest_of(run, fleet, debian_ref)
    installed = _dpkg_status(imagebuild)[package]
    for bound in ("0.1", installed, installed + "+x1", "999"):
        digests = {h["image"] for h in _hits(run, fleet, f"deb:{package}<{bound}")}
        assert (debian in digests) == _dpkg_lt(installed, bound), bound


def test_who_has_alpine_sbom_matches_syft_json(run: Run, fleet: str, alpine_sbom: Path) -> None:
    doc = json.loads(alpine_sbom.read_text())
    digest = doc["source"]["target"]["manifestDigest"]
    artifacts = [a for a in doc["artifacts"] if a["type"] == "apk"]
    for artifact in artifacts:
        name = artifact["name"]
        expected = sorted(
            (a["name"], a["version"])
            for a in artifacts
            if name in (a["name"], a["metadata"].get("originPackage"))
        )
        got = sorted(
            (h["package"]["name"], h["package"]["version"])  # type: ignore[index]
            for h in _hits(run, fleet, f"apk:{name}")
            if h["image"] == digest
        )
        assert got == expected, name


def test_add_is_idempotent(
    run: Run, fleet: str, app_ref: str, base_db: Path, alpine_sbom: Path
) -> None:
    before = run("inventory", "images", "--database", str(fleet), "-f", "json").out
    res = run("inventory", "add", app_ref, "--database", str(fleet), "--db", str(base_db),
              "-f", "json")  # fmt: skip
    assert res.code == 0, res.err
    assert json.loads(res.out)["created"] is False
    res = run("inventory", "add", f"sbom:{alpine_sbom}", "--database", str(fleet),
              "--db", str(base_db), "-f", "json")  # fmt: skip
    assert json.loads(res.out)["created"] is False
    after = run("inventory", "images", "--database", str(fleet), "-f", "json").out
    strip = [{k: v for k, v in i.items() if k != "added_at"} for i in json.loads(before)["images"]]
    assert strip == [
        {k: v for k, v in i.items() if k != "added_at"} for i in json.loads(after)["images"]
    ]
    assert len(json.loads(after)["images"]) == 4


def test_images_and_diff(run: Run, fleet: str, app_ref: str, debian_ref: str) -> None:
    app, debian = _digest_of(run, fleet, app_ref), _digest_of(run, fleet, debian_ref)
    res = run("inventory", "diff", debian, app, "--database", str(fleet), "-f", "json")
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    added = {(p["type"], p["name"], p["version"]) for p in doc["packages"]["added"]}
    assert ("python", "requests", "2.19.1") in added
    assert ("npm", "lodash", "4.17.4") in added
    assert {f["package"] for f in doc["findings"]["added"]} >= {"requests", "django"} or {
        f["package"] for f in doc["findings"]["added"]
    } >= {"requests", "Django"}
    assert doc["findings"]["removed"] == []
    table = run("inventory", "diff", app_ref, app_ref, "--database", str(fleet)).out
    assert "no differences" in table
