#!/usr/bin/env python3
"""Build real test images with independent real tools, cached by recipe.

hullguard's tests, demo and benchmarks read images that hullguard did not
write: a Debian root filesystem from ``mmdebstrap``, layouts from ``umoci``,
multi-layer images from ``buildah`` (real whiteouts from real deletions),
conversions by ``skopeo``, language packages from ``pip install --target`` and
``npm install --prefix``. Each artefact lives under ``.cache/test-images`` in
the repository, keyed by a hash of its recipe, so it is built once per machine.

Usage: ``python tools/imagebuild.py NAME`` builds NAME and prints its path.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("HULLGUARD_TEST_IMAGES", REPO / ".cache" / "test-images"))
SOURCES = Path("/etc/apt/sources.list.d/debian.sources")

#: Old, pure-Python releases with published advisories (fetched from PyPI with pip).
PIP_PACKAGES = ["requests==2.19.1", "urllib3==1.24.1", "Jinja2==2.10", "Django==2.2", "idna==2.7"]
#: Old npm releases with published advisories (fetched from the npm registry with npm).
NPM_PACKAGES = ["lodash@4.17.4", "minimist@0.0.8", "ms@0.7.0"]

#: Fake secrets planted in the "leaky" image. AWS's own documentation example key pair:
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
FAKE_AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
FAKE_AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#: A made-up GitHub token of the real shape (ghp_ + 36 alphanumerics); not a live token.
FAKE_GITHUB_TOKEN = "ghp_" + "0123456789abcdefghijABCDEFGHIJ123456"


def run(cmd: list[str], **kw: object) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload]
    if proc.returncode != 0:
        raise RuntimeError(
            f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise RuntimeError(
            f"missing tools: {', '.join(missing)} (run `make setup` to install them)"
        )


#: bump to rebuild every artefact (recipes also key on their own inputs)
RECIPE_VERSION = "1"


def _key(name: str, *parts: str) -> str:
    h = hashlib.sha256()
    h.update(RECIPE_VERSION.encode())
    for part in (name, *parts):
        h.update(part.encode())
    return h.hexdigest()[:16]


def cached(name: str, build: Callable[[Path], None], *deps: str) -> Path:
    """Return the artefact for recipe ``name``, building it atomically if absent."""
    target = CACHE / f"{name}-{_key(name, *deps)}"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=CACHE))
    out = tmp / "out"
    try:
        build(out)
        os.replace(out, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


# -- recipes ---------------------------------------------------------------------------
def debian_rootfs() -> Path:
    """A real Debian bookworm minbase root filesystem tarball (mmdebstrap)."""

    def build(out: Path) -> None:
        need("mmdebstrap")
        sources = SOURCES.read_text() if SOURCES.exists() else ""
        cmd = [
            "mmdebstrap",
            "--variant=minbase",
            "--mode=root",
            "--format=tar",
            "bookworm",
            str(out),
        ]
        if sources:
            cmd.append("-")
        proc = subprocess.run(cmd, input=sources, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"mmdebstrap failed:\n{proc.stderr[-3000:]}")

    return cached("debian-rootfs.tar", build)


def debian_oci() -> Path:
    """OCI layout (umoci) holding the Debian root filesystem as one layer, tag ``base``."""
    rootfs = debian_rootfs()

    def build(out: Path) -> None:
        need("umoci")
        run(["umoci", "init", "--layout", str(out)])
        run(["umoci", "new", "--image", f"{out}:base"])
        run(
            [
                "umoci",
                "raw",
                "add-layer",
                "--image",
                f"{out}:base",
                "--history.created_by",
                "mmdebstrap --variant=minbase bookworm",
                str(rootfs),
            ]
        )
        run(
            [
                "umoci",
                "config",
                "--image",
                f"{out}:base",
                "--config.cmd",
                "/bin/bash",
                "--os",
                "linux",
                "--architecture",
                "amd64",
            ]
        )

    return cached("debian-oci", build, str(rootfs))


def pip_tree() -> Path:
    """``pip install --target`` of old, pure-Python packages (from PyPI)."""

    def build(out: Path) -> None:
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--no-compile",
                "--disable-pip-version-check",
                "--target",
                str(out),
                *PIP_PACKAGES,
            ]
        )

    return cached("pip-tree", build, *PIP_PACKAGES)


def npm_tree() -> Path:
    """``npm install --prefix`` of old npm packages (from the npm registry)."""

    def build(out: Path) -> None:
        need("npm")
        out.mkdir(parents=True)
        (out / "package.json").write_text(
            json.dumps({"name": "demo-app", "version": "1.0.0", "private": True})
        )
        run(
            [
                "npm",
                "install",
                "--prefix",
                str(out),
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--loglevel=error",
                *NPM_PACKAGES,
            ]
        )

    return cached("npm-tree", build, *NPM_PACKAGES)


APP_DOCKERFILE = """\
FROM localhost/debian-base:bookworm
LABEL org.opencontainers.image.title="hullguard sample app"
COPY pydeps/ /usr/local/lib/python3.11/dist-packages/
COPY app/ /app/
ARG API_TOKEN={github_token}
ENV APP_ENV=production
RUN rm /app/.env && rm -rf /usr/share/doc/bash && echo "cleaned"
RUN mkdir -p /var/cache/demo && echo data > /var/cache/demo/file
RUN rm -rf /var/cache/demo && mkdir -p /var/cache/demo && echo new > /var/cache/demo/other
COPY config.ini /app/config.ini
COPY bin/ /usr/local/bin/
USER 1000
WORKDIR /app
CMD ["node", "/app/server.js"]
"""


def _app_context(ctx: Path) -> None:
    shutil.copytree(pip_tree(), ctx / "pydeps", symlinks=True)
    app = ctx / "app"
    shutil.copytree(npm_tree(), app, symlinks=True)
    (app / "server.js").write_text("console.log('hello');\n")
    # Fake credentials (AWS documentation example pair), deleted by a later layer.
    (app / ".env").write_text(
        f"AWS_ACCESS_KEY_ID={FAKE_AWS_KEY_ID}\nAWS_SECRET_ACCESS_KEY={FAKE_AWS_SECRET}\n"
    )
    (app / "config.ini").write_text(f"[github]\ntoken = {FAKE_GITHUB_TOKEN}\n")
    # overwritten by a later layer with a clean copy
    (ctx / "config.ini").write_text("[github]\ntoken = set-at-runtime\n")
    # a real Go program built by Debian (carries Go build info: module list + toolchain)
    (ctx / "bin").mkdir()
    umoci = shutil.which("umoci")
    if umoci is None:
        raise RuntimeError("umoci is not installed (run `make setup`)")
    shutil.copy2(umoci, ctx / "bin" / "umoci")


def buildah_build(base: Path, ctx: Path, tag: str, out: Path) -> None:
    """``buildah bud --layers`` of ``ctx/Dockerfile`` on the Debian base, pushed to ``oci:out:1.0``."""
    need("buildah", "skopeo")
    work = ctx.parent
    store = ["--root", str(work / "root"), "--runroot", str(work / "runroot"),
             "--storage-driver", "vfs"]  # fmt: skip
    env = {**os.environ, "BUILDAH_ISOLATION": "chroot"}
    storage = f"containers-storage:[vfs@{work / 'root'}+{work / 'runroot'}]"
    run(["skopeo", "copy", "--quiet", f"oci:{base}:base",
         f"{storage}localhost/debian-base:bookworm"], env=env)  # fmt: skip
    run(["buildah", *store, "bud", "--pull-never", "--isolation", "chroot", "--layers",
         "-f", str(ctx / "Dockerfile"), "-t", tag, str(ctx)], env=env)  # fmt: skip
    run(["buildah", *store, "push", tag, f"oci:{out}:1.0"], env=env)
    shutil.rmtree(work, ignore_errors=True)


def app_oci() -> Path:
    """Multi-layer image built by buildah from a Dockerfile on top of the Debian base."""
    base = debian_oci()
    pip_dir, npm_dir = pip_tree(), npm_tree()

    def build(out: Path) -> None:
        ctx = out.parent / "work" / "ctx"
        ctx.mkdir(parents=True)
        _app_context(ctx)
        (ctx / "Dockerfile").write_text(APP_DOCKERFILE.format(github_token=FAKE_GITHUB_TOKEN))
        buildah_build(base, ctx, "localhost/sample-app:1.0", out)

    return cached(
        "app-oci",
        build,
        str(base),
        str(pip_dir),
        str(npm_dir),
        APP_DOCKERFILE,
        inspect.getsource(_app_context),
    )


def skopeo_convert(name: str, src: str, dest_transport: str, *extra: str) -> Path:
    """Convert ``src`` with skopeo into ``dest_transport`` (docker-archive, oci-archive, oci)."""

    def build(out: Path) -> None:
        need("skopeo")
        suffix = ":1.0" if dest_transport == "oci" else ""
        dest = f"{dest_transport}:{out}{suffix}"
        if dest_transport == "docker-archive":
            dest += ":localhost/sample-app:1.0"
        run(["skopeo", "copy", "--quiet", *extra, src, dest])

    return cached(name, build, src, dest_transport, *extra)


def app_docker_archive() -> Path:
    return skopeo_convert("app-docker-archive.tar", f"oci:{app_oci()}:1.0", "docker-archive")


def app_oci_archive() -> Path:
    return skopeo_convert("app-oci-archive.tar", f"oci:{app_oci()}:1.0", "oci-archive")


def app_oci_zstd() -> Path:
    return skopeo_convert(
        "app-oci-zstd", f"oci:{app_oci()}:1.0", "oci", "--dest-compress-format", "zstd"
    )


#: Big, widely used packages for the benchmark image (several thousand files each).
BENCH_PIP = [
    "numpy==1.26.4",
    "pandas==2.2.2",
    "scipy==1.13.1",
    "botocore==1.34.131",
    "Django==4.2.13",
]
BENCH_NPM = ["aws-sdk@2.1640.0", "typescript@5.4.5", "lodash@4.17.21", "moment@2.30.1"]

BENCH_DOCKERFILE = """\
FROM localhost/debian-base:bookworm
COPY pydeps/ /usr/local/lib/python3.11/dist-packages/
COPY app/ /srv/app/
RUN rm -rf /usr/share/locale && mkdir -p /srv/data && echo ok > /srv/data/ready
USER 1000
"""


def bench_oci() -> Path:
    """A >300 MB multi-layer image with thousands of Python and npm files (benchmarks)."""
    base = debian_oci()

    def build(out: Path) -> None:
        need("buildah", "skopeo", "npm")
        work = out.parent / "work"
        ctx = work / "ctx"
        ctx.mkdir(parents=True)
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--no-compile",
                "--only-binary=:all:",
                "--target",
                str(ctx / "pydeps"),
                *BENCH_PIP,
            ]
        )
        (ctx / "app").mkdir()
        (ctx / "app" / "package.json").write_text(
            '{"name":"bench","version":"1.0.0","private":true}'
        )
        run(
            [
                "npm",
                "install",
                "--prefix",
                str(ctx / "app"),
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--loglevel=error",
                *BENCH_NPM,
            ]
        )
        (ctx / "Dockerfile").write_text(BENCH_DOCKERFILE)
        buildah_build(base, ctx, "localhost/bench:1.0", out)

    return cached("bench-oci", build, str(base), *BENCH_PIP, *BENCH_NPM, BENCH_DOCKERFILE)


def bench_docker_archive() -> Path:
    return skopeo_convert("bench-docker-archive.tar", f"oci:{bench_oci()}:1.0", "docker-archive")


RECIPES: dict[str, Callable[[], Path]] = {
    "bench-oci": bench_oci,
    "bench-docker-archive": bench_docker_archive,
    "debian-rootfs": debian_rootfs,
    "debian-oci": debian_oci,
    "pip-tree": pip_tree,
    "npm-tree": npm_tree,
    "app-oci": app_oci,
    "app-docker-archive": app_docker_archive,
    "app-oci-archive": app_oci_archive,
    "app-oci-zstd": app_oci_zstd,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in RECIPES:
        print(f"usage: imagebuild.py {{{','.join(RECIPES)}}}", file=sys.stderr)
        return 2
    print(RECIPES[argv[0]]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
