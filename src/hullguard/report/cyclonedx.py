"""CycloneDX 1.6 / 1.5 JSON SBOMs, built with ``cyclonedx-python-lib``.

The subject (image or directory) is ``metadata.component``; the OS is an
``operating-system`` component; each package is a ``library`` component whose
bom-ref is its purl, with ``evidence.occurrences`` for its paths and
``hullguard:*`` properties for its layers (see :mod:`hullguard.report.sbom_common`).
"""

from __future__ import annotations

import warnings
from enum import StrEnum

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.license import DisjunctiveLicense, License, LicenseExpression
from cyclonedx.output.json import Json, JsonV1Dot5, JsonV1Dot6
from packageurl import PackageURL

from hullguard.model.package import OSInfo, Package, PackageType
from hullguard.model.sbom import SbomDocument, SubjectKind
from hullguard.report import sbom_common


class CycloneDxVersion(StrEnum):
    """Supported CycloneDX specification versions."""

    V1_6 = "1.6"
    V1_5 = "1.5"


_OUTPUTTERS: dict[CycloneDxVersion, type[Json]] = {
    CycloneDxVersion.V1_6: JsonV1Dot6,
    CycloneDxVersion.V1_5: JsonV1Dot5,
}
_SUBJECT_TYPES = {
    SubjectKind.IMAGE: ComponentType.CONTAINER,
    SubjectKind.DIRECTORY: ComponentType.FILE,
    SubjectKind.SBOM: ComponentType.APPLICATION,
}
_FACTORY = LicenseFactory()


def _licenses(values: tuple[str, ...]) -> list[License]:
    made = [_FACTORY.make_from_string(v) for v in values]
    if len(made) > 1 and any(isinstance(m, LicenseExpression) for m in made):
        # CycloneDX allows one expression or a list of licences, never both
        return [DisjunctiveLicense(name=v) for v in values]
    return made


def _properties(pkg: Package) -> list[Property]:
    pairs = [
        ("hullguard:package:type", pkg.type.value),
        ("hullguard:package:foundBy", pkg.found_by),
        ("hullguard:package:sourceName", pkg.source_name),
        ("hullguard:package:sourceVersion", pkg.source_version),
        ("hullguard:package:architecture", pkg.architecture),
        *((f"hullguard:metadata:{k}", v) for k, v in pkg.metadata),
        *sbom_common.evidence_properties(pkg.evidence),
    ]
    return [Property(name=k, value=v) for k, v in pairs if v]


def _component(pkg: Package, ref: str) -> Component:
    group = pkg.meta("groupId") if pkg.type is PackageType.JAVA else None
    return Component(
        type=ComponentType.LIBRARY,
        name=pkg.name,
        group=group or None,
        version=pkg.version,
        bom_ref=ref,
        purl=PackageURL.from_string(pkg.purl) if pkg.purl else None,
        licenses=_licenses(pkg.licenses),
        properties=_properties(pkg),
        evidence=ComponentEvidence(occurrences=[Occurrence(location=e.path) for e in pkg.evidence])
        if pkg.evidence
        else None,
    )


def _os_component(os_info: OSInfo) -> Component:
    props = [Property(name="hullguard:os:distroless", value="true")] if os_info.distroless else []
    if os_info.id_like:
        props.append(Property(name="hullguard:os:idLike", value=" ".join(os_info.id_like)))
    if os_info.version_codename:
        props.append(Property(name="hullguard:os:codename", value=os_info.version_codename))
    return Component(
        type=ComponentType.OPERATING_SYSTEM,
        name=os_info.id,
        version=os_info.version_id or None,
        description=os_info.pretty_name or None,
        bom_ref=f"os:{os_info.distro_qualifier}",
        properties=props,
    )


def build_bom(doc: SbomDocument) -> Bom:
    """The cyclonedx-python-lib model of ``doc``."""
    subject = doc.subject
    tool = Component(type=ComponentType.APPLICATION, name="hullguard", version=doc.tool_version)
    meta = BomMetaData(
        timestamp=doc.created,
        component=Component(
            type=_SUBJECT_TYPES[subject.kind],
            name=subject.name,
            version=subject.digest or subject.version or None,
            bom_ref=f"subject:{subject.kind}",
        ),
    )
    meta.tools.components.add(tool)
    refs = sbom_common.bom_refs(doc.packages)
    components = [_component(pkg, refs[i]) for i, pkg in enumerate(doc.packages)]
    if doc.os_info is not None:
        components.append(_os_component(doc.os_info))
    bom = Bom(
        serial_number=sbom_common.serial_uuid(subject),
        metadata=meta,
        components=components,
    )
    if meta.component is not None:
        bom.register_dependency(meta.component, components)
    return bom


def render_cyclonedx(doc: SbomDocument, version: CycloneDxVersion = CycloneDxVersion.V1_6) -> str:
    """CycloneDX JSON text (2-space indented, trailing newline)."""
    bom = build_bom(doc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = _OUTPUTTERS[version](bom).output_as_string(indent=2)
    return text + "\n"
