"""SPDX renderer: validated by spdx-tools (parse + full validation), deterministic."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from hullguard.model.sbom import SbomDocument
from hullguard.report.spdx import render_spdx


def test_validates_with_spdx_tools(sbom_doc: SbomDocument, tmp_path: Path) -> None:
    out = tmp_path / "sbom.spdx.json"
    out.write_text(render_spdx(sbom_doc, validate=True))
    document = parse_file(str(out))
    assert validate_full_spdx_document(document) == []
    assert len(document.packages) == 1 + 732 + 1  # subject, packages, OS


def test_structure(sbom_doc: SbomDocument) -> None:
    doc = json.loads(render_spdx(sbom_doc))
    assert doc["spdxVersion"] == "SPDX-2.3"
    assert doc["creationInfo"]["created"] == "2024-05-01T12:00:00Z"
    root_id = next(
        r["relatedSpdxElement"]
        for r in doc["relationships"]
        if r["relationshipType"] == "DESCRIBES"
    )
    root = next(p for p in doc["packages"] if p["SPDXID"] == root_id)
    assert root["primaryPackagePurpose"] == "CONTAINER"
    contains = [r for r in doc["relationships"] if r["relationshipType"] == "CONTAINS"]
    assert len(contains) == 733
    # the SPDX 2.3 JSON schema spells it OPERATING_SYSTEM (the spec text uses a dash)
    [os_pkg] = [p for p in doc["packages"] if p.get("primaryPackagePurpose") == "OPERATING_SYSTEM"]
    assert (os_pkg["name"], os_pkg["versionInfo"]) == ("debian", "12")
    npm = next(p for p in doc["packages"] if p["name"] == "@scope/pkg")
    assert npm["licenseDeclared"] == "MIT OR Apache-2.0"
    assert npm["externalRefs"][0]["referenceLocator"] == "pkg:npm/%40scope/pkg@2.0.0"
    assert "hullguard:layer:index=1" in npm["comment"].splitlines()


def test_non_spdx_licence_becomes_licenseref(sbom_doc: SbomDocument) -> None:
    doc = json.loads(render_spdx(sbom_doc))
    py = next(p for p in doc["packages"] if p["name"] == "Foo_Bar")
    ref = py["licenseDeclared"]
    assert ref.startswith("LicenseRef-")
    extracted = {e["licenseId"]: e["extractedText"] for e in doc["hasExtractedLicensingInfos"]}
    assert extracted[ref] == "MIT License, see LICENSE"


def test_deterministic(sbom_doc: SbomDocument) -> None:
    shuffled = replace(sbom_doc, packages=tuple(reversed(sbom_doc.packages)))
    assert render_spdx(sbom_doc) == render_spdx(shuffled)
