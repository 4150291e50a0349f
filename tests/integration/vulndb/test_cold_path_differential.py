"""Cold path (indexed prefetch of the needed keys) vs the whole-namespace path.

A fresh :class:`VulnDB` reads only the ``(namespace, name)`` keys a scan needs;
``VulnDB.preload`` (and the pre-issue-4 code) loads whole namespaces. Both must
give identical reports on real inputs: the local Debian 12 host's dpkg status,
the real Alpine apk database of syft's ``multiple-2``, and the 5,000-package
benchmark set (bench/vuln_bench.py) drawn from every namespace in the data.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import random
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from hullguard.catalog.apk import ApkCataloger
from hullguard.catalog.dpkg import DpkgCataloger
from hullguard.match import VulnOptions, scan_packages
from hullguard.match.matcher import match_package, match_packages, precompile
from hullguard.model.package import OSInfo, Package
from hullguard.vulndb import open_db

OPTIONS = VulnOptions(today=date(2026, 1, 1))
DEBIAN = OSInfo("debian", "12", "bookworm")
ALPINE = OSInfo("alpine", "3.16.2")
NAMESPACES = ("debian:12", "alpine:3.16", "PyPI", "Go", "npm")


def _report(db_path: Path, packages: Sequence[Package], os_info: OSInfo, preload: bool) -> Any:
    with open_db(db_path) as db:
        if preload:
            db.preload(NAMESPACES, compile_with=precompile)
        report = scan_packages(packages, os_info, db, OPTIONS, target="t")
        assert preload or not db._entries, "the cold path must not load whole namespaces"
    return dataclasses.asdict(report)


def _assert_same(db_path: Path, packages: Sequence[Package], os_info: OSInfo) -> Any:
    cold = _report(db_path, packages, os_info, preload=False)
    warm = _report(db_path, packages, os_info, preload=True)
    assert cold == warm
    return cold


def test_local_debian12_host(full_db_path: Path, fixtures_dir: Path) -> None:
    status = fixtures_dir / "local-debian12-host/var/lib/dpkg/status"
    packages = DpkgCataloger().catalog({"/var/lib/dpkg/status": status.read_bytes()}, DEBIAN)
    report = _assert_same(full_db_path, packages, DEBIAN)
    # a 2026 host against 2023 OVAL data: every issue known then is fixed in its versions
    assert len(packages) > 700 and report["findings"] == ()
    assert report["package_count"] == len(packages)


def test_alpine_multiple_2(full_db_path: Path, fixtures_dir: Path) -> None:
    installed = (
        fixtures_dir / "syft/syft/pkg/cataloger/alpine/testdata/multiple-2/lib/apk/db/installed"
    )
    packages = ApkCataloger().catalog({"/lib/apk/db/installed": installed.read_bytes()}, ALPINE)
    report = _assert_same(full_db_path, packages, ALPINE)
    assert any(f["lookup_name"] == "openssl" for f in report["findings"])


def _bench_module() -> Any:
    path = Path(__file__).resolve().parents[3] / "bench" / "vuln_bench.py"
    spec = importlib.util.spec_from_file_location("vuln_bench_for_tests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_bench_5000_packages(full_db_path: Path) -> None:
    packages = _bench_module().make_packages(full_db_path, 5000, random.Random(4))
    report = _assert_same(full_db_path, packages, DEBIAN)
    assert len(report["findings"]) > 1000


def test_batched_equals_one_package_at_a_time(full_db_path: Path) -> None:
    """``match_packages`` batches look-ups; ``match_package`` per package must agree."""
    every = _bench_module().make_packages(full_db_path, 5000, random.Random(4))
    packages = random.Random(7).sample(every, 1200)
    with open_db(full_db_path) as db:
        batched, _ = match_packages(packages, DEBIAN, db)
    with open_db(full_db_path) as db:
        single = [f for p in packages for f in match_package(p, DEBIAN, db)[0]]
    assert len(batched) > 100
    assert sorted(single, key=lambda f: f.sort_key()) == batched
