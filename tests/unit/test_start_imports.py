"""What each command imports before its first layer is read.

The parent process imports everything a command needs before it forks the
layer workers, with one core idle; imports needed only after the walk are
deferred (and prewarmed while the workers run, :mod:`hullguard.prewarm`). These
tests pin the heavy modules that must stay out of that serial start.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: modules a command reaches before the walk starts -> heavy modules it must not import
CASES = {
    "sbom": (
        ["hullguard.cli.sbom_cmd", "hullguard.scan.image_sbom", "hullguard.catalog.run"],
        [
            "cyclonedx.spdx",
            "license_expression",
            "packageurl",
            "email.parser",
            "zipfile",
            "defusedxml",
            "hullguard.catalog.dirsource",
            "hullguard.catalog.sbom_input",
        ],
    ),
    "warm cache": (  # inspect or SBOM from the layer cache: no pool is started
        ["hullguard.cli.image_cmd", "hullguard.image.walk", "hullguard.scan.image_sbom"],
        ["multiprocessing", "concurrent.futures"],
    ),
    "vuln scan": (
        ["hullguard.cli.scan_cmd", "hullguard.cli.scan_image", "hullguard.scan.image_scan"],
        ["hyperscan", "re2", "yaml", "hullguard.secrets.scanner", "hullguard.match"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_heavy_modules_are_not_imported_before_the_walk(case: str) -> None:
    reached, heavy = CASES[case]
    code = (
        "import importlib, json, sys\n"
        f"for m in {reached!r}: importlib.import_module(m)\n"
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == []
