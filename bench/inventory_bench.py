#!/usr/bin/env python3
"""Inventory benchmark: who-has / who-is-affected latency on a generated fleet.

The fleet is generated from real package sets: the catalogued test images
(tools/imagebuild.py: app-oci, debian-oci), the Syft SBOM of alpine from
../shared/fixtures, and real PyPI release versions taken from the OSV records in
../shared/vulndata. Each generated image is one template plus extra PyPI
packages, with versions varied across real releases, so version ranges and
advisories hit a realistic share of rows.

Default: 1,000 images (about 200,000 package rows). ``--full``: 10,000 images /
2,000,000 rows (issue 8's target; building it takes several minutes).

Backends: a SQLite file in the work directory (default); ``--database
postgresql://…`` an existing PostgreSQL database (filled when it holds no image);
``--pg-throwaway`` a throwaway local server started with tools/pgserver.py.

Usage: python bench/inventory_bench.py [--images N | --full] [--rows-per-image R]
                                       [--database URL | --pg-throwaway]
                                       [--rescan] [--keep DIR] [--record]

``--rescan`` times two full rescans: the first (every finding new on a fleet
built without findings), then a steady-state one; with peak RSS and load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = (
    REPO.parent / "shared" if (REPO.parent / "shared").is_dir() else REPO.parent.parent / "shared"
)
sys.path.insert(0, str(REPO / "tools"))

import imagebuild  # noqa: E402

from hullguard.cache import AnalysisCache  # noqa: E402
from hullguard.catalog.sbom_input import read_sbom  # noqa: E402
from hullguard.image.loader import OpenOptions, open_image  # noqa: E402
from hullguard.inventory import InventoryStore, open_inventory  # noqa: E402
from hullguard.inventory.affected import who_is_affected  # noqa: E402
from hullguard.inventory.dialect import DatabaseTarget, Engine, parse_target  # noqa: E402
from hullguard.inventory.fleet import who_has  # noqa: E402
from hullguard.inventory.query import parse_query  # noqa: E402
from hullguard.model.package import OSInfo, Package, PackageType, Purl  # noqa: E402
from hullguard.scan.image_sbom import catalog_image  # noqa: E402
from hullguard.vulndb import SourceInput, build_database, open_db  # noqa: E402

ALPINE_SBOM = (
    SHARED / "fixtures/syft/syft/pkg/cataloger/sbom/testdata/alpine/syft-json/sbom.syft.json"
)
PYPI = SHARED / "vulndata/osv/pypi/vulns"
_VERSIONS = re.compile(r"^versions:\n((?:- .+\n)+)", re.M)
_VERSIONS_INDENTED = re.compile(r"^  versions:\n((?:  - .+\n)+)", re.M)

WHO_HAS = ["pypi:requests<2.31", "openssl<3.0.7", "npm:lodash@<4.17.21", "libc6",
           "pypi:django>=2.0,<3", "apk:busybox<1.36", "pkg:pypi/jinja2@2.10"]  # fmt: skip
WHO_IS_AFFECTED = ["CVE-2018-18074", "PYSEC-2019-16", "GHSA-x84v-xcm2-53pg", "NSWG-ECO-368"]


def templates(cache_dir: Path) -> list[tuple[OSInfo | None, list[Package]]]:
    """Real package sets: the two test images and the alpine SBOM."""
    out: list[tuple[OSInfo | None, list[Package]]] = []
    for layout, tag in ((imagebuild.app_oci(), "1.0"), (imagebuild.debian_oci(), "base")):
        image = open_image(f"oci:{layout}:{tag}", OpenOptions())
        result = catalog_image(image, AnalysisCache(cache_dir))
        out.append((result.os_info, list(result.packages)))
    sbom = read_sbom(ALPINE_SBOM.read_bytes())
    out.append((sbom.os_info, list(sbom.packages)))
    return out


def pypi_pool(limit: int = 3000) -> list[tuple[str, list[str]]]:
    """(name, real release versions) from the OSV records (one record per package)."""
    pool = []
    for folder in sorted(PYPI.iterdir())[:limit]:
        for record in sorted(folder.glob("*.yaml"))[:1]:
            text = record.read_text(errors="replace")
            m = _VERSIONS_INDENTED.search(text) or _VERSIONS.search(text)
            if m:
                versions = [
                    v.strip().lstrip("-").strip().strip("'\"") for v in m.group(1).splitlines()
                ]
                pool.append((folder.name, [v for v in versions if v][:40]))
    return pool


def _vary(version: str, rng: random.Random) -> str:
    """Another plausible version of the same line: bump or lower the last number."""
    parts = re.split(r"(\d+)", version)
    idx = [i for i, p in enumerate(parts) if p.isdigit()]
    if not idx:
        return version
    i = idx[-1] if len(idx) < 3 else rng.choice(idx[-2:])
    parts[i] = str(max(0, int(parts[i]) + rng.randint(-3, 3)))
    return "".join(parts)


def generate(count: int, per_image: int, tpl: list[Any], pool: list[Any], seed: int = 8) -> Any:
    rng = random.Random(seed)
    for n in range(count):
        os_info, base = tpl[n % len(tpl)]
        packages = [
            replace(p, version=_vary(p.version, rng)) if p.type is not PackageType.DEB
            and rng.random() < 0.3 else p
            for p in base
        ]  # fmt: skip
        for name, versions in rng.sample(pool, max(0, per_image - len(packages))):
            version = rng.choice(versions)
            packages.append(Package(name, version, PackageType.PYTHON,
                                    Purl(f"pkg:pypi/{name}@{version}")))  # fmt: skip
        digest = f"sha256:{n:064x}"
        yield digest, [f"registry.example.com/team{n % 50}/svc{n}:{n % 7}"], os_info, packages


def build(
    target: DatabaseTarget, count: int, per_image: int, tpl: Any, pool: Any
) -> tuple[int, float]:
    start = time.perf_counter()
    rows = 0
    with open_inventory(target) as store:
        batch = 250
        items = generate(count, per_image, tpl, pool)
        done = False
        while not done:
            with store.transaction():
                for _ in range(batch):
                    item = next(items, None)
                    if item is None:
                        done = True
                        break
                    digest, refs, os_info, packages = item
                    store.put_image(digest, "image", refs, os_info, packages, "bench")
                    rows += len(packages)
        store.conn.execute("ANALYZE")
    return rows, time.perf_counter() - start


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--full", action="store_true", help="10,000 images / 2,000,000 rows")
    parser.add_argument("--rows-per-image", type=int, default=200)
    parser.add_argument("--rescan", action="store_true", help="also time a full rescan")
    parser.add_argument("--keep", type=Path, help="build the inventory in this directory")
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument("--database", help="postgresql://… inventory (filled when empty)")
    parser.add_argument(
        "--pg-throwaway",
        action="store_true",
        help="start a throwaway PostgreSQL (tools/pgserver.py) for the run",
    )
    args = parser.parse_args(argv)
    server = None
    if args.pg_throwaway:
        import pgserver

        server = pgserver.PgServer.start()
        args.database = server.url
    try:
        return run(args)
    finally:
        if server is not None:
            server.stop()


def _size(store: InventoryStore, target: DatabaseTarget) -> str:
    if target.path is not None:
        return f"{target.path.stat().st_size / 2**20:.0f} MiB"
    size = store.conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return f"{size / 2**20:.0f} MiB"


def _is_empty(target: DatabaseTarget) -> bool:
    if target.path is not None:
        return not target.path.exists()
    with open_inventory(target) as store:
        return int(store.conn.execute("SELECT COUNT(*) FROM images").fetchone()[0]) == 0


def _rescans(store: InventoryStore, db: Any) -> list[tuple[str, str, str]]:
    """A rescan, then a second one (steady state: nothing new); time, changes, peak RSS."""
    from hullguard.inventory.rescan import rescan

    out = []
    for label in ("rescan (all images)", "rescan again (steady state)"):
        start = time.perf_counter()
        report = rescan(store, db, "bench")
        seconds = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out.append((label, f"{seconds * 1000:.0f}",
                    f"{report.findings} findings, {len(report.new)} new, "
                    f"{len(report.resolved)} resolved; peak RSS {rss:.0f} MB, "
                    f"load {os.getloadavg()[0]:.1f}"))  # fmt: skip
        del report
    return out


def run(args: argparse.Namespace) -> int:
    count = 10_000 if args.full else args.images
    work = args.keep or Path(tempfile.mkdtemp(prefix="hg-inv-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    vuln_db = work / "vuln.db"
    if not vuln_db.exists():
        sources = [SourceInput(n, SHARED / "vulndata" / p) for n, p in
                   (("pypi", "osv/pypi"), ("go", "osv/go"), ("npm", "npm"))]  # fmt: skip
        build_database(vuln_db, sources, now=dt.datetime.now(dt.UTC))
    target = (
        parse_target(args.database)
        if args.database
        else DatabaseTarget.sqlite(work / "inventory.db")
    )
    lines = []
    if _is_empty(target):
        tpl, pool = templates(work / "cache"), pypi_pool()
        rows, seconds = build(target, count, args.rows_per_image, tpl, pool)
        lines.append(f"built {count} images / {rows} package rows in {seconds:.1f} s")
    with open_inventory(target) as store, open_db(vuln_db) as db:
        total = store.conn.execute("SELECT COUNT(*) FROM packages").fetchone()[0]
        images = store.conn.execute("SELECT COUNT(*) FROM images").fetchone()[0]
        lines.append(f"inventory ({target.engine}): {images} images, {total} package rows "
                     f"({_size(store, target)})")  # fmt: skip
        results = [("query", "best of 5 (ms)", "result")]
        for spec in WHO_HAS:
            seconds, result = timed(lambda spec=spec: who_has(store, parse_query(spec)))
            results.append((f"who-has {spec}", f"{seconds * 1000:.0f}", f"{len(result.hits)} rows"))
        for vid in WHO_IS_AFFECTED:
            try:
                seconds, result = timed(lambda vid=vid: who_is_affected(store, db, vid), 3)
            except Exception as exc:  # an id missing from this data set
                results.append((f"who-is-affected {vid}", "-", str(exc)[:40]))
                continue
            results.append((f"who-is-affected {vid}", f"{seconds * 1000:.0f}",
                            f"{len(result.images)} images"))  # fmt: skip
        if args.rescan:
            results += _rescans(store, db)
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in results[:1]) + "\n|---|---|---|\n"
    table += "\n".join(f"| {a} | {b} | {c} |" for a, b, c in results[1:])
    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    text = "\n".join(lines) + f"\n\n{table}\n"
    print(text)
    print(f"(work dir: {work}; {machine})")
    if args.record:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        with (REPO / "bench" / "RESULTS.md").open("a") as fh:
            engine = "PostgreSQL" if target.engine is Engine.POSTGRESQL else "SQLite"
            fh.write(f"\n### {stamp} — inventory ({engine})\n\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
