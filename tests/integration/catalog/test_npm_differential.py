"""npm cataloger vs ``npm ls --all --json`` on a real installed tree.

The tree is npm's own installation (``/usr/lib/node_modules/npm``, 100+ real packages
installed by npm), read in place. npm ls reports the dependencies of the project at the
tree's root; the root manifest itself is the project and is not compared.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hullguard.catalog.npm import NpmCataloger

pytestmark = pytest.mark.integration
TREE = Path("/usr/lib/node_modules/npm")


def _installed(deps: dict[str, Any] | None, into: set[tuple[str, str]]) -> None:
    for name, info in (deps or {}).items():
        if info.get("missing") or "version" not in info:
            continue  # dev dependencies npm does not ship: not installed, not listed by us
        into.add((name, info["version"]))
        _installed(info.get("dependencies"), into)


@pytest.mark.skipif(
    shutil.which("npm") is None or not (TREE / "node_modules").is_dir(),
    reason="npm with its bundled node_modules is not installed",
)
def test_matches_npm_ls() -> None:
    proc = subprocess.run(
        ["npm", "ls", "--all", "--json"], cwd=TREE, capture_output=True, text=True, check=False
    )
    expected: set[tuple[str, str]] = set()
    _installed(json.loads(proc.stdout).get("dependencies"), expected)
    cataloger = NpmCataloger()
    files = {
        str(p): p.read_bytes()
        for p in (TREE / "node_modules").rglob("package.json")
        if cataloger.wants(str(p))
    }
    actual = {(p.name, p.version) for p in cataloger.catalog(files, None)}
    assert len(expected) > 50
    assert actual == expected
