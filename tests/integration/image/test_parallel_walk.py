"""Differential: real multi-layer images read by worker processes and by one process agree.

Records, layered view, SBOM (with layer attribution) and secret findings must
be identical whichever way the layers were read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hullguard.image import parallel
from hullguard.image.loader import open_image
from hullguard.image.walk import build_layered_view
from hullguard.scan.image_sbom import catalog_image
from hullguard.scan.image_scan import scan_image
from hullguard.secrets import SecretScanner


def _run(ref: str, monkeypatch: pytest.MonkeyPatch, pooled: bool) -> dict[str, Any]:
    used: list[int] = []
    real = parallel._pooled

    def spy(*args: Any) -> Any:
        used.append(args[3])
        return real(*args)

    monkeypatch.setattr(parallel, "_pooled", spy)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0 if pooled else 1 << 62)
    monkeypatch.setattr(parallel, "_cpus", lambda: 2)
    out: dict[str, Any] = {}
    image = open_image(ref)
    try:
        view, per_layer = build_layered_view(image)
        out["records"] = view.all_records()
        out["final"] = view.final()
        out["per_layer"] = per_layer
        out["packages"] = catalog_image(image).packages
        scanned = scan_image(image, want_packages=True, secret_scanner=SecretScanner())
        out["secrets"] = scanned.secrets
        out["scan_packages"] = scanned.catalog.packages if scanned.catalog else None
        out["counts"] = (scanned.files_scanned, scanned.bytes_scanned)
    finally:
        image.close()
    assert (len(used) == 3) if pooled else not used, used
    return out


@pytest.mark.parametrize("fixture", ["app_oci", "app_oci_zstd", "app_oci_archive"])
def test_pooled_walk_equals_serial_walk(
    fixture: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    path: Path = request.getfixturevalue(fixture)
    ref = f"oci-archive:{path}" if fixture.endswith("archive") else f"oci:{path}:1.0"
    pooled = _run(ref, monkeypatch, pooled=True)
    serial = _run(ref, monkeypatch, pooled=False)
    assert len(pooled["per_layer"]) >= 5
    assert pooled["packages"] and pooled["secrets"]
    for key in serial:
        assert pooled[key] == serial[key], key
    # the deleted .env is still found, with its layer story
    env = [s for s in pooled["secrets"] if s.match.path == "/app/.env"]
    assert env and all(s.status == "deleted" and s.layer == 2 for s in env)
