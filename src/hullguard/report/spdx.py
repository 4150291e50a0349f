"""SPDX 2.3 JSON SBOMs, built and validated with ``spdx-tools``.

The subject is the package the document DESCRIBES and CONTAINS every other package;
the OS is a package with purpose ``OPERATING_SYSTEM`` (the JSON schema's
spelling). SPDX ids derive from each
package's bom-ref (its purl), licences that are not SPDX expressions become
``LicenseRef-`` entries with the original text, and evidence/layers are kept in the
package comment as ``hullguard:`` ``name=value`` lines (the CycloneDX property names).
"""

from __future__ import annotations

import hashlib
import io
import re

from license_expression import ExpressionError, LicenseExpression
from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackagePurpose,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

from hullguard.errors import HullguardError
from hullguard.model.package import OSInfo, sorted_packages
from hullguard.model.package import Package as HgPackage
from hullguard.model.sbom import SbomDocument, SubjectKind
from hullguard.report import sbom_common

NAMESPACE_BASE = "https://hullguard.invalid/spdxdocs"
_UNSAFE = re.compile(r"[^A-Za-z0-9.\-]+")
_PURPOSES = {
    SubjectKind.IMAGE: PackagePurpose.CONTAINER,
    SubjectKind.DIRECTORY: PackagePurpose.FILE,
    SubjectKind.SBOM: PackagePurpose.APPLICATION,
}


class SpdxRenderError(HullguardError):
    """The SPDX document failed spdx-tools validation (a hullguard bug: please report it)."""


def spdx_id(kind: str, key: str) -> str:
    """``SPDXRef-<kind>-<readable>-<hash>`` from a content key (purl)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    readable = _UNSAFE.sub("-", key.removeprefix("pkg:"))[:60].strip("-")
    return f"SPDXRef-{kind}-{readable}-{digest}"


class _Licenses:
    """Turns licence strings into SPDX expressions, collecting ``LicenseRef-`` texts."""

    def __init__(self) -> None:
        self.extracted: dict[str, str] = {}

    def _one(self, value: str) -> str:
        try:
            return str(spdx_licensing.parse(value, validate=True, strict=True))
        except ExpressionError:
            pass
        ref = "LicenseRef-" + _UNSAFE.sub("-", value).strip("-")[:60]
        ref += "-" + hashlib.sha256(value.encode()).hexdigest()[:8]
        self.extracted[ref] = value
        return ref

    def expression(self, values: tuple[str, ...]) -> LicenseExpression | SpdxNoAssertion:
        if not values:
            return SpdxNoAssertion()
        parts = sorted({self._one(v) for v in values if v.strip()})
        if not parts:
            return SpdxNoAssertion()
        text = " AND ".join(f"({p})" if " " in p else p for p in parts)
        return spdx_licensing.parse(text)


def _comment(pkg: HgPackage) -> str:
    pairs = [
        ("hullguard:package:type", pkg.type.value),
        ("hullguard:package:foundBy", pkg.found_by),
        ("hullguard:package:sourceName", pkg.source_name),
        ("hullguard:package:sourceVersion", pkg.source_version),
        ("hullguard:package:architecture", pkg.architecture),
        *sbom_common.evidence_properties(pkg.evidence),
    ]
    return "\n".join(f"{k}={v}" for k, v in pairs if v)


def _package(pkg: HgPackage, ref: str, licenses: _Licenses) -> Package:
    refs = []
    if pkg.purl:
        refs.append(
            ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", pkg.purl)
        )
    return Package(
        spdx_id=spdx_id("Package", ref),
        name=pkg.name,
        version=pkg.version or None,
        download_location=SpdxNoAssertion(),
        files_analyzed=False,
        license_concluded=SpdxNoAssertion(),
        license_declared=licenses.expression(pkg.licenses),
        copyright_text=SpdxNoAssertion(),
        source_info=f"acquired package info from {', '.join(e.path for e in pkg.evidence)}"
        if pkg.evidence
        else None,
        comment=_comment(pkg) or None,
        external_references=refs,
        primary_package_purpose=PackagePurpose.LIBRARY,
    )


def _os_package(os_info: OSInfo) -> Package:
    return Package(
        spdx_id=spdx_id("OperatingSystem", os_info.distro_qualifier),
        name=os_info.id,
        version=os_info.version_id or None,
        download_location=SpdxNoAssertion(),
        files_analyzed=False,
        description=os_info.pretty_name or None,
        primary_package_purpose=PackagePurpose.OPERATING_SYSTEM,
    )


def build_document(doc: SbomDocument) -> Document:
    """The spdx-tools model of ``doc``."""
    subject = doc.subject
    serial = sbom_common.serial_uuid(subject)
    safe_name = _UNSAFE.sub("-", subject.name).strip("-") or "subject"
    root = Package(
        spdx_id=spdx_id(subject.kind.value.capitalize(), subject.digest or subject.name),
        name=subject.name,
        version=subject.digest or subject.version or None,
        download_location=SpdxNoAssertion(),
        files_analyzed=False,
        primary_package_purpose=_PURPOSES[subject.kind],
    )
    licenses = _Licenses()
    ordered = tuple(sorted_packages(doc.packages))
    refs = sbom_common.bom_refs(ordered)
    packages = [_package(p, refs[i], licenses) for i, p in enumerate(ordered)]
    if doc.os_info is not None:
        packages.append(_os_package(doc.os_info))
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, root.spdx_id)]
    relationships += [
        Relationship(root.spdx_id, RelationshipType.CONTAINS, p.spdx_id) for p in packages
    ]
    info = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=subject.name,
        document_namespace=f"{NAMESPACE_BASE}/{subject.kind}/{safe_name}-{serial}",
        creators=[Actor(ActorType.TOOL, f"hullguard-{doc.tool_version}")],
        created=doc.created.replace(tzinfo=None),
        data_license="CC0-1.0",
    )
    extracted = [
        ExtractedLicensingInfo(license_id=ref, extracted_text=text, license_name=text)
        for ref, text in sorted(licenses.extracted.items())
    ]
    return Document(
        creation_info=info,
        packages=[root, *packages],
        relationships=relationships,
        extracted_licensing_info=extracted,
    )


def render_spdx(doc: SbomDocument, *, validate: bool = False) -> str:
    """SPDX 2.3 JSON text written by spdx-tools.

    ``validate`` runs spdx-tools' full validation first (seconds for large images; the
    tests validate every shape the renderer produces)."""
    stream = io.StringIO()
    try:
        write_document_to_stream(build_document(doc), stream, validate=validate)
    except ValueError as exc:
        raise SpdxRenderError(f"the SPDX document did not validate: {exc}") from exc
    return stream.getvalue().rstrip("\n") + "\n"
