"""CycloneDX renderer: schema-valid (cyclonedx-python-lib's strict JSON validator),
deterministic, and carrying subject, OS, evidence and layers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from hullguard.model.sbom import SbomDocument
from hullguard.report.cyclonedx import CycloneDxVersion, render_cyclonedx
from hullguard.report.sbom_common import created_time, serial_uuid

SCHEMAS = {CycloneDxVersion.V1_6: SchemaVersion.V1_6, CycloneDxVersion.V1_5: SchemaVersion.V1_5}


@pytest.mark.parametrize("version", list(CycloneDxVersion))
def test_valid_against_official_schema(sbom_doc: SbomDocument, version: CycloneDxVersion) -> None:
    text = render_cyclonedx(sbom_doc, version)
    assert JsonStrictValidator(SCHEMAS[version]).validate_str(text) is None
    assert json.loads(text)["specVersion"] == version.value


def test_byte_identical_and_order_independent(sbom_doc: SbomDocument) -> None:
    shuffled = replace(sbom_doc, packages=tuple(reversed(sbom_doc.packages)))
    assert render_cyclonedx(sbom_doc) == render_cyclonedx(shuffled)


def test_serial_from_digest(sbom_doc: SbomDocument) -> None:
    doc = json.loads(render_cyclonedx(sbom_doc))
    assert doc["serialNumber"] == f"urn:uuid:{serial_uuid(sbom_doc.subject)}"
    assert serial_uuid(sbom_doc.subject).version == 5
    other = replace(sbom_doc, subject=replace(sbom_doc.subject, digest="sha256:" + "d" * 64))
    assert json.loads(render_cyclonedx(other))["serialNumber"] != doc["serialNumber"]


def test_metadata_subject_and_os(sbom_doc: SbomDocument) -> None:
    doc = json.loads(render_cyclonedx(sbom_doc))
    meta = doc["metadata"]
    assert meta["timestamp"] == "2024-05-01T12:00:00Z"
    assert meta["component"]["type"] == "container"
    assert meta["component"]["name"] == "example.test/app:1.0"
    assert meta["component"]["version"] == "sha256:" + "c" * 64
    [os_comp] = [c for c in doc["components"] if c["type"] == "operating-system"]
    assert (os_comp["name"], os_comp["version"]) == ("debian", "12")


def test_components_evidence_and_layers(sbom_doc: SbomDocument) -> None:
    doc = json.loads(render_cyclonedx(sbom_doc))
    libs = [c for c in doc["components"] if c["type"] == "library"]
    assert len(libs) == len(sbom_doc.packages) == 730 + 2
    by_name = {c["name"]: c for c in libs}
    npm = by_name["@scope/pkg"]
    assert npm["bom-ref"] == npm["purl"] == "pkg:npm/%40scope/pkg@2.0.0"
    assert npm["licenses"] == [{"expression": "(MIT OR Apache-2.0)"}]
    assert npm["evidence"]["occurrences"] == [
        {"location": "/app/node_modules/@scope/pkg/package.json"}
    ]
    props = {(p["name"], p["value"]) for p in npm["properties"]}
    assert ("hullguard:layer:index", "1") in props
    assert ("hullguard:layer:diffid", "sha256:" + "b" * 64) in props
    assert ("hullguard:layer:createdBy", "RUN pip install foo && npm ci") in props
    libc = by_name["libc6"]
    assert libc["purl"].startswith("pkg:deb/debian/libc6@2.36-9")
    assert "upstream=glibc" in libc["purl"] and "distro=debian-12" in libc["purl"]
    py = by_name["Foo_Bar"]
    assert py["purl"] == "pkg:pypi/foo-bar@1.0"
    assert py["licenses"] == [{"license": {"name": "MIT License, see LICENSE"}}]


def test_source_date_epoch() -> None:
    from datetime import UTC, datetime

    now = datetime(2030, 1, 1, 0, 0, 0, 123, tzinfo=UTC)
    assert created_time(now, {"SOURCE_DATE_EPOCH": "1700000000"}).isoformat() == (
        "2023-11-14T22:13:20+00:00"
    )
    assert created_time(now, {}) == now.replace(microsecond=0)
