"""What an SBOM describes: its subject (image or directory) and the packages in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hullguard.model.package import OSInfo, Package


class SubjectKind(StrEnum):
    """What was scanned."""

    IMAGE = "image"
    DIRECTORY = "directory"
    SBOM = "sbom"


@dataclass(frozen=True)
class SbomSubject:
    """The thing an SBOM is about. ``digest`` is the image (manifest) digest when known;
    it seeds the serial number, so the same image always gets the same one."""

    name: str
    kind: SubjectKind
    digest: str = ""
    version: str = ""


@dataclass(frozen=True)
class SbomDocument:
    """Everything a renderer needs; ``created`` is injected (never read from a clock here)."""

    subject: SbomSubject
    os_info: OSInfo | None
    packages: tuple[Package, ...]
    created: datetime
    tool_version: str
