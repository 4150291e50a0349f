"""Stored layers and history steps (schema V3) on both backends, against the app image's own
OCI manifest and config read here with plain JSON (independent of hullguard's image code)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

from hullguard.inventory import open_inventory
from hullguard.secrets.redact import redact_command

Run = Any


def _blob(layout: Path, digest: str) -> dict[str, Any]:
    algorithm, _, hexdigest = digest.partition(":")
    doc: dict[str, Any] = json.loads((layout / "blobs" / algorithm / hexdigest).read_bytes())
    return doc


def expected_layers(layout: Path) -> list[tuple[int, str, str, str]]:
    """(index, blob digest, diff id, raw created_by) from index.json -> manifest -> config."""
    index = json.loads((layout / "index.json").read_bytes())
    manifest = _blob(layout, index["manifests"][0]["digest"])
    config = _blob(layout, manifest["config"]["digest"])
    steps = [h.get("created_by", "") for h in config["history"] if not h.get("empty_layer")]
    diff_ids = config["rootfs"]["diff_ids"]
    blobs = [layer["digest"] for layer in manifest["layers"]]
    return [(i, blobs[i], diff_ids[i], steps[i]) for i in range(len(blobs))]


def _app_layers(fleet: str) -> tuple[str, list[Any]]:
    with open_inventory(fleet) as store:
        [row] = [i for i in store.images() if i.deployments]  # the app image runs in "web"
        image = store.find_image(row.digest)
        return row.digest, list(store.layers_for([image.id])[image.id])


def test_stored_layers_match_the_oci_config(fleet: str, imagebuild: ModuleType) -> None:
    want = expected_layers(imagebuild.app_oci())
    assert len(want) == 8
    _, stored = _app_layers(fleet)
    assert [(x.index, x.digest, x.diff_id) for x in stored] == [w[:3] for w in want]
    assert [x.created_by for x in stored] == [redact_command(w[3]) for w in want]
    # the RUN steps carry the build argument API_TOKEN: stored masked, never the value
    run_steps = [x.created_by for x in stored if "API_TOKEN" in x.created_by]
    assert len(run_steps) == 3
    assert all("API_TOKEN=ghp_…[40 chars]" in s for s in run_steps)
    assert not any(imagebuild.FAKE_GITHUB_TOKEN in x.created_by for x in stored)


def test_who_has_shows_layer_index_and_history_step(
    run: Run, fleet: str, imagebuild: ModuleType
) -> None:
    want = expected_layers(imagebuild.app_oci())
    pip_layer = next(w for w in want if "/usr/local/lib/" in w[3])  # COPY pydeps/
    res = run("inventory", "who-has", "pypi:requests", "--database", fleet, "-f", "json")
    assert res.code == 0, res.err
    [match] = json.loads(res.out)["matches"]
    assert match["layer"] == {
        "index": pip_layer[0], "digest": pip_layer[1], "diff_id": pip_layer[2],
        "created_by": pip_layer[3],
    }  # fmt: skip
    assert match["package"]["layer"] == pip_layer[2]
    table = run("inventory", "who-has", "pypi:requests", "--database", fleet).out
    assert f"#{pip_layer[0]} /bin/sh -c #(nop) COPY dir:" in table
    # an SBOM without layer indexes (Syft JSON) has no stored layers: null, diff id shown
    alpine = json.loads(
        run("inventory", "who-has", "apk:musl", "--database", fleet, "-f", "json").out
    )
    assert alpine["matches"] and all(m["layer"] is None for m in alpine["matches"])


def test_who_is_affected_shows_the_layer(
    run: Run, fleet: str, base_db: Path, imagebuild: ModuleType
) -> None:
    want = expected_layers(imagebuild.app_oci())
    pip_layer = next(w for w in want if "/usr/local/lib/" in w[3])
    res = run("inventory", "who-is-affected", "PYSEC-2018-28", "--database", fleet,
              "--db", str(base_db), "-f", "json")  # fmt: skip
    assert res.code == 0, res.err
    [image] = json.loads(res.out)["images"]
    [finding] = image["findings"]
    assert finding["layer"]["index"] == pip_layer[0]
    assert finding["layer"]["digest"] == pip_layer[1]
    table = run("inventory", "who-is-affected", "PYSEC-2018-28", "--database", fleet,
                "--db", str(base_db)).out  # fmt: skip
    assert "LAYER" in table and f"#{pip_layer[0]} /bin/sh -c #(nop) COPY" in table


def test_sbom_with_layer_evidence_stores_its_layers(
    run: Run, inventory_db: str, app_ref: str, imagebuild: ModuleType, tmp_path: Path
) -> None:
    """hullguard's own CycloneDX carries each package's layer index, diff id and step:
    `add sbom:` stores those layers (no blob digest in an SBOM), redacted."""
    sbom = tmp_path / "app.cdx.json"
    assert run("sbom", app_ref, "-o", str(sbom)).code == 0
    res = run("inventory", "add", f"sbom:{sbom}", "--database", inventory_db)
    assert res.code == 0, res.err
    with open_inventory(inventory_db) as store:
        [row] = store.images()
        image = store.find_image(row.digest)
        stored = store.layers_for([image.id])[image.id]
    want = {w[0]: w for w in expected_layers(imagebuild.app_oci())}
    assert stored, "the SBOM's package evidence names layers"
    for layer in stored:  # only layers that added packages appear
        _, _, diff_id, step = want[layer.index]
        assert (layer.digest, layer.diff_id, layer.created_by) == ("", diff_id, step)
    assert {0, 1, 2} <= {x.index for x in stored}  # Debian base, pip and npm layers
    match = json.loads(
        run("inventory", "who-has", "npm:lodash", "--database", inventory_db, "-f", "json").out
    )["matches"][0]
    assert match["layer"]["index"] == 2 and match["layer"]["digest"] == ""
