"""Image hardening audit: what the final filesystem and the config say about how it will run.

Sans-I/O: takes the image config, the final file records and the detected OS,
returns findings. Checks: runs as root; shell and package manager present (not
a minimal/distroless image); setuid/setgid executables; world-writable
directories without the sticky bit; an SSH server or port 22; an end-of-life
operating system.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hullguard.model.image import FileRecord, FileType, ImageConfig
from hullguard.model.package import OSInfo
from hullguard.model.severity import Severity

SHELLS = ("/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash", "/bin/ash", "/bin/busybox")
PACKAGE_MANAGERS = (
    "/usr/bin/apt",
    "/usr/bin/apt-get",
    "/usr/bin/dpkg",
    "/sbin/apk",
    "/usr/bin/yum",
    "/usr/bin/dnf",
    "/usr/bin/microdnf",
    "/usr/bin/rpm",
    "/usr/bin/zypper",
)
SSH_SERVERS = ("/usr/sbin/sshd", "/usr/sbin/dropbear")

#: end of (all) security support, from each distribution's published lifecycle
EOL: dict[tuple[str, str], dt.date] = {
    ("debian", "8"): dt.date(2020, 6, 30),
    ("debian", "9"): dt.date(2022, 6, 30),
    ("debian", "10"): dt.date(2024, 6, 30),
    ("debian", "11"): dt.date(2026, 8, 31),
    ("debian", "12"): dt.date(2028, 6, 30),
    ("debian", "13"): dt.date(2030, 6, 30),
    ("ubuntu", "16.04"): dt.date(2021, 4, 30),
    ("ubuntu", "18.04"): dt.date(2023, 5, 31),
    ("ubuntu", "20.04"): dt.date(2025, 5, 31),
    ("ubuntu", "22.04"): dt.date(2027, 6, 1),
    ("ubuntu", "24.04"): dt.date(2029, 5, 31),
    ("alpine", "3.15"): dt.date(2023, 11, 1),
    ("alpine", "3.16"): dt.date(2024, 5, 23),
    ("alpine", "3.17"): dt.date(2024, 11, 22),
    ("alpine", "3.18"): dt.date(2025, 5, 9),
    ("alpine", "3.19"): dt.date(2025, 11, 1),
    ("alpine", "3.20"): dt.date(2026, 4, 1),
    ("alpine", "3.21"): dt.date(2026, 11, 1),
    ("alpine", "3.22"): dt.date(2027, 5, 1),
    ("centos", "7"): dt.date(2024, 6, 30),
    ("centos", "8"): dt.date(2021, 12, 31),
}


@dataclass(frozen=True, order=True)
class ImageFinding:
    """One hardening finding about an image."""

    rule_id: str
    path: str
    severity: Severity
    title: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "title": self.title,
            "path": self.path,
            "message": self.message,
        }


_NAMED = frozenset(SHELLS + PACKAGE_MANAGERS + SSH_SERVERS)


def relevant(record: FileRecord) -> bool:
    """Whether ``audit_image`` looks at this record (lets callers cache a small subset)."""
    if record.path in _NAMED:
        return True
    if record.type is FileType.FILE:
        return bool(record.mode & 0o6000 and record.mode & 0o111)
    return record.type is FileType.DIR and bool(record.mode & 0o002)


def _is_root(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in ("", "root", "0")


def _release(os_info: OSInfo) -> str:
    parts = os_info.version_id.split(".")
    if os_info.id in ("alpine",) and len(parts) >= 2:
        return ".".join(parts[:2])
    if os_info.id == "ubuntu":
        return os_info.version_id
    return parts[0] if parts else ""


def eol_date(os_info: OSInfo | None) -> dt.date | None:
    if os_info is None:
        return None
    return EOL.get((os_info.id, _release(os_info)))


def audit_image(
    config: ImageConfig,
    final: Iterable[FileRecord],
    os_info: OSInfo | None,
    today: dt.date,
) -> list[ImageFinding]:
    """Hardening findings for an image, sorted."""
    records = {r.path: r for r in final}
    out: list[ImageFinding] = []
    if _is_root(config.user):
        out.append(
            ImageFinding(
                "IMG001", "config:User", Severity.HIGH, "Image runs as root",
                "set a non-root USER in the Dockerfile (e.g. USER 65532:65532)",
            )
        )  # fmt: skip
    shells = [p for p in SHELLS if p in records]
    if shells:
        out.append(
            ImageFinding(
                "IMG002", shells[0], Severity.LOW, "Shell present",
                "a shell helps an intruder; consider a distroless or scratch-based final stage",
            )
        )  # fmt: skip
    managers = [p for p in PACKAGE_MANAGERS if p in records]
    if managers:
        out.append(
            ImageFinding(
                "IMG003", managers[0], Severity.LOW, "Package manager present",
                "remove the package manager from the final stage (multi-stage build)",
            )
        )  # fmt: skip
    for rec in records.values():
        if rec.type is FileType.FILE and rec.mode & 0o6000 and rec.mode & 0o111:
            bit = "setuid" if rec.mode & 0o4000 else "setgid"
            out.append(
                ImageFinding(
                    "IMG004", rec.path, Severity.MEDIUM, f"{bit} executable",
                    f"remove the {bit} bit (chmod u-s,g-s) unless the program needs it",
                )
            )  # fmt: skip
        elif rec.type is FileType.DIR and rec.mode & 0o002 and not rec.mode & 0o1000:
            out.append(
                ImageFinding(
                    "IMG005", rec.path, Severity.MEDIUM, "World-writable directory",
                    "drop o+w or set the sticky bit (chmod o-w or chmod +t)",
                )
            )  # fmt: skip
    for path in SSH_SERVERS:
        if path in records:
            out.append(
                ImageFinding(
                    "IMG006", path, Severity.HIGH, "SSH server installed",
                    "do not run sshd in containers; use kubectl exec / docker exec",
                )
            )  # fmt: skip
    if any(p.split("/")[0] == "22" for p in config.exposed_ports):
        out.append(
            ImageFinding(
                "IMG007", "config:ExposedPorts", Severity.MEDIUM, "Port 22 exposed",
                "remove EXPOSE 22; containers should not offer SSH",
            )
        )  # fmt: skip
    end = eol_date(os_info)
    if os_info is not None and end is not None and end < today:
        out.append(
            ImageFinding(
                "IMG008", "/etc/os-release", Severity.HIGH, "End-of-life operating system",
                f"{os_info.pretty_name or os_info.id} lost security support on {end}; "
                "rebuild on a supported release",
            )
        )  # fmt: skip
    return sorted(out, key=lambda f: (-f.severity.rank, f.rule_id, f.path))


def render_lines(findings: Sequence[ImageFinding]) -> list[str]:
    lines = [f"Image hardening: {len(findings)} finding(s)"]
    for f in findings:
        lines.append(f"  {f.severity.value:<8} {f.rule_id}  {f.title}: {f.path}")
        lines.append(f"           {f.message}")
    return lines
