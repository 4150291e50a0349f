"""Operating-system identification from release files (sans-I/O).

Reads ``/etc/os-release`` (then ``/usr/lib/os-release``), and falls back to
``/etc/alpine-release``, ``/etc/debian_version``, ``/etc/redhat-release`` /
``/etc/system-release``. A dpkg ``status.d`` directory without a ``status`` file
marks a distroless image.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import replace

from hullguard.catalog.interface import PathHint
from hullguard.model.package import OSInfo

OS_RELEASE_PATHS = ("/etc/os-release", "/usr/lib/os-release")
ALPINE_RELEASE = "/etc/alpine-release"
DEBIAN_VERSION = "/etc/debian_version"
REDHAT_RELEASES = ("/etc/redhat-release", "/etc/system-release", "/etc/centos-release")
DPKG_STATUS = "/var/lib/dpkg/status"
DPKG_STATUS_D = "/var/lib/dpkg/status.d/"

_WANTED = frozenset((*OS_RELEASE_PATHS, ALPINE_RELEASE, DEBIAN_VERSION, *REDHAT_RELEASES))
#: necessary condition on the paths :func:`wants` accepts (see ``PathHint``)
PATH_HINT = PathHint(prefixes=(*sorted(_WANTED), DPKG_STATUS))
_REDHAT = re.compile(r"^(?P<name>.+?)\s+release\s+(?P<version>[0-9][0-9.]*)", re.IGNORECASE)
_REDHAT_IDS = (
    ("red hat", "rhel"),
    ("centos", "centos"),
    ("rocky", "rocky"),
    ("alma", "almalinux"),
    ("scientific", "scientific"),
    ("fedora", "fedora"),
    ("oracle", "ol"),
    ("amazon", "amzn"),
)


def wants(path: str) -> bool:
    """Whether the OS detector needs this file (release files and dpkg status markers)."""
    return path in _WANTED or path == DPKG_STATUS or path.startswith(DPKG_STATUS_D)


def parse_os_release(data: bytes) -> dict[str, str]:
    """``KEY=value`` lines with shell quoting, as os-release(5) describes."""
    out: dict[str, str] = {}
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            parts = shlex.split(value)
        except ValueError:
            parts = [value.strip("\"'")]
        out[key.strip()] = " ".join(parts)
    return out


def _from_os_release(fields: dict[str, str]) -> OSInfo | None:
    os_id = fields.get("ID", "").lower()
    if not os_id:
        return None
    return OSInfo(
        id=os_id,
        version_id=fields.get("VERSION_ID", ""),
        version_codename=fields.get("VERSION_CODENAME", ""),
        pretty_name=fields.get("PRETTY_NAME", ""),
        id_like=tuple(fields.get("ID_LIKE", "").split()),
    )


def _from_redhat_release(text: str) -> OSInfo | None:
    match = _REDHAT.match(text.strip())
    if not match:
        return None
    name = match["name"].lower()
    os_id = next((v for k, v in _REDHAT_IDS if k in name), name.split()[0])
    return OSInfo(id=os_id, version_id=match["version"], pretty_name=text.strip())


def _text(files: Mapping[str, bytes], path: str) -> str:
    return files.get(path, b"").decode("utf-8", "replace").strip()


def _fill_version(info: OSInfo, files: Mapping[str, bytes]) -> OSInfo:
    """Older distroless os-release files carry no VERSION_ID: take it from debian_version."""
    if info.version_id:
        return info
    if info.id == "debian":
        ver = _text(files, DEBIAN_VERSION)
        if ver[:1].isdigit():
            return replace(info, version_id=ver.split(".", 1)[0])
    if info.id == "alpine":
        return replace(info, version_id=_text(files, ALPINE_RELEASE))
    return info


def _fallback(files: Mapping[str, bytes]) -> OSInfo | None:
    alpine = _text(files, ALPINE_RELEASE)
    if alpine:
        return OSInfo(id="alpine", version_id=alpine, pretty_name=f"Alpine Linux v{alpine}")
    for path in REDHAT_RELEASES:
        found = _from_redhat_release(_text(files, path))
        if found:
            return found
    debian = _text(files, DEBIAN_VERSION)
    if debian:
        major = debian.split(".", 1)[0] if debian[:1].isdigit() else ""
        return OSInfo(id="debian", version_id=major, pretty_name=f"Debian GNU/Linux {debian}")
    return None


def is_distroless(files: Mapping[str, bytes]) -> bool:
    """dpkg ``status.d`` entries but no ``status`` file: a distroless image."""
    return DPKG_STATUS not in files and any(p.startswith(DPKG_STATUS_D) for p in files)


def detect_os(files: Mapping[str, bytes]) -> OSInfo | None:
    """Identify the distribution from the files :func:`wants` selected, or ``None``."""
    info: OSInfo | None = None
    for path in OS_RELEASE_PATHS:
        if path in files:
            info = _from_os_release(parse_os_release(files[path]))
            if info:
                break
    if info is None:
        info = _fallback(files)
    if info is None:
        return None
    info = _fill_version(info, files)
    if is_distroless(files):
        info = replace(info, distroless=True)
    return info
