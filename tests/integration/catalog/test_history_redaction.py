"""Build arguments in the history never reach an SBOM or a vulnerability report raw.

A real OCI layout made with umoci: one layer adds a Python package, and its history
step carries a made-up token as a build argument (``|1 PIP_TOKEN=...``), as
``docker build --build-arg`` records it. Every SBOM and vulnerability format names
the step that added the package, masked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: made up for this test (not a live PyPI token)
FAKE_TOKEN = "pypi-AgEIcHlwaS5vcmcFAKEFAKEFAKEFAKE"
STEP = f"|1 PIP_TOKEN={FAKE_TOKEN} /bin/sh -c pip install requests==2.19.1"


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    if shutil.which("umoci") is None:
        pytest.fail("umoci is required (apt-get install umoci)")
    root = tmp_path_factory.mktemp("redact")
    layout, bundle = root / "img", root / "bundle"

    def umoci(*args: str) -> None:
        subprocess.run(["umoci", *args], check=True, capture_output=True)

    umoci("init", "--layout", str(layout))
    umoci("new", "--image", f"{layout}:t")
    umoci("unpack", "--rootless", "--image", f"{layout}:t", str(bundle))
    meta = bundle / "rootfs/usr/lib/python3/dist-packages/requests-2.19.1.dist-info/METADATA"
    meta.parent.mkdir(parents=True)
    meta.write_text("Metadata-Version: 2.1\nName: requests\nVersion: 2.19.1\n")
    umoci("repack", "--image", f"{layout}:t", "--history.created_by", STEP, str(bundle))
    return f"oci:{layout}:t"


def _run(*args: str, cache: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hullguard", "--quiet", "--cache-dir", str(cache), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


@pytest.mark.parametrize("fmt", ["cyclonedx-json", "spdx-json", "json", "table"])
def test_sbom_masks_build_arguments(image: str, fmt: str, tmp_path: Path) -> None:
    out = _run("sbom", image, "-f", fmt, cache=tmp_path)
    assert "requests" in out
    assert FAKE_TOKEN not in out
    if fmt != "table":
        # the step is still named, its value masked (JSON may escape the ellipsis)
        assert re.search(r"PIP_TOKEN=pypi…\[\d+ chars\]", out.replace("\\u2026", "…"))


def test_redacted_twice_is_redacted_once() -> None:
    from hullguard.secrets.redact import redact_command

    once = redact_command(STEP)
    assert FAKE_TOKEN not in once
    assert redact_command(once) == once
