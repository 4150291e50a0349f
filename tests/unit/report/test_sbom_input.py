"""Reading SBOMs made by other tools, and round-tripping hullguard's own.

Fixtures: Syft's real Syft-JSON SBOM of an Alpine image
(syft/pkg/cataloger/sbom/testdata/alpine/syft-json), Syft's GraalVM CycloneDX 1.6 SBOM
(java/testdata/graalvm-sbom/micronaut.json), and cosign's CycloneDX/SPDX test SBOMs.
Expected values are read from the documents themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.catalog.sbom_input import SbomInputError, read_sbom
from hullguard.model.package import PackageType
from hullguard.model.sbom import SbomDocument, SubjectKind
from hullguard.report.cyclonedx import render_cyclonedx
from hullguard.report.spdx import render_spdx


def test_syft_json_alpine(fixtures: Path) -> None:
    path = fixtures / "syft/syft/pkg/cataloger/sbom/testdata/alpine/syft-json/sbom.syft.json"
    doc = json.loads(path.read_text())
    parsed = read_sbom(path.read_bytes())
    assert parsed.format == "syft-json"
    assert {(p.name, p.version, p.purl) for p in parsed.packages} == {
        (a["name"], a["version"], a["purl"]) for a in doc["artifacts"]
    }
    assert all(p.type is PackageType.APK for p in parsed.packages)
    assert parsed.os_info is not None
    assert (parsed.os_info.id, parsed.os_info.version_id) == ("alpine", "3.16.3")
    assert parsed.subject.kind is SubjectKind.IMAGE
    assert parsed.subject.digest == doc["source"]["target"]["manifestDigest"]
    base = next(p for p in parsed.packages if p.name == "alpine-baselayout")
    assert base.evidence[0].layer_diff_id == doc["artifacts"][0]["locations"][0]["layerID"]
    assert base.source_name == "alpine-baselayout"


def test_cyclonedx_graalvm(fixtures: Path) -> None:
    path = fixtures / "syft/syft/pkg/cataloger/java/testdata/graalvm-sbom/micronaut.json"
    doc = json.loads(path.read_text())
    parsed = read_sbom(path.read_bytes())
    assert parsed.format == "cyclonedx"
    assert sorted((p.name, p.version, p.purl) for p in parsed.packages) == sorted(
        (c["name"], c["version"], c.get("purl", "")) for c in doc["components"]
    )
    types = {p.name: p.type for p in parsed.packages}
    assert types == {
        "netty-codec-http2": PackageType.JAVA,
        "core": PackageType.JAVA,
        "basic-lib": PackageType.BINARY,  # no purl: ecosystem unknown
    }


@pytest.mark.parametrize("name", ["bom-go-mod.cyclonedx.json", "bom-go-mod.spdx.json"])
def test_empty_sboms(fixtures: Path, name: str) -> None:
    parsed = read_sbom((fixtures / "cosign/test/testdata" / name).read_bytes())
    assert parsed.packages == ()


@pytest.mark.parametrize("render", [render_cyclonedx, render_spdx])
def test_round_trip(sbom_doc: SbomDocument, render: object) -> None:
    text = render(sbom_doc)  # type: ignore[operator]
    parsed = read_sbom(text.encode())
    want = {(p.type, p.name, p.version, p.purl, p.evidence) for p in sbom_doc.packages}
    got = {(p.type, p.name, p.version, p.purl, p.evidence) for p in parsed.packages}
    assert got == want
    assert parsed.os_info is not None and parsed.os_info.id == "debian"
    libc = next(p for p in parsed.packages if p.name == "libc6")
    assert (libc.source_name, libc.architecture) == ("glibc", "amd64")


@pytest.mark.parametrize("data", [b"{", b"[]", b'{"hello": 1}', b'{"spdxVersion": "SPDX-3.0"}'])
def test_rejects_non_sboms(data: bytes) -> None:
    with pytest.raises(SbomInputError):
        read_sbom(data)
