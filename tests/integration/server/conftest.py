"""Real parts for the admission tests: docker-registry on 127.0.0.1 with an image signed by
``hullguard sign`` and an unsigned one, and the webhook over real HTTPS (trustme CA).

The registry helper is copied in reduced form from tests/integration/sign/conftest.py
(pytest importlib mode cannot import another conftest).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
import yaml

KEY_PASSWORD = "hullguard-test-key-password"  # fake, for a throwaway test key


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Images:
    host: str
    signed: str  # tag reference, signed by ``pub``
    unsigned: str
    signed_digest: str
    pub: Path


def _start_registry(root: Path) -> tuple[str, subprocess.Popen[bytes]]:
    for _ in range(5):
        port = free_port()
        config = {
            "version": 0.1,
            "log": {"level": "error", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(root / "storage")}},
            "http": {"addr": f"127.0.0.1:{port}", "secret": uuid.uuid4().hex},
        }
        (root / "config.yml").write_text(yaml.safe_dump(config))
        with (root / "registry.log").open("ab") as out:
            process = subprocess.Popen(
                ["docker-registry", "serve", str(root / "config.yml")],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1)
                return f"127.0.0.1:{port}", process
            except httpx.HTTPError:
                time.sleep(0.05)
        process.kill()
        process.wait()
    raise AssertionError("docker-registry did not start")


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Images]:
    missing = [t for t in ("umoci", "skopeo", "docker-registry") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"missing tools: {', '.join(missing)} (make apt installs them)")
    root = tmp_path_factory.mktemp("admission")
    layout, bundle = root / "layout", root / "bundle"
    run("umoci", "init", "--layout", str(layout))
    run("umoci", "new", "--image", f"{layout}:base")
    run("umoci", "unpack", "--image", f"{layout}:base", str(bundle))
    etc = bundle / "rootfs" / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    for tag in ("signed", "unsigned"):
        (etc / "motd").write_text(f"{tag} image for the hullguard admission tests\n")
        run("umoci", "repack", "--image", f"{layout}:{tag}", str(bundle))
    host, process = _start_registry(root)
    try:
        for tag in ("signed", "unsigned"):
            run("skopeo", "copy", "-q", "--dest-tls-verify=false",
                f"oci:{layout}:{tag}", f"docker://{host}/team/{tag}:v1")  # fmt: skip
        env = {**os.environ, "COSIGN_PASSWORD": KEY_PASSWORD}
        hg = [sys.executable, "-m", "hullguard"]
        run(*hg, "key", "generate", "--output-key-prefix", str(root / "hg"), env=env)
        signed = run(*hg, "sign", f"{host}/team/signed:v1", "--key", str(root / "hg.key"),
                     "--insecure", env=env)  # fmt: skip
        digest = run("skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}",
                     f"docker://{host}/team/signed:v1").stdout.strip()  # fmt: skip
        assert digest.startswith("sha256:"), signed.stderr
        yield Images(host, f"{host}/team/signed:v1", f"{host}/team/unsigned:v1", digest,
                     root / "hg.pub")  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass(frozen=True)
class Webhook:
    url: str
    ca: trustme.CA
    service: Any
    audit_path: Path

    def post(self, path: str, doc: Any, *, raw: bytes | None = None) -> httpx.Response:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        body = raw if raw is not None else json.dumps(doc).encode()
        with httpx.Client(verify=context, timeout=30) as client:
            return client.post(
                self.url + path, content=body, headers={"Content-Type": "application/json"}
            )

    def audit(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.audit_path.read_text().splitlines()]


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[trustme.CA, Path, Path]:
    root = tmp_path_factory.mktemp("webhook-tls")
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "hullguard-webhook.hullguard.svc")
    cert, key = root / "tls.crt", root / "tls.key"
    leaf.private_key_pem.write_to_path(str(key))
    cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    return ca, cert, key


@pytest.fixture
def webhook(tls: tuple[trustme.CA, Path, Path], tmp_path: Path) -> Iterator[Callable[..., Webhook]]:
    """Start the real HTTPS webhook for a policy text and config overrides."""
    from hullguard.image.registry.options import RegistryOptions
    from hullguard.policy.load import parse_gate_policy
    from hullguard.server.admission import AdmissionConfig, AdmissionService, AuditLog
    from hullguard.server.httpd import create_server

    started: list[Any] = []
    streams: list[Any] = []

    def start(policy: str, base: Path = tmp_path, **overrides: Any) -> Webhook:
        results = overrides.pop("results", None)
        ca, cert, key = tls
        gate = parse_gate_policy(yaml.safe_load(policy), base)
        registry = RegistryOptions(insecure=True, timeout=overrides.pop("registry_timeout", 2.0))
        config = AdmissionConfig(policy=gate, registry=registry, **overrides)
        audit_path = tmp_path / f"audit-{len(started)}.jsonl"
        stream = audit_path.open("a", encoding="utf-8")
        streams.append(stream)
        service = AdmissionService(config, audit=AuditLog(stream), results=results)
        server = create_server(service, "127.0.0.1", 0, cert, key)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return Webhook(f"https://127.0.0.1:{server.server_address[1]}", ca, service, audit_path)

    yield start
    for server in started:
        server.shutdown()
        server.server_close()
    for stream in streams:
        stream.close()


# -- images with stored scan results (inventory) -------------------------------

REPO = Path(__file__).resolve().parents[3]
#: verbatim /etc/os-release of Debian 12 (bookworm) and Debian 10 (buster, EOL 2024-06-30)
OS_RELEASE = {
    "12": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
    'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
    "10": 'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nNAME="Debian GNU/Linux"\n'
    'VERSION_ID="10"\nVERSION="10 (buster)"\nVERSION_CODENAME=buster\nID=debian\n',
}
#: a made-up GitHub token of the real shape (ghp_ + 36 alphanumerics), as tools/imagebuild.py
FAKE_GITHUB_TOKEN = "ghp_" + "0123456789abcdefghijABCDEFGHIJ123456"
SITE = "usr/lib/python3/dist-packages"
LXD_STATUS = (
    "Package: lxd\nStatus: install ok installed\nPriority: optional\nSection: admin\n"
    "Installed-Size: 42\nMaintainer: Debian Go Packaging Team <team+pkg-go@tracker.debian.org>\n"
    "Architecture: amd64\nVersion: 5.0.2-5+deb12u6\n"
    "Description: Powerful system container and virtual machine manager - daemon\n\n"
)


def _dist(name: str, version: str) -> dict[str, str]:
    folder = f"{SITE}/{name.replace('-', '_')}-{version}.dist-info"
    return {f"{folder}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"}


#: image name -> (files, umoci config flags); json-logic 0.6.3 has PYSEC-2023-209 (CVSS
#: 9.8, CRITICAL), cdo-local-uuid 0.5.0 only PYSEC-2024-6 (CVSS vector C:L/I:N/A:N, LOW)
RECIPES: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "critical": ({"etc/os-release": OS_RELEASE["12"], **_dist("json-logic", "0.6.3")}, ()),
    "low": ({"etc/os-release": OS_RELEASE["12"], **_dist("cdo-local-uuid", "0.5.0")}, ()),
    "leaky": (
        {
            "etc/os-release": OS_RELEASE["12"],
            "app/config.ini": f"[github]\ntoken = {FAKE_GITHUB_TOKEN}\n",
        },
        (),
    ),
    "buster": ({"etc/os-release": OS_RELEASE["10"]}, ()),
    "unscanned": ({"etc/os-release": OS_RELEASE["12"], "etc/motd": "never added\n"}, ()),
    "base": ({"etc/os-release": OS_RELEASE["12"]}, ("--created", "2020-01-02T03:04:05Z")),
    "oldself": ({"etc/motd": "old\n"}, ("--created", "2020-01-01T00:00:00.123456789Z")),
    "fresh": ({"etc/motd": "fresh\n"}, ()),
    # lxd 5.0.2-5+deb12u6: security support ended 2026-06-12 (security-support-ended.deb12)
    "ended": ({"etc/os-release": OS_RELEASE["12"], "var/lib/dpkg/status": LXD_STATUS}, ()),
}
STORED = ("critical", "low", "leaky", "buster")  # added to the inventory


@dataclass(frozen=True)
class Scanned:
    host: str
    refs: dict[str, str]  # name -> host/team/NAME:v1
    digests: dict[str, str]
    inventory: Path
    vulndb: Path


def hullguard(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return run(sys.executable, "-m", "hullguard", "--quiet", *args, env=env)


def _build(layout: Path, root: Path, name: str, extra: tuple[str, ...] = ()) -> None:
    files, flags = RECIPES[name]
    bundle = root / f"bundle-{name}"
    run("umoci", "new", "--image", f"{layout}:{name}")
    run("umoci", "unpack", "--image", f"{layout}:{name}", str(bundle))
    for rel, text in files.items():
        (bundle / "rootfs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (bundle / "rootfs" / rel).write_text(text)
    run("umoci", "repack", "--image", f"{layout}:{name}", str(bundle))
    if flags or extra:
        run("umoci", "config", "--image", f"{layout}:{name}", *flags, *extra)


def _push(layout: Path, host: str, name: str) -> str:
    ref = f"{host}/team/{name}:v1"
    run(
        "skopeo", "copy", "-q", "--dest-tls-verify=false", f"oci:{layout}:{name}", f"docker://{ref}"
    )
    return run("skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}",
               f"docker://{ref}").stdout.strip()  # fmt: skip


@pytest.fixture(scope="session")
def scanned(images: Images, tmp_path_factory: pytest.TempPathFactory) -> Scanned:
    """Images in the test registry; four of them in an inventory with real findings."""
    root = tmp_path_factory.mktemp("scanned")
    layout = root / "layout"
    run("umoci", "init", "--layout", str(layout))
    refs, digests = {}, {}
    for name in RECIPES:
        _build(layout, root, name)
        digests[name] = _push(layout, images.host, name)
        refs[name] = f"{images.host}/team/{name}:v1"
    # "onbase": built now, on "base" (2020) as the OCI base annotations say
    RECIPES["onbase"] = ({"etc/motd": "on base\n"}, ())
    base_name = f"org.opencontainers.image.base.name={refs['base']}"
    base_digest = f"org.opencontainers.image.base.digest={digests['base']}"
    _build(layout, root, "onbase",
           ("--manifest.annotation", base_name, "--manifest.annotation", base_digest))  # fmt: skip
    digests["onbase"] = _push(layout, images.host, "onbase")
    refs["onbase"] = f"{images.host}/team/onbase:v1"
    vulndb, inventory = root / "vuln.db", root / "inventory.db"
    osv = SHARED / "vulndata/osv/pypi/vulns"
    hullguard("db", "import", "--db", str(vulndb), str(osv / "json-logic"),
              str(osv / "cdo-local-uuid"))  # fmt: skip
    for name in STORED:
        hullguard("--cache-dir", str(root / "cache"), "inventory", "add", refs[name], "--db",
                  str(vulndb), "--database", str(inventory), "--insecure")  # fmt: skip
    return Scanned(images.host, refs, digests, inventory, vulndb)


def _shared() -> Path:
    for candidate in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if (candidate / "vulndata").is_dir():
            return candidate
    pytest.fail("shared/ not found beside the repository")


SHARED = _shared()
