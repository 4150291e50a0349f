"""Ruby gemspec cataloger vs ``gem list --local`` (Debian's ruby, apt ``ruby``).

The installed specifications RubyGems and Debian's rubygems-integration wrote on this
machine (default gems included) are read in place; ``gem list`` is the oracle.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from hullguard.catalog.ruby import RubyGemspecCataloger

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("gem") is None, reason="ruby (apt) is not installed"),
]
_LINE = re.compile(r"^(?P<name>\S+) \((?P<versions>[^)]*)\)$")


def test_matches_gem_list() -> None:
    listing = subprocess.run(
        ["gem", "list", "--local"], capture_output=True, text=True, check=True
    ).stdout
    expected = set()
    for line in listing.splitlines():
        match = _LINE.match(line.strip())
        assert match, line
        for version in match["versions"].split(","):
            expected.add((match["name"], version.strip().removeprefix("default: ")))
    paths = subprocess.run(
        ["gem", "env", "paths"], capture_output=True, text=True, check=True
    ).stdout.strip()
    cataloger = RubyGemspecCataloger()
    files = {}
    for root in paths.split(":"):
        spec_dir = Path(root) / "specifications"
        for spec in spec_dir.glob("**/*.gemspec") if spec_dir.is_dir() else ():
            if cataloger.wants(str(spec)):
                files[str(spec)] = spec.read_bytes()
    actual = {(p.name, p.version) for p in cataloger.catalog(files, None)}
    assert len(expected) > 20
    assert actual == expected
