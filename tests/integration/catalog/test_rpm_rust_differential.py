"""rpm databases vs python3-rpm (Debian's rpm library), and cargo-auditable ELF sections.

python3-rpm (``/usr/bin/python3``, apt ``python3-rpm``) reads copies of go-rpmdb's real
SQLite and Berkeley DB databases; hullguard's pure-Python reader must list the same
packages. (Debian's rpm has no NDB backend; the NDB database is checked against its
``rpm -qa`` list in tests/unit/catalog/test_rpm.py.)

No cargo-auditable binary is in shared/, so binutils' ``objcopy`` adds a real
``.dep-v0`` section (zlib JSON in cargo-auditable's schema, listing the crates of
Syft's rust ``image-audit/Cargo.lock``) to a copy of a system ELF executable.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
import zlib
from pathlib import Path

import pytest

from hullguard.catalog.rpm import RpmCataloger
from hullguard.catalog.rust import RustAuditableCataloger

pytestmark = pytest.mark.integration
SYSTEM_PYTHON = Path("/usr/bin/python3")

RPM_SCRIPT = r"""
import json, sys, rpm
rpm.addMacro("_dbpath", sys.argv[1])
rpm.addMacro("_db_backend", sys.argv[2])
ts = rpm.TransactionSet()
ts.setVSFlags(-1)
rows = []
for h in ts.dbMatch():
    if h[rpm.RPMTAG_NAME] == "gpg-pubkey":
        continue
    rows.append([h[rpm.RPMTAG_NAME], h[rpm.RPMTAG_EPOCH], h[rpm.RPMTAG_VERSION],
                 h[rpm.RPMTAG_RELEASE], h[rpm.RPMTAG_ARCH] or "", h[rpm.RPMTAG_SOURCERPM] or "",
                 h[rpm.RPMTAG_LICENSE] or "", sorted(h[rpm.RPMTAG_FILENAMES] or [])])
json.dump(rows, sys.stdout)
"""


def _has_python3_rpm() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    probe = subprocess.run([str(SYSTEM_PYTHON), "-c", "import rpm"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _has_python3_rpm(), reason="python3-rpm (apt) is not installed")
@pytest.mark.parametrize(
    ("fixture", "backend"),
    [
        ("amazonlinux2023-plain/rpmdb.sqlite", "sqlite"),
        ("cbl-mariner-2.0/rpmdb.sqlite", "sqlite"),
        ("libuuid/Packages", "bdb_ro"),
    ],
)
def test_matches_python3_rpm(
    rpmdb_testdata: Path, tmp_path: Path, fixture: str, backend: str
) -> None:
    source = rpmdb_testdata / fixture
    shutil.copy(source, tmp_path / source.name)
    proc = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", RPM_SCRIPT, str(tmp_path), backend],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = {
        (n, e, v, r, a, s, lic, tuple(files))
        for n, e, v, r, a, s, lic, files in json.loads(proc.stdout)
    }
    pkgs = RpmCataloger().catalog({f"/var/lib/rpm/{source.name}": source.read_bytes()}, None)
    actual = set()
    for p in pkgs:
        epoch, _, rest = p.version.rpartition(":")
        version, _, release = rest.rpartition("-")
        actual.add(
            (
                p.name,
                int(epoch) if epoch else None,
                version,
                release,
                p.architecture,
                p.meta("sourceRpm"),
                p.licenses[0] if p.licenses else "",
                p.owned_files,
            )
        )
    assert len(expected) > 0
    assert actual == expected


@pytest.mark.skipif(shutil.which("objcopy") is None, reason="binutils is not installed")
def test_cargo_auditable_section(syft_catalogers: Path, tmp_path: Path) -> None:
    lock = tomllib.loads((syft_catalogers / "rust/testdata/image-audit/Cargo.lock").read_text())
    crates = [
        {
            "name": pkg["name"],
            "version": pkg["version"],
            "source": "crates.io" if "source" in pkg else "local",
            **({"root": True} if pkg["name"] == "hello_world" else {}),
        }
        for pkg in lock["package"]
    ]
    crates.append({"name": "cc", "version": "1.0.83", "source": "crates.io", "kind": "build"})
    section = tmp_path / "dep-v0"
    section.write_bytes(zlib.compress(json.dumps({"packages": crates}).encode()))
    binary = tmp_path / "hello_world"
    shutil.copy("/bin/true", binary)
    subprocess.run(["objcopy", "--add-section", f".dep-v0={section}", str(binary)], check=True)
    cataloger = RustAuditableCataloger()
    data = binary.read_bytes()
    assert cataloger.sniff(data[:4])
    pkgs = cataloger.catalog({"/usr/local/bin/hello_world": data}, None)
    assert sorted((p.name, p.version) for p in pkgs) == sorted(
        (p["name"], p["version"]) for p in lock["package"]
    )  # the build-only "cc" is not in the binary
    argh = next(p for p in pkgs if p.name == "argh")
    assert argh.purl == "pkg:cargo/argh@0.1.12"
    assert (
        RustAuditableCataloger().catalog({"/bin/true": Path("/bin/true").read_bytes()}, None) == []
    )
