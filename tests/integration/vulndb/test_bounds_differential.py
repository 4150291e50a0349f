"""Pre-compiled bounds (schemas 2 and 3) against the comparators, on every version in the data.

The import stores each ``affected`` entry's bounds as portable keys
(:mod:`hullguard.versions.portable`); a scan then compares lists instead of
parsing. Three properties, on all of ``../shared/vulndata`` plus real installed
package sets (the local Debian 12 host, syft's Alpine ``multiple-2``, the
5,000-package bench set):

* key order: for every parser that has portable keys, the portable key orders
  every version in the data exactly as the comparator's key does (sorted
  neighbours and random pairs), and survives a JSON round trip; Debian's is
  also checked against ``dpkg --compare-versions`` itself, PEP 440's against
  ``packaging.version.Version``;
* verdicts: every stored bounds text gives the same ``affects`` answer (or the
  same :class:`InvalidVersion`) as compiling the ``affected`` JSON at match time,
  and so do the plain-bounds columns SQLite checks (schema 3) where they decide;
* reports: scans with the bounds and stored checks and with them stripped (runtime
  compile, runtime sorting of fixed versions, every entry evaluated in Python:
  the schema-1 path) are identical.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import shutil
import sqlite3
import subprocess
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from hullguard.catalog.apk import ApkCataloger
from hullguard.catalog.dpkg import DpkgCataloger
from hullguard.match import VulnOptions, scan_packages
from hullguard.match.keys import lookup_key
from hullguard.model.package import OSInfo, Package
from hullguard.versions import InvalidVersion, VersionScheme
from hullguard.versions.interface import sign
from hullguard.versions.osv import RangeType, _parser, compile_affected
from hullguard.versions.osv_bounds import _portable, load_bounds, portable_key
from hullguard.versions.portable import dpkg_sortable, sortable
from hullguard.vulndb import open_db
from hullguard.vulndb.namespaces import scheme_for_namespace

DEBIAN = OSInfo("debian", "12", "bookworm")
ALPINE = OSInfo("alpine", "3.16.2")
OPTIONS = VulnOptions(today=date(2026, 1, 1))
CODES = {"E": RangeType.ECOSYSTEM, "S": RangeType.SEMVER}
Parser = Callable[[str], Any]


def _installed(fixtures_dir: Path, bench: Any, db_path: Path) -> dict[str, list[Package]]:
    status = fixtures_dir / "local-debian12-host/var/lib/dpkg/status"
    apk = fixtures_dir / "syft/syft/pkg/cataloger/alpine/testdata/multiple-2/lib/apk/db/installed"
    return {
        "debian": DpkgCataloger().catalog({"/var/lib/dpkg/status": status.read_bytes()}, DEBIAN),
        "alpine": ApkCataloger().catalog({"/lib/apk/db/installed": apk.read_bytes()}, ALPINE),
        "bench": bench.make_packages(db_path, 5000, random.Random(4)),
    }


@pytest.fixture(scope="module")
def versions_by_parser(
    full_db_path: Path, fixtures_dir: Path, bench_module: Any
) -> dict[tuple[str, VersionScheme], set[str]]:
    """Every version string in the database (and installed sets), per range parser."""
    found: dict[tuple[str, VersionScheme], set[str]] = defaultdict(set)
    conn = sqlite3.connect(full_db_path)
    for namespace, fixed, affected in conn.execute(
        "SELECT DISTINCT namespace, fixed, affected FROM affected"
    ):
        scheme = scheme_for_namespace(namespace)
        found[("E", scheme)].update(json.loads(fixed))
        value = json.loads(affected)
        found[("E", scheme)].update(str(v) for v in value.get("versions") or ())
        for rng in value.get("ranges") or ():
            code = {"ECOSYSTEM": "E", "SEMVER": "S"}.get(str(rng.get("type")))
            for event in (rng.get("events") or []) if code else []:
                found[(code, scheme)].update(str(v) for v in event.values())
    conn.close()
    sets = _installed(fixtures_dir, bench_module, full_db_path)
    for name, os_info in (("debian", DEBIAN), ("alpine", ALPINE), ("bench", DEBIAN)):
        for p in sets[name]:
            key = lookup_key(p, os_info)
            if key is not None:
                found[("E", scheme_for_namespace(key.namespace))].add(key.version)
                found[("S", scheme_for_namespace(key.namespace))].add(key.version)
    return found


def _valid(versions: set[str], parse: Parser) -> list[str]:
    out = []
    for v in sorted(versions):
        try:
            parse(v)
        except InvalidVersion:
            continue
        out.append(v)
    return out


def _portable_or_none(code: str, scheme: VersionScheme) -> Parser | None:
    try:
        return _portable(code, scheme)
    except InvalidVersion:
        return None


def test_portable_keys_order_every_version_like_the_comparator(
    versions_by_parser: dict[tuple[str, VersionScheme], set[str]],
) -> None:
    rng = random.Random(4)
    checked: dict[str, int] = {}
    for (code, scheme), versions in sorted(versions_by_parser.items()):
        portable = _portable_or_none(code, scheme)
        if portable is None:
            continue
        parse = _parser(CODES[code], scheme)
        valid = _valid(versions, parse)
        ordered = sorted(valid, key=parse)
        pairs = list(itertools.pairwise(ordered))
        pairs += [(rng.choice(valid), rng.choice(valid)) for _ in range(3000)] if valid else []
        wrong = [
            (a, b) for a, b in pairs if sign(parse(a), parse(b)) != sign(portable(a), portable(b))
        ]
        assert not wrong, (code, scheme, wrong[:10])
        assert all(json.loads(json.dumps(portable(v))) == portable(v) for v in valid)
        if (code, scheme) == ("E", VersionScheme.DPKG):  # unrolled encoder = generic one
            assert all(dpkg_sortable(parse(v)) == sortable(parse(v)) for v in valid)
        checked[f"{code}:{scheme}"] = len(valid)
    # the data covers each scheme with portable keys, many versions each
    # every scheme with portable keys that the data uses, with many versions each
    # (npm's feed here is the legacy one, whose ranges stay npm syntax)
    assert checked["E:dpkg"] > 9000 and checked["E:apk"] > 4000, checked
    assert checked["E:pep440"] > 12000 and checked["S:golang"] > 3000, checked
    assert checked["S:dpkg"] > 1000 and checked["S:pep440"] > 300, checked


def test_pep440_keys_agree_with_packaging(
    versions_by_parser: dict[tuple[str, VersionScheme], set[str]],
) -> None:
    portable = _portable("E", VersionScheme.PEP440)
    valid = _valid(versions_by_parser[("E", VersionScheme.PEP440)], portable)
    extra = ["1.0.dev1", "1.0a1.dev2", "1.0.post1.dev3", "1.0+ubuntu.1", "1.0+1.a", "1!0.1"]
    ordered = sorted([*valid, *extra], key=portable)
    for a, b in itertools.pairwise(ordered):
        assert Version(a) <= Version(b), (a, b)
        assert (Version(a) == Version(b)) == (portable(a) == portable(b)), (a, b)


def test_dpkg_keys_agree_with_dpkg_itself(
    versions_by_parser: dict[tuple[str, VersionScheme], set[str]],
) -> None:
    if shutil.which("dpkg") is None:
        pytest.fail("dpkg missing: apt-get install dpkg", pytrace=False)
    portable = _portable("E", VersionScheme.DPKG)
    valid = _valid(versions_by_parser[("E", VersionScheme.DPKG)], portable)
    sample = sorted(random.Random(5).sample(valid, 700), key=portable)
    pairs = list(itertools.pairwise(sample))
    loop = (
        'while IFS="\t" read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; '
        'elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done'
    )
    out = subprocess.run(
        ["bash", "-c", loop],
        input="".join(f"{a}\t{b}\n" for a, b in pairs),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout.split()
    ours = [sign(portable(a), portable(b)) for a, b in pairs]
    assert ours == [int(x) for x in out]


def _verdict(compiled: Any, version: str) -> object:
    try:
        return bool(compiled.affects(version))
    except InvalidVersion as exc:
        return ("invalid", exc.version)


def _column_verdict(plain: tuple[str, str, str, str | None], scheme: Any, version: str) -> object:
    """What the candidates query decides from the schema-3 columns (None: left to Python)."""
    span, listed, low, high = plain
    if f"\n{version}\n" in listed:
        return True
    if span == "V":
        return False
    key = portable_key(span, scheme, version)
    if key is None:
        return None
    return low <= key and (high is None or key < high)


def test_stored_bounds_give_the_runtime_verdicts(full_db_path: Path) -> None:
    conn = sqlite3.connect(full_db_path)
    rows = conn.execute(
        "SELECT DISTINCT namespace, affected, bounds, span, listed, low, high FROM affected "
        "WHERE bounds != ''"
    ).fetchall()
    conn.close()
    by_namespace: dict[str, list[str]] = defaultdict(list)
    for namespace, affected, *_ in rows:
        value = json.loads(affected)
        by_namespace[namespace] += [str(v) for r in value.get("ranges") or ()
                                    for e in r.get("events") or () for v in e.values()]  # fmt: skip
    rng = random.Random(6)
    compared = decided = 0
    for namespace, affected, bounds, span, *plain in rows:
        scheme = scheme_for_namespace(namespace)
        value = json.loads(affected)
        own = {str(v) for r in value.get("ranges") or () for e in r.get("events") or ()
               for v in e.values()} | {str(v) for v in value.get("versions") or ()}  # fmt: skip
        pool = by_namespace[namespace]
        probes = own | {rng.choice(pool) for _ in range(4)} | {"0", "1.0", "v1.0.0", "bad version"}
        stored, runtime = load_bounds(bounds, scheme), compile_affected(value, scheme)
        for version in sorted(probes):
            expected = _verdict(runtime, version)
            assert _verdict(stored, version) == expected, (bounds, version)
            compared += 1
            column = _column_verdict((span, *plain), scheme, version) if span else None
            if column is not None:
                assert column == expected, (bounds, version)
                decided += 1
    assert len(rows) > 15000 and compared > 100000 and decided > 0.6 * compared


def _strip_bounds(db: Any) -> None:
    """Make a handle behave like a schema-1 database: compile and sort at match time."""
    decode = db._decode.entry
    db.candidates = lambda wanted: None  # no checks in SQLite: every entry read and compiled

    def entry(namespace: str, row: tuple[Any, ...]) -> Any:
        plain = decode(namespace, (*row[:7], ""))
        return dataclasses.replace(plain, affected=dict(plain.affected), fixed_sorted=False)

    db._decode.entry = entry


def _report(db_path: Path, packages: list[Package], os_info: OSInfo, strip: bool) -> Any:
    with open_db(db_path) as db:
        if strip:
            _strip_bounds(db)
        return dataclasses.asdict(scan_packages(packages, os_info, db, OPTIONS, target="t"))


def test_reports_equal_with_and_without_stored_bounds(
    full_db_path: Path, fixtures_dir: Path, bench_module: Any
) -> None:
    sets = _installed(fixtures_dir, bench_module, full_db_path)
    for name, os_info in (("debian", DEBIAN), ("alpine", ALPINE), ("bench", DEBIAN)):
        stored = _report(full_db_path, sets[name], os_info, strip=False)
        runtime = _report(full_db_path, sets[name], os_info, strip=True)
        assert stored == runtime, name
    assert len(stored["findings"]) > 1000
