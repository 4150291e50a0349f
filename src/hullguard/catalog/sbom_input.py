"""Read SBOMs made by other tools (CycloneDX JSON, SPDX 2.x JSON, Syft JSON) into packages.

Lets the vulnerability scan run on an SBOM without the image. Parsing is lenient about
optional fields and strict about shape: a document that is not one of these formats
raises :class:`SbomInputError`. Package type comes from the purl type; the OS from an
``operating-system`` component / package, else from a purl ``distro=`` qualifier.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from packageurl import PackageURL

from hullguard.catalog.interface import CatalogError
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, Purl, meta_tuple
from hullguard.model.sbom import SbomSubject, SubjectKind
from hullguard.report.sbom_common import parse_evidence_properties

MAX_SBOM_BYTES = 256 * 1024 * 1024
_MAX_DEPTH = 32
_PURL_TYPES: dict[str, PackageType] = {
    "deb": PackageType.DEB,
    "apk": PackageType.APK,
    "rpm": PackageType.RPM,
    "pypi": PackageType.PYTHON,
    "npm": PackageType.NPM,
    "golang": PackageType.GOLANG,
    "maven": PackageType.JAVA,
    "gem": PackageType.GEM,
    "cargo": PackageType.CARGO,
    "composer": PackageType.COMPOSER,
    "nuget": PackageType.NUGET,
}


class SbomInputError(CatalogError):
    """An input SBOM could not be read."""


@dataclass(frozen=True)
class SbomInput:
    """What an input SBOM states."""

    packages: tuple[Package, ...]
    os_info: OSInfo | None
    subject: SbomSubject
    format: str


def _purl_parts(purl: str) -> tuple[PackageType, dict[str, str]] | None:
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    quals = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
    kind = _PURL_TYPES.get(parsed.type, PackageType.BINARY)
    if kind is PackageType.GOLANG and parsed.name == "stdlib" and not parsed.namespace:
        kind = PackageType.GO_STDLIB
    return kind, {str(k): str(v) for k, v in quals.items()}


def _package(
    name: str,
    version: str,
    purl: str,
    licenses: tuple[str, ...],
    evidence: tuple[Evidence, ...],
    props: dict[str, str],
) -> Package | None:
    if not name:
        return None
    parts = _purl_parts(purl) if purl else None
    kind, quals = parts if parts else (PackageType.BINARY, {})
    declared = props.get("hullguard:package:type", "")
    if declared in PackageType._value2member_map_:
        kind = PackageType(declared)
    upstream = quals.get("upstream", "")
    src_name, _, src_version = upstream.partition("@")
    return Package(
        name=name,
        version=version,
        type=kind,
        purl=Purl(purl),
        licenses=licenses,
        source_name=props.get("hullguard:package:sourceName", "") or src_name,
        source_version=props.get("hullguard:package:sourceVersion", "") or src_version,
        architecture=props.get("hullguard:package:architecture", "") or quals.get("arch", ""),
        evidence=evidence,
        metadata=meta_tuple({"distro": quals.get("distro", "")}),
        found_by=props.get("hullguard:package:foundBy", "") or "sbom-input",
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _os_from_distro(packages: list[Package]) -> OSInfo | None:
    for pkg in packages:
        distro = pkg.meta("distro")
        if pkg.type.is_os and distro:
            os_id, _, version = distro.partition("-")
            return OSInfo(id=os_id, version_id=version)
    return None


# -- CycloneDX ---------------------------------------------------------------------------


def _cdx_licenses(component: dict[str, Any]) -> tuple[str, ...]:
    out = []
    for item in _list(component.get("licenses")):
        if not isinstance(item, dict):
            continue
        if _str(item.get("expression")):
            out.append(item["expression"])
        lic = item.get("license")
        if isinstance(lic, dict):
            value = _str(lic.get("id")) or _str(lic.get("name"))
            if value:
                out.append(value)
    return tuple(out)


def _cdx_components(items: list[Any], depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        raise SbomInputError("CycloneDX components are nested too deeply")
    for item in items:
        if isinstance(item, dict):
            yield item
            yield from _cdx_components(_list(item.get("components")), depth + 1)


def _cdx_evidence(component: dict[str, Any], props: list[tuple[str, str]]) -> tuple[Evidence, ...]:
    evidence = parse_evidence_properties(props)
    if evidence:
        return evidence
    paths = {
        _str(o.get("location"))
        for o in _list((component.get("evidence") or {}).get("occurrences"))
        if isinstance(o, dict)
    }
    paths |= {v for k, v in props if k.startswith("syft:location:") and k.endswith(":path")}
    return tuple(sorted(Evidence(p) for p in paths if p))


def _read_cyclonedx(doc: dict[str, Any]) -> SbomInput:
    packages: list[Package] = []
    os_info: OSInfo | None = None
    for comp in _cdx_components(_list(doc.get("components"))):
        props = [
            (_str(p.get("name")), _str(p.get("value")))
            for p in _list(comp.get("properties"))
            if isinstance(p, dict)
        ]
        if comp.get("type") == "operating-system":
            os_info = OSInfo(
                id=_str(comp.get("name")).lower(),
                version_id=_str(comp.get("version")),
                pretty_name=_str(comp.get("description")),
                distroless=("hullguard:os:distroless", "true") in props,
            )
            continue
        name = _str(comp.get("name"))
        group = _str(comp.get("group"))
        purl = _str(comp.get("purl"))
        if group and not purl.startswith("pkg:maven/") and not name.startswith("@"):
            name = f"{group}/{name}"
        pkg = _package(
            name,
            _str(comp.get("version")),
            purl,
            _cdx_licenses(comp),
            _cdx_evidence(comp, props),
            dict(props),
        )
        if pkg is not None:
            packages.append(pkg)
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    subject_comp = meta.get("component") if isinstance(meta, dict) else None
    subject = _subject(subject_comp if isinstance(subject_comp, dict) else {})
    return SbomInput(tuple(packages), os_info or _os_from_distro(packages), subject, "cyclonedx")


def _subject(comp: dict[str, Any]) -> SbomSubject:
    version = _str(comp.get("version"))
    digest = version if version.startswith("sha256:") else ""
    kind = SubjectKind.IMAGE if comp.get("type") == "container" else SubjectKind.SBOM
    return SbomSubject(_str(comp.get("name")) or "sbom", kind, digest, version)


# -- SPDX --------------------------------------------------------------------------------


def _spdx_license(value: str) -> tuple[str, ...]:
    return () if value in ("", "NOASSERTION", "NONE") else (value,)


def _read_spdx(doc: dict[str, Any]) -> SbomInput:
    packages: list[Package] = []
    os_info: OSInfo | None = None
    described = {
        _str(r.get("relatedSpdxElement"))
        for r in _list(doc.get("relationships"))
        if isinstance(r, dict) and r.get("relationshipType") == "DESCRIBES"
    } | {_str(x) for x in _list(doc.get("documentDescribes"))}
    subject = SbomSubject(_str(doc.get("name")) or "sbom", SubjectKind.SBOM)
    for item in _list(doc.get("packages")):
        if not isinstance(item, dict):
            continue
        if item.get("primaryPackagePurpose") in ("OPERATING_SYSTEM", "OPERATING-SYSTEM"):
            os_info = OSInfo(
                id=_str(item.get("name")).lower(), version_id=_str(item.get("versionInfo"))
            )
            continue
        purl = next(
            (
                _str(r.get("referenceLocator"))
                for r in _list(item.get("externalRefs"))
                if isinstance(r, dict) and r.get("referenceType") == "purl"
            ),
            "",
        )
        if _str(item.get("SPDXID")) in described and not purl:
            subject = _spdx_subject(item)
            continue
        props = [
            (k, v)
            for line in _str(item.get("comment")).splitlines()
            for k, _, v in [line.partition("=")]
            if k.startswith("hullguard:")
        ]
        pkg = _package(
            _str(item.get("name")),
            _str(item.get("versionInfo")),
            purl,
            _spdx_license(_str(item.get("licenseDeclared")))
            or _spdx_license(_str(item.get("licenseConcluded"))),
            parse_evidence_properties(props),
            dict(props),
        )
        if pkg is not None:
            packages.append(pkg)
    return SbomInput(tuple(packages), os_info or _os_from_distro(packages), subject, "spdx")


def _spdx_subject(item: dict[str, Any]) -> SbomSubject:
    version = _str(item.get("versionInfo"))
    kind = (
        SubjectKind.IMAGE if item.get("primaryPackagePurpose") == "CONTAINER" else SubjectKind.SBOM
    )
    digest = version if version.startswith("sha256:") else ""
    return SbomSubject(_str(item.get("name")) or "sbom", kind, digest, version)


# -- Syft JSON ---------------------------------------------------------------------------


def _read_syft(doc: dict[str, Any]) -> SbomInput:
    packages: list[Package] = []
    for art in _list(doc.get("artifacts")):
        if not isinstance(art, dict):
            continue
        licenses = tuple(
            (lic if isinstance(lic, str) else _str(lic.get("value")))
            for lic in _list(art.get("licenses"))
            if isinstance(lic, str | dict)
        )
        evidence = tuple(
            sorted(
                Evidence(_str(loc.get("path")), None, _str(loc.get("layerID")) or None)
                for loc in _list(art.get("locations"))
                if isinstance(loc, dict) and _str(loc.get("path"))
            )
        )
        pkg = _package(
            _str(art.get("name")),
            _str(art.get("version")),
            _str(art.get("purl")),
            tuple(x for x in licenses if x),
            evidence,
            {"hullguard:package:foundBy": _str(art.get("foundBy"))},
        )
        if pkg is not None:
            packages.append(pkg)
    distro = doc.get("distro") if isinstance(doc.get("distro"), dict) else {}
    os_info = (
        OSInfo(
            id=_str(distro.get("id")),
            version_id=_str(distro.get("versionID")),
            pretty_name=_str(distro.get("prettyName")),
            id_like=tuple(x for x in _list(distro.get("idLike")) if isinstance(x, str)),
        )
        if isinstance(distro, dict) and _str(distro.get("id"))
        else None
    )
    source = doc.get("source")
    source = source if isinstance(source, dict) else {}
    target = source.get("target")
    target = target if isinstance(target, dict) else {}
    subject = SbomSubject(
        _str(target.get("userInput")) or "sbom",
        SubjectKind.IMAGE if source.get("type") == "image" else SubjectKind.SBOM,
        _str(target.get("manifestDigest")),
    )
    return SbomInput(tuple(packages), os_info or _os_from_distro(packages), subject, "syft-json")


def read_sbom(data: bytes) -> SbomInput:
    """Parse a CycloneDX, SPDX or Syft JSON SBOM."""
    if len(data) > MAX_SBOM_BYTES:
        raise SbomInputError("the SBOM is larger than 256 MiB", hint="split it or raise the limit")
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SbomInputError(
            f"the SBOM is not valid JSON: {exc}", hint="give a CycloneDX or SPDX JSON file"
        ) from exc
    if not isinstance(doc, dict):
        raise SbomInputError(
            "the SBOM is not a JSON object", hint="give a CycloneDX or SPDX JSON file"
        )
    if doc.get("bomFormat") == "CycloneDX":
        return _read_cyclonedx(doc)
    if _str(doc.get("spdxVersion")).startswith("SPDX-2"):
        return _read_spdx(doc)
    if isinstance(doc.get("artifacts"), list) and isinstance(doc.get("schema"), dict):
        return _read_syft(doc)
    raise SbomInputError(
        "the JSON document is not a CycloneDX, SPDX 2.x or Syft SBOM",
        hint="XML and tag-value SBOMs are not supported; convert them to JSON",
    )
