"""Go build info vs ``go version -m`` (Debian's golang-go) on real binaries.

Debian-packaged Go programs (built in GOPATH mode: path and toolchain, no modules) and
a module-mode binary built here offline with a dependency replaced by a local dir.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hullguard.catalog.golang import BuildInfo, GoBinaryCataloger, read_buildinfo
from hullguard.model.package import PackageType

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("go") is None, reason="golang-go is not installed"),
]
DEBIAN_GO_PROGRAMS = [
    "/usr/bin/skopeo",
    "/usr/bin/umoci",
    "/usr/bin/docker-registry",
    "/usr/bin/buildah",
]


def go_version_m(path: Path) -> tuple[str, list[list[str]]]:
    out = subprocess.run(
        ["go", "version", "-m", str(path)], capture_output=True, text=True, check=True
    ).stdout
    first, *rest = out.splitlines()
    toolchain = first.split(": ", 1)[1].strip()
    return toolchain, [line.strip("\t").split("\t") for line in rest]


def as_lines(info: BuildInfo) -> list[list[str]]:
    lines = [["path", info.path]]
    if info.main is not None:
        lines.append(["mod", info.main.path, info.main.version])
    for dep in info.deps:
        lines.append(["dep", dep.path, dep.version])
        if dep.replaced_by is not None:
            lines.append(["=>", *dep.replaced_by])
    lines += [["build", f"{k}={v}"] for k, v in info.settings]
    return lines


def _strip_sums(lines: list[list[str]]) -> list[list[str]]:
    """Drop checksums (hullguard does not report them) and the blank line Go 1.19 prints
    after a replacement without a sum."""
    return [line[:3] if line[0] in ("mod", "dep", "=>") else line for line in lines if line != [""]]


@pytest.mark.parametrize("program", DEBIAN_GO_PROGRAMS)
def test_debian_programs(program: str) -> None:
    path = Path(program)
    if not path.exists():
        pytest.skip(f"{program} is not installed")
    toolchain, lines = go_version_m(path)
    info = read_buildinfo(path.read_bytes())
    assert info is not None
    assert info.go_version == toolchain
    assert as_lines(info) == _strip_sums(lines)
    pkgs = GoBinaryCataloger().catalog({program: path.read_bytes()}, None)
    stdlib = [p for p in pkgs if p.type is PackageType.GO_STDLIB]
    assert [p.version for p in stdlib] == [toolchain.removeprefix("go")]


@pytest.fixture(scope="module")
def module_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("gomod")
    (work / "lib").mkdir()
    (work / "lib/go.mod").write_text("module example.com/lib\n\ngo 1.19\n")
    (work / "lib/lib.go").write_text('package lib\n\nfunc Hello() string { return "hi" }\n')
    (work / "go.mod").write_text(
        "module example.com/app\n\ngo 1.19\n\nrequire example.com/lib v1.2.3\n\n"
        "replace example.com/lib v1.2.3 => ./lib\n"
    )
    (work / "main.go").write_text(
        'package main\n\nimport "example.com/lib"\n\nfunc main() { println(lib.Hello()) }\n'
    )
    env = {
        **os.environ,
        "GOPROXY": "off",
        "GOFLAGS": "-mod=mod",
        "GOCACHE": str(work / ".cache"),
        "GOPATH": str(work / ".gopath"),
        "CGO_ENABLED": "0",
    }
    out = work / "app"
    subprocess.run(["go", "build", "-o", str(out), "."], cwd=work, env=env, check=True)
    return out


def test_module_binary_with_replacement(module_binary: Path) -> None:
    toolchain, lines = go_version_m(module_binary)
    info = read_buildinfo(module_binary.read_bytes())
    assert info is not None and info.go_version == toolchain
    assert as_lines(info) == _strip_sums(lines)
    pkgs = GoBinaryCataloger().catalog({"/app": module_binary.read_bytes()}, None)
    got = sorted((p.name, p.version, p.purl) for p in pkgs)
    assert got == [
        ("example.com/app", "(devel)", "pkg:golang/example.com/app@%28devel%29"),
        ("example.com/lib", "v1.2.3", "pkg:golang/example.com/lib@v1.2.3"),
        (
            "stdlib",
            toolchain.removeprefix("go"),
            f"pkg:golang/stdlib@{toolchain.removeprefix('go')}",
        ),
    ]
