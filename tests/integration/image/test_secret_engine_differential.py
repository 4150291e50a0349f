"""The fast secret engine reports exactly what the plain engine reports, on real data.

Three engines over the same files: the default one (rule gates, hyperscan
keyword index, anchors, windows lowered on demand, RE2 path checks), the
Aho-Corasick index without gates, and the reference engine with every speed-up
switched off (``tests/unit/secrets/secret_reference.py``). Corpora: every file
of every layer of the real test image built by ``tools/imagebuild.py`` (a Debian
base, pip and npm packages, planted secrets added, replaced and deleted), every
file of ``shared/fixtures`` under its own relative path, and, when
``HULLGUARD_BENCH_IMAGE`` names its OCI layout, every file of the benchmark
image (``make bench`` builds it; ~1 minute, so not part of every run).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from hullguard.image.loader import open_image
from hullguard.model.image import FileRecord, Layer
from hullguard.scan.collect import WalkPlan, collect
from hullguard.secrets import HEAD_BYTES, SecretScanner
from hullguard.secrets.prefilter import PrefilterKind, available

REPO = Path(__file__).resolve().parents[3]
#: ``<repo>/../shared`` (CI); a worktree under ``<main>/../wt/`` finds it one level up
SHARED = next(
    (p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if p.is_dir()),
    REPO.parent / "shared",
)
sys.path.insert(0, str(REPO / "tests" / "unit" / "secrets"))

from secret_reference import reference_scanner  # noqa: E402

pytestmark = pytest.mark.integration


def _engines() -> list[SecretScanner]:
    return [
        SecretScanner(),
        SecretScanner(prefilter_kind=PrefilterKind.AHOCORASICK, gate=False),
        reference_scanner(),
    ]


def _results(files: Iterable[tuple[str, bytes]], engines: list[SecretScanner]) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in engines]
    for rel, data in files:
        for i, sc in enumerate(engines):
            if sc.wants(rel, len(data), data[:HEAD_BYTES]):
                out[i] += [f"scanned {rel}", *(repr(m) for m in sc.scan_bytes(rel, data))]
            else:
                out[i].append(f"skipped {rel}")
    return out


def test_hyperscan_is_the_default_index() -> None:
    assert available()[0] is PrefilterKind.HYPERSCAN


def _image_files(layout: Path) -> list[tuple[str, bytes]]:
    image = open_image(f"oci:{layout}:1.0")
    files: list[tuple[str, bytes]] = []

    def visit(_layer: Layer, record: FileRecord, data: bytes | None) -> None:
        if data is not None:
            files.append((record.path, data))

    collect(image, WalkPlan(visit=visit))  # every regular file of every layer
    return files


def test_same_findings_on_every_layer_of_the_real_image(app_oci: Path) -> None:
    fast, aho, ref = _results(_image_files(app_oci), _engines())
    assert fast == aho == ref
    scanned = sum(line.startswith("scanned ") for line in fast)
    assert scanned > 1000
    found = [line for line in fast if line.startswith("SecretMatch(")]
    assert any("aws-secret-access-key" in f and "/app/.env" in f for f in found)
    assert any("github-pat" in f and "/app/config.ini" in f for f in found)


def test_same_findings_on_shared_fixtures() -> None:
    root = SHARED / "fixtures"
    paths = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    files = ((p.relative_to(root).as_posix(), p.read_bytes()) for p in paths)
    fast, aho, ref = _results(files, _engines())
    assert fast == aho == ref
    assert sum(line.startswith("scanned ") for line in fast) > 300


@pytest.mark.skipif(
    not os.environ.get("HULLGUARD_BENCH_IMAGE"),
    reason="set HULLGUARD_BENCH_IMAGE to the benchmark image's OCI layout",
)
def test_same_findings_on_every_layer_of_the_bench_image() -> None:
    files = _image_files(Path(os.environ["HULLGUARD_BENCH_IMAGE"]))
    fast, aho, ref = _results(files, _engines())
    assert fast == aho == ref
    assert sum(line.startswith("scanned ") for line in fast) > 10_000
