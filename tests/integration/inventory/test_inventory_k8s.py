"""import-k8s with the real manifests of tests/data/manifests, and digest/ref linking."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[3]
MANIFESTS = REPO / "tests" / "data" / "manifests"
WORKLOAD_TEMPLATES = {
    "Pod": ("spec",), "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"), "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"), "PodTemplate": ("template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}  # fmt: skip


def _expected(files: list[Path]) -> set[tuple[str, str, str]]:
    """(kind, name, image) of every container, read with plain ruamel (no hullguard code)."""
    out = set()
    yaml = YAML(typ="safe")
    for file in files:
        for doc in yaml.load_all(file.read_text()):
            items = doc.get("items", [doc]) if isinstance(doc, dict) else []
            for obj in items:
                path = (
                    WORKLOAD_TEMPLATES.get(obj.get("kind", "")) if isinstance(obj, dict) else None
                )
                if path is None:
                    continue
                spec: Any = obj
                for part in path:
                    spec = (spec or {}).get(part)
                for group in ("initContainers", "containers", "ephemeralContainers"):
                    for c in (spec or {}).get(group) or []:
                        if c.get("image"):
                            out.add((obj["kind"], obj["metadata"]["name"], c["image"]))
    return out


def test_import_k8s_directory(run: Any, inventory_db: str) -> None:
    db = inventory_db
    res = run("inventory", "import-k8s", str(MANIFESTS), "--cluster", "c1", "--database", db,
              "-f", "json")  # fmt: skip
    assert res.code == 0, res.err
    records = json.loads(res.out)["deployments"]
    got = {(d["kind"], d["name"], d["image_ref"]) for d in records}
    files = sorted(p for p in MANIFESTS.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    assert got == _expected(files)
    again = run("inventory", "import-k8s", str(MANIFESTS), "--cluster", "c1", "--database", db)
    assert again.code == 0
    listed = json.loads(run("inventory", "deployments", "--database", db, "-f", "json").out)
    assert len(listed["deployments"]) == len(records)  # idempotent upserts


def test_import_links_pinned_digest_and_stored_ref(
    run: Any, tmp_path: Path, inventory_db: str, app_ref: str, alpine_sbom: Path
) -> None:
    db = ["--database", inventory_db]
    assert run("inventory", "add", app_ref, *db).code == 0
    images = json.loads(run("inventory", "images", *db, "-f", "json").out)["images"]
    digest = images[0]["digest"]
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop, namespace: prod}\n"
        "spec:\n  template:\n    spec:\n      containers:\n"
        f"      - {{name: pinned, image: 'registry.example.com/shop@{digest}'}}\n"
        f"      - {{name: byref, image: '{app_ref}'}}\n"
        "      - {name: alpine, image: 'alpine@sha256:"
        "b95359c2505145f16c6aa384f9cc74eeff78eb36d308ca4fd902eeeb0a0b161b'}\n"
        "      - {name: other, image: 'nginx:1.27'}\n"
    )
    res = run("inventory", "import-k8s", str(manifest), "--environment", "prod", *db, "-f", "json")
    assert res.code == 0, res.err
    links = {d["container"]: d["image"] for d in json.loads(res.out)["deployments"]}
    assert links["pinned"] == digest and links["byref"] == digest and links["other"] == ""
    assert links["alpine"] == ""
    # an SBOM added later links the deployment that named its reference
    assert run("inventory", "add", f"sbom:{alpine_sbom}", *db).code == 0
    listed = json.loads(run("inventory", "deployments", *db, "-f", "json").out)["deployments"]
    alpine = next(d for d in listed if d["container"] == "alpine")
    assert alpine["image"].startswith("sha256:6b7f97b2")
    hits = json.loads(run("inventory", "who-has", "npm:lodash", *db, "-f", "json").out)
    names = {d["container"] for d in hits["matches"][0]["deployments"]}
    assert names == {"pinned", "byref"}


def test_import_k8s_errors(run: Any, tmp_path: Path, inventory_db: str) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: [unclosed\n")
    db = ["--database", inventory_db]
    res = run("inventory", "import-k8s", str(broken), *db)
    assert res.code == 2 and "broken YAML" in res.err and len(res.err.splitlines()) == 1
    empty = tmp_path / "cm.yaml"
    empty.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    res = run("inventory", "import-k8s", str(empty), *db)
    assert res.code == 2 and "no workload" in res.err
    res = run("inventory", "import-k8s", str(tmp_path / "missing"), *db)
    assert res.code == 2
