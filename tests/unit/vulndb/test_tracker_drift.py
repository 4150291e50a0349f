"""Debian tracker JSON: each kind of schema drift is a one-line SchemaDrift naming the field.

The importer was built from the documented shape only (no real export is
available offline), so every deviation must stop the import loudly.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from hullguard.vulndb import SchemaDrift
from hullguard.vulndb.debian_tracker import DebianTrackerImporter

GOOD: dict[str, Any] = {
    "openssl": {
        "CVE-2024-0001": {
            "description": "buffer overflow",
            "releases": {
                "bookworm": {
                    "status": "resolved",
                    "repositories": {"bookworm": "3.0.11-1"},
                    "fixed_version": "3.0.11-1",
                    "urgency": "high",
                }
            },
        }
    }
}


def _parse(doc: object) -> None:
    data = json.dumps(doc).encode()
    list(DebianTrackerImporter().parse("tracker.json", data))


def _release(**changes: object) -> dict[str, Any]:
    doc = copy.deepcopy(GOOD)
    release = doc["openssl"]["CVE-2024-0001"]["releases"]["bookworm"]
    release.update(changes)
    return doc


def test_the_documented_shape_imports() -> None:
    (batch,) = DebianTrackerImporter().parse("t.json", json.dumps(GOOD).encode())
    assert [e.fixed for e in batch.entries] == [("3.0.11-1",)]


@pytest.mark.parametrize(
    ("doc", "field", "problem"),
    [
        (_release(fixed_version=3.011), ".fixed_version", "is not a string"),
        (_release(urgency=["high"]), ".urgency", "is not a string"),
        (_release(status="fixed"), ".status", "unknown value 'fixed'"),
        (_release(severity="high"), ".severity", "not a known tracker field"),
        (_release(fixed_version=None, status="resolved"), ".fixed_version", "is missing"),
        (
            {"openssl": {"CVE-1": {"releases": {"bookworm": "resolved"}}}},
            "releases.bookworm",
            "is not an object",
        ),
        ({"openssl": {"CVE-1": {"releases": []}}}, "CVE-1.releases", "is missing"),
        ({"openssl": ["CVE-1"]}, "openssl", "is not an object of issues"),
        (["openssl"], "<document>", "is not an object"),
    ],
)
def test_drift_names_the_field(doc: object, field: str, problem: str) -> None:
    with pytest.raises(SchemaDrift) as info:
        _parse(doc)
    text = info.value.diagnostics()
    assert field in text and problem in text and "\n" not in text, text
    assert "tracker.json" in text
