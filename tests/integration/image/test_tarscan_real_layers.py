"""The C tar header scanner against the Python reader on the layers of the images the suite builds.

``tests/unit/image/test_tarscan_differential.py`` compares both readers on layers that
happen to be in the image cache when it runs (none on a fresh clone, where the unit
tests run before any image is built); this test asks for the images itself, so CI
always compares them on real mmdebstrap/pip/npm layers (gzip and zstd).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.integration

UNIT = Path(__file__).resolve().parents[2] / "unit" / "image"


def _differential() -> ModuleType:
    sys.path.insert(0, str(UNIT))  # its helper module tarcases.py
    try:
        spec = importlib.util.spec_from_file_location(
            "tarscan_differential", UNIT / "test_tarscan_differential.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(UNIT))


def _layers(layout: Path) -> list[Path]:
    blobs = layout / "blobs" / "sha256"
    out = []
    for desc in json.loads((layout / "index.json").read_text())["manifests"]:
        manifest = json.loads((blobs / desc["digest"].split(":")[1]).read_text())
        out += [blobs / layer["digest"].split(":")[1] for layer in manifest["layers"]]
    return out


@pytest.mark.parametrize("image", ["app_oci", "app_oci_zstd"])
def test_scanner_agrees_with_python_reader_on_built_layers(
    image: str, request: pytest.FixtureRequest
) -> None:
    diff = _differential()
    if diff.SCAN is None:
        if os.environ.get("HULLGUARD_REQUIRE_ACCEL"):
            pytest.fail("hullguard._tarscan is not built (pip install -e . with gcc, python3-dev)")
        pytest.skip("hullguard._tarscan is not built: nothing to compare with")
    layers = _layers(request.getfixturevalue(image))
    assert len(layers) >= 3
    for blob in layers:
        data = diff._decompressed(blob.read_bytes())
        assert data is not None, blob.name
        diff.SCANNED[0] = 0
        got, error, entries, pulled = diff.same_both_ways(data)
        assert error is None and entries == len(got) > 0 and pulled == len(data), blob.name
        assert diff.SCANNED[0] >= 3 * 0.9 * len(got) - 20, blob.name  # the scanner read them
