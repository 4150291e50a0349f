"""Vulnerability benchmark: import everything in ../shared/vulndata, then match 5,000 packages.

Packages are generated from real package names in the data (Debian bookworm
source packages, PyPI, Go modules, npm) with versions drawn from the data's own
fixed/listed versions (so many are affected and many are not), seeded for
repeatability. Prints one line per measurement:

* cold: a fresh ``python`` process (what ``hullguard scan`` is) opens the DB and
  matches; timed from ``open_db`` to the report (packages are generated before
  the clock starts), plus the child's whole wall time including interpreter
  start and imports;
* warm: the same handle again (lazy caches filled), and after ``preload``.

The database must have the current schema (3: plain bounds, best source and titles stored
at import); ``--db`` pointing at an older file fails with the "rebuild" error.

    PYTHONPATH=src python bench/vuln_bench.py [--db PATH] [--packages 5000]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from hullguard.match import VulnOptions, scan_packages
from hullguard.model.package import OSInfo, Package, PackageType, Purl
from hullguard.vulndb.store import open_db  # the builder is imported only to build

REPO = Path(__file__).resolve().parents[1]
SHARED = next(
    p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if (p / "vulndata").is_dir()
)
SHARES = {"debian:12": 0.5, "PyPI": 0.2, "Go": 0.2, "npm": 0.1}
TYPES = {"debian:12": PackageType.DEB, "PyPI": PackageType.PYTHON, "Go": PackageType.GOLANG,
         "npm": PackageType.NPM}  # fmt: skip


def _candidates(db_path: Path, namespace: str) -> dict[str, list[str]]:
    import json

    conn = sqlite3.connect(db_path)
    out: dict[str, list[str]] = {}
    for name, fixed, affected in conn.execute(
        "SELECT name, fixed, affected FROM affected WHERE namespace = ?", (namespace,)
    ):
        ranges = (">", "<", "^", "~", "=", "*")
        versions = [v for v in json.loads(fixed) if v and " " not in v and not v.startswith(ranges)]
        versions += (json.loads(affected).get("versions") or [])[:20]
        if versions:
            out.setdefault(name, []).extend(versions)
    conn.close()
    return out


def make_packages(db_path: Path, total: int, rng: random.Random) -> list[Package]:
    packages: list[Package] = []
    for namespace, share in SHARES.items():
        pool = _candidates(db_path, namespace)
        names = sorted(pool)
        for i in range(int(total * share)):
            name = names[i % len(names)]
            version = rng.choice(pool[name])
            ptype = TYPES[namespace]
            version = version if ptype is not PackageType.GOLANG else f"v{version.lstrip('v')}"
            packages.append(
                Package(
                    f"{name}-bin{i}" if ptype is PackageType.DEB else name,
                    version,
                    ptype,
                    Purl(f"pkg:{ptype.value}/{name}@{version}"),
                    source_name=name if ptype is PackageType.DEB else "",
                    source_version=version if ptype is PackageType.DEB else "",
                )
            )
    return packages


OS_INFO = OSInfo("debian", "12", "bookworm")
OPTIONS = VulnOptions(today=date(2026, 1, 1))


def host_packages() -> list[Package]:
    """The real dpkg status of ``../shared/fixtures/local-debian12-host`` (730 packages)."""
    from hullguard.catalog.dpkg import DpkgCataloger

    status = SHARED / "fixtures/local-debian12-host/var/lib/dpkg/status"
    return DpkgCataloger().catalog({"/var/lib/dpkg/status": status.read_bytes()}, OS_INFO)


def cold_child(db_path: Path, total: int) -> None:
    """Run in a fresh process: print ``cpu wall findings`` of open + match."""
    packages = host_packages() if total == 0 else make_packages(db_path, total, random.Random(4))
    wall, cpu = time.perf_counter(), time.process_time()
    with open_db(db_path) as db:
        report = scan_packages(packages, OS_INFO, db, OPTIONS)
    print(time.process_time() - cpu, time.perf_counter() - wall, len(report.findings))


def cold_runs(db_path: Path, total: int, runs: int = 5) -> None:
    walls, cpus, whole = [], [], []
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--db", str(db_path), "--packages", str(total),
             "--cold-child"],
            check=True, capture_output=True, text=True, env=env,
        ).stdout.split()  # fmt: skip
        whole.append(time.perf_counter() - start)
        cpus.append(float(out[0]))
        walls.append(float(out[1]))
    what = "the local-debian12-host dpkg status" if total == 0 else f"{total} packages"
    print(f"cold, fresh process ({runs} runs): open DB + match {what}: "
          f"min {min(walls):.3f} s, median {statistics.median(walls):.3f} s wall "
          f"(cpu min {min(cpus):.3f} s) -> {out[2]} findings; whole process incl. "
          f"interpreter start + imports: min {min(whole):.3f} s; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--packages", type=int, default=5000)
    parser.add_argument("--cold-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        cold_child(args.db, args.packages)
        return
    db_path = args.db or Path(tempfile.mkdtemp()) / "vuln.db"
    if args.db is None or not db_path.exists():
        from hullguard.vulndb import SourceInput, build_database

        start = time.perf_counter()
        results = build_database(db_path, [SourceInput("vulndata", SHARED / "vulndata")],
                                 now=datetime.now(UTC))  # fmt: skip
        elapsed = time.perf_counter() - start
        records = sum(r.records for r in results)
        entries = sum(r.entries for r in results)
        print(f"import: {elapsed:.2f} s ({records} records, {entries} package entries, "
              f"{db_path.stat().st_size / 1e6:.1f} MB)")  # fmt: skip
    cold_runs(db_path, args.packages)
    cold_runs(db_path, 0)
    packages = make_packages(db_path, args.packages, random.Random(4))
    options, os_info = OPTIONS, OS_INFO
    with open_db(db_path) as db:
        scan_packages(packages, os_info, db, options)
        start = time.perf_counter()
        report = scan_packages(packages, os_info, db, options)
        print(f"warm, same handle (no preload), second scan of {len(packages)} packages: "
              f"{time.perf_counter() - start:.3f} s")  # fmt: skip
        start = time.perf_counter()
        db.preload(SHARES)
        print(f"load indexes + advisories ({', '.join(SHARES)}): "
              f"{time.perf_counter() - start:.3f} s")  # fmt: skip
    from hullguard.match.matcher import precompile

    with open_db(db_path) as db:
        start = time.perf_counter()
        db.preload(SHARES, compile_with=precompile)
        gc.freeze()  # the preloaded index is long-lived: keep it out of GC passes
        print(f"fresh DB handle: preload + compile every entry of {', '.join(SHARES)}: "
              f"{time.perf_counter() - start:.3f} s")  # fmt: skip
        times = []
        for _ in range(7):
            start = time.perf_counter()
            report = scan_packages(packages, os_info, db, options)
            times.append(time.perf_counter() - start)
        print(f"match {len(packages)} packages (preloaded, 7 runs): min {min(times):.3f} s, "
              f"median {statistics.median(times):.3f} s -> {len(report.findings)} findings, "
              f"{len(report.skipped)} skipped; load average {os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
