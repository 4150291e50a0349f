"""SBOM accuracy on a real image: exactly what dpkg-query, pip, npm and go report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hullguard.image.loader import open_image
from hullguard.model.package import Package, PackageType
from hullguard.scan.image_sbom import catalog_image


@pytest.fixture(scope="module")
def packages(app_oci: Path) -> list[Package]:
    image = open_image(f"oci:{app_oci}:1.0")
    try:
        return list(catalog_image(image).packages)
    finally:
        image.close()


def _of(packages: list[Package], kind: PackageType) -> list[Package]:
    return [p for p in packages if p.type is kind]


def test_debs_equal_dpkg_query(packages: list[Package], app_unpacked: Path) -> None:
    out = subprocess.run(
        ["dpkg-query", f"--admindir={app_unpacked}/var/lib/dpkg", "-W",
         "-f", "${db:Status-Abbrev} ${Package} ${Version} ${Architecture}\n"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    expected = {tuple(line.split()[1:]) for line in out.splitlines() if line.startswith("ii")}
    ours = {(p.name, p.version, p.architecture) for p in _of(packages, PackageType.DEB)}
    assert len(expected) > 80
    assert ours == expected


def test_python_equals_pip_list(packages: list[Package], app_unpacked: Path) -> None:
    site = app_unpacked / "usr/local/lib/python3.11/dist-packages"
    out = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--path", str(site), "--format", "json"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    expected = {(d["name"].lower(), d["version"]) for d in json.loads(out)}
    ours = {(p.name.lower(), p.version) for p in _of(packages, PackageType.PYTHON)}
    assert ours == expected and len(ours) == 5


def _npm_tree(node: dict[str, object], out: set[tuple[str, str]]) -> None:
    deps = node.get("dependencies") or {}
    assert isinstance(deps, dict)
    for name, child in deps.items():
        out.add((name, child["version"]))
        _npm_tree(child, out)


def test_npm_equals_npm_ls(packages: list[Package], app_unpacked: Path) -> None:
    proc = subprocess.run(
        ["npm", "ls", "--all", "--json", "--prefix", str(app_unpacked / "app")],
        capture_output=True, text=True, check=False,
        env={**os.environ, "npm_config_update_notifier": "false"},
    )  # fmt: skip
    expected: set[tuple[str, str]] = set()
    _npm_tree(json.loads(proc.stdout), expected)
    ours = {(p.name, p.version) for p in _of(packages, PackageType.NPM)}
    assert expected and ours == expected


def test_go_binary_equals_go_version_m(packages: list[Package], app_unpacked: Path) -> None:
    out = subprocess.run(
        ["go", "version", "-m", str(app_unpacked / "usr/local/bin/umoci")],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    toolchain = out.splitlines()[0].split(": ", 1)[1].removeprefix("go").strip()
    deps = {
        (parts[1], parts[2]) for line in out.splitlines() if (parts := line.split())[0] == "dep"
    }
    golang = {(p.name, p.version) for p in _of(packages, PackageType.GOLANG)}
    stdlib = {p.version for p in _of(packages, PackageType.GO_STDLIB)}
    assert deps <= golang, sorted(deps - golang)
    assert stdlib == {toolchain}


def test_layers_attributed(packages: list[Package], app_oci: Path) -> None:
    image = open_image(f"oci:{app_oci}:1.0")
    image.close()
    by_type: dict[PackageType, set[int | None]] = {}
    for pkg in packages:
        by_type.setdefault(pkg.type, set()).update(e.layer_index for e in pkg.evidence)
    assert by_type[PackageType.DEB] == {0}
    assert by_type[PackageType.PYTHON] == {1}
    assert by_type[PackageType.NPM] == {2}
    assert by_type[PackageType.GO_STDLIB] == {7}
    go = next(p for p in packages if p.type is PackageType.GO_STDLIB)
    assert go.evidence[0].created_by and "COPY" in go.evidence[0].created_by
    assert go.evidence[0].layer_diff_id == image.layers[7].diff_id


def _hg(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hullguard", "--quiet", "--cache-dir", str(cache), *args],
        capture_output=True, text=True, check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
    )  # fmt: skip


def test_cli_sbom_valid_and_deterministic(
    app_oci: Path, app_docker_archive: Path, tmp_path: Path
) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    ref = f"oci:{app_oci}:1.0"
    first = _hg("sbom", ref, cache=tmp_path / "c1")
    assert first.returncode == 0, first.stderr
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(first.stdout)
    assert errors is None, errors
    doc = json.loads(first.stdout)
    assert doc["metadata"]["component"]["name"] == ref
    cached = _hg("sbom", ref, cache=tmp_path / "c1")
    fresh = _hg("sbom", ref, cache=tmp_path / "c2")
    assert cached.stdout == first.stdout == fresh.stdout
    archive = _hg("sbom", "-f", "json", f"docker-archive:{app_docker_archive}", cache=tmp_path)
    oci = _hg("sbom", "-f", "json", ref, cache=tmp_path)
    assert json.loads(archive.stdout)["packages"] == json.loads(oci.stdout)["packages"]
    spdx_path = tmp_path / "sbom.spdx.json"
    spdx = _hg("sbom", "-f", "spdx-json", "-o", str(spdx_path), ref, cache=tmp_path)
    assert spdx.returncode == 0, spdx.stderr
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    assert validate_full_spdx_document(parse_file(str(spdx_path))) == []
