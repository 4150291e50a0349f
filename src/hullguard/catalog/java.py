"""Java cataloger: jar/war/ear (and other zip-based Java archives), nested archives too.

Each ``META-INF/maven/<group>/<artifact>/pom.properties`` is a package (shaded or
bundled artifacts included). Without one, a ``pom.xml`` there with a literal version is
used; then ``MANIFEST.MF``
(``Implementation-*``, ``Bundle-*``, ``Specification-*``) and then to its file name.
Nested archives (``WEB-INF/lib/*.jar``, ``BOOT-INF/lib/*.jar``, ...) are opened up to
:data:`MAX_DEPTH` deep and :data:`MAX_NESTED_BYTES` each; their packages carry the
outer file as evidence and the nested location as ``virtualPath`` metadata.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from hullguard.catalog import purls
from hullguard.catalog.interface import CatalogerId, PathCataloger, PathHint, basename
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, meta_tuple

if TYPE_CHECKING:
    import zipfile

ARCHIVE_SUFFIXES = (
    ".jar", ".war", ".ear", ".par", ".sar", ".nar", ".jpi", ".hpi", ".kar", ".lpkg", ".rar",
)  # fmt: skip
MAX_DEPTH = 4
MAX_NESTED_BYTES = 64 * 1024 * 1024
MAX_METADATA_BYTES = 1024 * 1024
MAX_ENTRIES = 200_000
_POM_PROPERTIES = re.compile(r"^META-INF/maven/[^/]+/[^/]+/pom\.properties$")
_POM_XML = re.compile(r"^META-INF/maven/(?P<group>[^/]+)/(?P<artifact>[^/]+)/pom\.xml$")
_NAME_VERSION = re.compile(
    r"^(?P<name>.+?)-(?P<version>\d[\w.\-+]*?)(?:-(?:sources|javadoc|tests))?$"
)


def parse_properties(text: str) -> dict[str, str]:
    """Java ``.properties`` subset: ``key=value``, ``key:value``, ``#`` comments."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "!")):
            continue
        match = re.match(r"^([^=:\s]+)\s*[=:\s]\s*(.*)$", line)
        if match:
            out[match[1]] = match[2].strip()
    return out


def pom_xml_version(data: bytes) -> str:
    """The project's literal ``<version>`` (or its parent's); ``""`` if templated or absent."""
    # imported here: the walk imports every cataloger for its path test; the XML parser
    # is for the few archives that carry a pom.xml
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as DefusedET

    try:
        root = DefusedET.fromstring(data)
    except (DefusedET.ParseError, DefusedXmlException, ValueError):
        return ""
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    for xpath in (f"{ns}version", f"{ns}parent/{ns}version"):
        node = root.find(xpath)
        text = (node.text or "").strip() if node is not None else ""
        if text:
            return "" if "${" in text else text
    return ""


def parse_manifest(text: str) -> dict[str, str]:
    """The main section of a ``MANIFEST.MF`` (continuation lines start with a space)."""
    out: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line.strip():
            if out:
                break
            continue
        if line.startswith(" ") and last:
            out[last] += line[1:]
            continue
        key, sep, value = line.partition(":")
        if sep:
            last = key.strip()
            out[last] = value.strip()
    return out


class JavaArchiveCataloger(PathCataloger):
    """Maven artifacts inside Java archives."""

    name = CatalogerId.JAVA
    version = 1

    path_hint = PathHint(isuffixes=ARCHIVE_SUFFIXES)

    def wants(self, path: str) -> bool:
        return path.lower().endswith(ARCHIVE_SUFFIXES)

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        out: list[Package] = []
        for path in sorted(files):
            out.extend(archive_packages(path, files[path]))
        return out


def archive_packages(path: str, data: bytes) -> list[Package]:
    """Packages in one archive file (and its nested archives)."""
    return list(_walk(path, basename(path), data, 0))


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    import zipfile

    if info.file_size > limit:
        return None
    try:
        return archive.read(info)[:limit]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return None


def _walk(real_path: str, virtual: str, data: bytes, depth: int) -> Iterator[Package]:
    import zipfile  # here: only images with Java archives need it (~6 ms of import)

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()[:MAX_ENTRIES]
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    poms: list[dict[str, str]] = []
    pom_xmls: list[dict[str, str]] = []
    manifest: dict[str, str] = {}
    nested: list[zipfile.ZipInfo] = []
    for info in infos:
        if _POM_PROPERTIES.match(info.filename):
            raw = _read(archive, info, MAX_METADATA_BYTES)
            if raw is not None:
                poms.append(parse_properties(raw.decode("utf-8", "replace")))
        elif match := _POM_XML.match(info.filename):
            raw = _read(archive, info, MAX_METADATA_BYTES)
            version = pom_xml_version(raw) if raw else ""
            if version:
                pom_xmls.append(
                    {"groupId": match["group"], "artifactId": match["artifact"], "version": version}
                )
        elif info.filename == "META-INF/MANIFEST.MF":
            raw = _read(archive, info, MAX_METADATA_BYTES)
            manifest = parse_manifest(raw.decode("utf-8", "replace")) if raw else {}
        elif info.filename.lower().endswith(ARCHIVE_SUFFIXES) and not info.is_dir():
            nested.append(info)
    found = [p for p in (_from_pom(pom, real_path, virtual) for pom in poms) if p]
    if not found:  # no pom.properties: a pom.xml with a literal version still names the artifact
        found = [p for p in (_from_pom(pom, real_path, virtual) for pom in pom_xmls) if p]
    if not found:
        fallback = _from_manifest(manifest, real_path, virtual)
        found = [fallback] if fallback else []
    yield from found
    if depth + 1 >= MAX_DEPTH:
        return
    for info in nested:
        inner = _read(archive, info, MAX_NESTED_BYTES)
        if inner is not None:
            yield from _walk(real_path, f"{virtual}:{info.filename}", inner, depth + 1)


def _package(
    group: str, artifact: str, version: str, path: str, virtual: str, source: str
) -> Package:
    return Package(
        name=artifact,
        version=version,
        type=PackageType.JAVA,
        purl=purls.maven(group, artifact, version),
        evidence=(Evidence(path),),
        metadata=meta_tuple({"groupId": group, "virtualPath": virtual, "metadataSource": source}),
        found_by=CatalogerId.JAVA,
    )


def _from_pom(pom: dict[str, str], path: str, virtual: str) -> Package | None:
    group, artifact, version = pom.get("groupId"), pom.get("artifactId"), pom.get("version")
    if not group or not artifact or not version:
        return None
    return _package(group, artifact, version, path, virtual, "pom.properties")


def _from_manifest(manifest: dict[str, str], path: str, virtual: str) -> Package | None:
    stem = basename(virtual.rsplit(":", 1)[-1]).rsplit(".", 1)[0]
    match = _NAME_VERSION.match(stem)
    name = (
        manifest.get("Implementation-Title")
        or manifest.get("Bundle-SymbolicName", "").split(";")[0].strip()
        or manifest.get("Specification-Title")
        or (match["name"] if match else stem)
    )
    version = (
        manifest.get("Implementation-Version")
        or manifest.get("Bundle-Version")
        or manifest.get("Specification-Version")
        or (match["version"] if match else "")
    )
    if match and name == manifest.get("Bundle-SymbolicName", "").split(";")[0].strip():
        name = match["name"]  # prefer the artifact-style file name over an OSGi id
    if not name or not version:
        return None
    group = manifest.get("Implementation-Vendor-Id") or name
    return _package(group, name, version, path, virtual, "MANIFEST.MF")
