"""Zero findings on real clean content, and evidence that each allow rule is needed.

Corpora, scanned under the paths they have in an image:
- this machine's /usr/share/doc, /etc and /usr/lib/python3 (Debian packages);
- real, widely used pip and npm packages installed with ``pip install --target``
  and ``npm install --prefix``, cached in ``.cache/secrets-corpus/`` (gitignored;
  built on first run, from PyPI and the npm registry).

Key material that really is on a machine is a TRUE finding, not noise: host and
snake-oil keys (/etc/ssh/ssh_host_*_key, /etc/ssl/private/) are excluded from the
zero-findings assertion and instead must be reported as private keys.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hullguard.secrets import SecretMatch, SecretScanner
from hullguard.secrets.config import SecretConfig
from hullguard.secrets.dirscan import DirScanResult, scan_directory

pytestmark = pytest.mark.integration

PIP_PACKAGES = (
    "requests", "urllib3", "boto3", "botocore", "cryptography", "django", "flask", "PyJWT",
    "paramiko",
)  # fmt: skip
NPM_PACKAGES = ("express", "jsonwebtoken", "@aws-sdk/client-s3", "axios", "node-forge")
REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / ".cache" / "secrets-corpus"
SITE = "usr/local/lib/python3.11/site-packages"

#: real key material a Debian machine may legitimately hold (true positives); Debian's
#: chromium package ships the Google API key and OAuth client secret Google assigned to
#: Debian in /etc/chromium.d/apikeys (public, but real credentials: a scanner must flag them)
KEY_MATERIAL = re.compile(r"^etc/(?:ssl/private/|ssh/ssh_host_\w+_key$|chromium\.d/apikeys$)")
#: rules each kind of key material may legitimately trigger
KEY_RULES = {"private-key", "sensitive-file-key", "sensitive-file-ssh"}
CHROMIUM_RULES = {"gcp-api-key", "generic-secret"}


def _install(name: str, packages: tuple[str, ...], command: list[str]) -> Path:
    """Install once into CORPUS/name (atomically); reinstall when the list changes."""
    dest = CORPUS / name
    stamp = CORPUS / f"{name}.stamp"
    wanted = "\n".join(packages)
    if dest.is_dir() and stamp.is_file() and stamp.read_text() == wanted:
        return dest
    CORPUS.mkdir(parents=True, exist_ok=True)
    tmp = CORPUS / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    proc = subprocess.run([*command, str(tmp), *packages], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"installing the {name} corpus failed:\n{proc.stderr[-2000:]}")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    stamp.write_text(wanted)
    return dest


@pytest.fixture(scope="module")
def pip_corpus() -> Path:
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--no-compile", "--target"]  # fmt: skip
    return _install("pip", PIP_PACKAGES, cmd)


@pytest.fixture(scope="module")
def npm_corpus() -> Path:
    if shutil.which("npm") is None:
        pytest.fail("npm is missing (nodejs is in the Makefile's APT_PACKAGES)")
    cmd = ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix"]
    return _install("npm", NPM_PACKAGES, cmd) / "node_modules"


@pytest.fixture(scope="module")
def scanner() -> SecretScanner:
    return SecretScanner()


def _describe(matches: tuple[SecretMatch, ...]) -> list[str]:
    return [f"{m.rule_id} {m.path}:{m.line} {m.redacted}" for m in matches]


def _scan(root: Path | str, prefix: str, scanner: SecretScanner) -> DirScanResult:
    return scan_directory(root, scanner, path_prefix=prefix)


def test_python_packages_have_no_findings(pip_corpus: Path, scanner: SecretScanner) -> None:
    result = _scan(pip_corpus, SITE, scanner)
    assert result.files_scanned > 2000 and result.bytes_scanned > 20_000_000
    assert _describe(result.matches) == []


def test_node_packages_have_no_findings(npm_corpus: Path, scanner: SecretScanner) -> None:
    result = _scan(npm_corpus, "app/node_modules", scanner)
    assert result.files_scanned > 1000 and result.bytes_scanned > 5_000_000
    assert _describe(result.matches) == []


@pytest.mark.parametrize(
    ("corpus", "allow_rule", "rules"),
    [
        ("pip", "botocore-api-examples", {"aws-access-key-id", "generic-secret"}),
        ("pip", "package-documentation", {"aws-access-key-id"}),
        ("npm", "package-documentation", {"aws-access-key-id"}),
    ],
)
def test_each_package_allow_rule_suppresses_real_examples(
    corpus: str, allow_rule: str, rules: set[str], pip_corpus: Path, npm_corpus: Path
) -> None:
    """Without the allow rule, the scanner does report the packages' doc examples."""
    root, prefix = (pip_corpus, SITE) if corpus == "pip" else (npm_corpus, "app/node_modules")
    strict = SecretScanner(SecretConfig(disable=frozenset({allow_rule})))
    found = {m.rule_id for m in _scan(root, prefix, strict).matches}
    assert rules <= found


def test_debian_documentation_has_no_findings(scanner: SecretScanner) -> None:
    result = _scan("/usr/share/doc", "usr/share/doc", scanner)
    assert result.files_scanned > 100
    assert _describe(result.matches) == []


def test_debian_python_has_no_findings(scanner: SecretScanner) -> None:
    result = _scan("/usr/lib/python3", "usr/lib/python3", scanner)
    assert result.files_scanned > 100
    assert _describe(result.matches) == []


def test_etc_has_only_real_key_material(scanner: SecretScanner) -> None:
    result = _scan("/etc", "etc", scanner)
    assert result.files_scanned > 50
    noise = [m for m in result.matches if not KEY_MATERIAL.match(m.path)]
    assert _describe(tuple(noise)) == []
    for m in result.matches:  # anything left is a key the machine really holds
        expected = CHROMIUM_RULES if m.path.startswith("etc/chromium.d/") else KEY_RULES
        assert m.rule_id in expected, m
    if Path("/etc/chromium.d/apikeys").is_file():  # installed for the dashboard's browser test
        chromium = {m.rule_id for m in result.matches if m.path == "etc/chromium.d/apikeys"}
        assert "gcp-api-key" in chromium
    readable = [p for p in Path("/etc/ssh").glob("ssh_host_*_key") if os.access(p, os.R_OK)]
    assert {f"etc/ssh/{p.name}" for p in readable} <= {m.path for m in result.matches}
