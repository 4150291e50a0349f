"""rpm comparator against python3-rpm ``labelCompare`` on real RPM database versions."""

from __future__ import annotations

import itertools
import json
import random
import shutil
import subprocess
import tempfile
from functools import cmp_to_key
from pathlib import Path

import pytest

from hullguard.versions import InvalidVersion, rpm

_READ_DB = """
import json, sys
import rpm
rpm.addMacro("_dbpath", sys.argv[1])
ts = rpm.TransactionSet()
ts.setVSFlags(-1)
out = set()
for h in ts.dbMatch():
    out.add(h.format("%{EPOCH}:%{VERSION}-%{RELEASE}").replace("(none):", ""))
    for tag in ("PROVIDEVERSION", "REQUIREVERSION", "CONFLICTVERSION", "OBSOLETEVERSION"):
        out.update(v for v in (h[tag] or []) if v)
print(json.dumps(sorted(out)))
"""

EDGE = [
    "1.0~rc1-1",
    "1.0-1",
    "1.0^git1-1",
    "1.0^-1",
    "1.0~-1",
    "1.0^git1~pre-1",
    "1.0.0-1",
    "1:0.1-1",
    "0.1-1",
    "1.0a-1",
    "1.0.a-1",
    "1.0_1-1",
    "1.0-1.el9",
    "1.0-1.el9_2",
    "2.0-0.1.rc1.fc39",
    "2.0-1.fc39",
    "1.0",
    "1.0-",
    "1.0~",
    "1.0^",
    "1.0~~",
    "1.0~^",
    "10-1",
    "9-1",
    "010-1",
    "a-1",
    "A-1",
    "1.0-1~bootstrap",
    "1.0-1^1",
]


def _db_versions(fixtures: Path) -> list[str]:
    rpmdbs = fixtures / "go-rpmdb" / "pkg" / "testdata"
    versions: set[str] = set()
    for db in sorted(rpmdbs.rglob("*")):
        if db.name not in {"rpmdb.sqlite", "Packages.db", "Packages"}:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(db, Path(tmp) / db.name)
            out = subprocess.run(
                ["/usr/bin/python3", "-c", _READ_DB, tmp], capture_output=True, text=True
            )
            if out.returncode == 0:
                versions.update(json.loads(out.stdout))
    for csv in rpmdbs.glob("*/packages.csv"):
        for line in csv.read_text().splitlines():
            fields = line.split("\u00b6")
            if len(fields) > 3:
                versions.add(f"{fields[2]}-{fields[3]}")
    return sorted(versions)


def _triple(text: str) -> list[str | None]:
    epoch, rest = text.split(":", 1) if ":" in text else (None, text)
    version, sep, release = rest.rpartition("-")
    return [epoch, version, release] if sep else [epoch, rest, None]


def test_real_rpm_databases_yield_versions(rpm_oracle, fixtures_dir: Path) -> None:
    versions = _db_versions(fixtures_dir)
    assert len(versions) > 400, "the go-rpmdb fixtures should give hundreds of EVRs"


def test_differential_against_labelcompare(
    rpm_oracle, apt_versions: list[str], fixtures_dir: Path
) -> None:
    rng = random.Random(7)
    real = [v for v in _db_versions(fixtures_dir) if ":" not in v or v.split(":")[0].isdigit()]
    pool = real + rng.sample(apt_versions, 1500) + EDGE
    pool = [v for v in pool if _parses(v)]
    ordered = sorted(pool, key=cmp_to_key(rpm.COMPARATOR.compare))
    pairs = list(itertools.pairwise(ordered))
    pairs += [(rng.choice(pool), rng.choice(pool)) for _ in range(1500)]
    pairs += [(a, b) for a in EDGE for b in EDGE if _parses(a) and _parses(b)]
    expected = rpm_oracle([(_triple(a), _triple(b)) for a, b in pairs])
    ours = [rpm.COMPARATOR.compare(a, b) for a, b in pairs]
    wrong = [(p, o, e) for p, o, e in zip(pairs, ours, expected, strict=True) if o != e]
    assert not wrong, wrong[:20]
    assert len(pairs) > 4000


def _parses(version: str) -> bool:
    try:
        rpm.parse(version)
    except InvalidVersion:
        return False
    return True


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0~rc1-1", "1.0-1", -1),
        ("1.0^git1-1", "1.0-1", 1),
        ("1.0^git1-1", "1.0.1-1", -1),
        ("1:1.0-1", "2.0-1", 1),
        ("1.0-1", "1.0", 1),  # labelCompare: a missing release sorts first
        ("1.0a", "1.0.1", -1),
        ("1.0_1", "1.0.1", 0),
    ],
)
def test_hand_cases(a: str, b: str, expected: int) -> None:
    assert rpm.COMPARATOR.compare(a, b) == expected


@pytest.mark.parametrize("bad", ["", "-1", "1.0-", "x:1.0-1", "1.0 -1", "1.0-1 2", "1.é-1"])
def test_rejects_malformed(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        rpm.parse(bad)
