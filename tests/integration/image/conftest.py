"""Real images built by real tools (see tools/imagebuild.py), shared by the image tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]


def _imagebuild() -> ModuleType:
    spec = importlib.util.spec_from_file_location("imagebuild", REPO / "tools" / "imagebuild.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["imagebuild"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def imagebuild() -> ModuleType:
    return _imagebuild()


@pytest.fixture(scope="session")
def app_oci(imagebuild: ModuleType) -> Path:
    return imagebuild.app_oci()


@pytest.fixture(scope="session")
def app_docker_archive(imagebuild: ModuleType) -> Path:
    return imagebuild.app_docker_archive()


@pytest.fixture(scope="session")
def app_oci_archive(imagebuild: ModuleType) -> Path:
    return imagebuild.app_oci_archive()


@pytest.fixture(scope="session")
def app_oci_zstd(imagebuild: ModuleType) -> Path:
    return imagebuild.app_oci_zstd()


@pytest.fixture(scope="session")
def app_unpacked(app_oci: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The merged root filesystem as umoci (an independent implementation) unpacks it."""
    import subprocess

    bundle = tmp_path_factory.mktemp("umoci") / "bundle"
    subprocess.run(
        ["umoci", "unpack", "--image", f"{app_oci}:1.0", str(bundle)],
        check=True,
        capture_output=True,
    )
    return bundle / "rootfs"
