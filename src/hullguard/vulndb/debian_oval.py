"""Debian OVAL importer (``oval-definitions-<codename>.xml[.bz2]``), the fallback source.

Each definition names one (CVE or DSA, source package) and a criterion
``<dpkginfo_test>`` -> object (package name) + state (``evr less than V``).
We resolve test -> object/state ids, not the human comments. Entries become
"affected before V" for the release found in the ``Debian GNU/Linux N``
platform.

The version ``0`` ("earlier than 0") is used by the tracker for both "not
affected" and "no fix yet", and OVAL cannot tell them apart. We follow OVAL
evaluation semantics: the criterion can never be true, so no finding is
produced; the entry is stored as *undetermined* (it never overrides the
Debian tracker, which knows open issues). XML is parsed with defusedxml.
"""

from __future__ import annotations

import bz2
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from defusedxml.ElementTree import iterparse

from hullguard.vulndb.interface import (
    Advisory,
    AffectedEntry,
    EntryStatus,
    ImportBatch,
    SchemaDrift,
    SourceKind,
    VulnId,
)

_DEF_NS = "{http://oval.mitre.org/XMLSchema/oval-definitions-5}"
_PLATFORM = re.compile(r"Debian GNU/Linux (\d+)")
_MAX_XML = 512 << 20  # decompressed bound: the real files are ~55 MB


@dataclass
class _Definition:
    title: str = ""
    platform: str = ""
    description: str = ""
    refs: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)


@dataclass
class _Tables:
    tests: dict[str, tuple[str, str]] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)
    definitions: list[_Definition] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _definition(elem: Any) -> _Definition:
    out = _Definition()
    meta = elem.find(f"{_DEF_NS}metadata")
    if meta is not None:
        out.title = (meta.findtext(f"{_DEF_NS}title") or "").strip()
        out.platform = meta.findtext(f"{_DEF_NS}affected/{_DEF_NS}platform") or ""
        out.description = (meta.findtext(f"{_DEF_NS}description") or "").strip()
        out.refs = [r.get("ref_id", "") for r in meta.iter(f"{_DEF_NS}reference")]
    out.tests = [c.get("test_ref", "") for c in elem.iter(f"{_DEF_NS}criterion")]
    return out


def _collect(name: str, stream: io.BufferedIOBase) -> _Tables:
    tables = _Tables()
    for _event, elem in iterparse(stream, events=("end",)):
        tag = _local(elem.tag)
        if tag == "definition":
            tables.definitions.append(_definition(elem))
            elem.clear()
        elif tag == "dpkginfo_test":
            obj, ste = elem.find("*[@object_ref]"), elem.find("*[@state_ref]")
            if obj is not None and ste is not None:
                tables.tests[elem.get("id", "")] = (obj.get("object_ref"), ste.get("state_ref"))
        elif tag == "dpkginfo_object":
            tables.objects[elem.get("id", "")] = "".join(elem.itertext()).strip()
        elif tag == "dpkginfo_state":
            tables.states[elem.get("id", "")] = "".join(elem.itertext()).strip()
    if not tables.definitions:
        raise SchemaDrift(name, "definitions", "holds no <definition> elements")
    return tables


def _entries(name: str, tables: _Tables, d: _Definition) -> Iterator[tuple[VulnId, str, str, str]]:
    match = _PLATFORM.search(d.platform)
    if match is None:
        raise SchemaDrift(name, "definition/metadata/affected/platform", f"{d.platform!r}")
    ident = VulnId(d.title.split(" ", 1)[0])
    for test in d.tests:
        if test not in tables.tests:
            continue  # release/architecture tests
        obj, ste = tables.tests[test]
        if obj not in tables.objects or ste not in tables.states:
            raise SchemaDrift(name, f"dpkginfo_test {test}", "points to a missing object/state")
        evr = tables.states[ste]
        yield ident, f"debian:{match[1]}", tables.objects[obj], evr.removeprefix("0:")


def _entry(vuln: VulnId, namespace: str, package: str, fixed: str) -> AffectedEntry:
    if fixed == "0":
        return AffectedEntry(
            vuln, namespace, package, SourceKind.DEBIAN_OVAL, EntryStatus.UNDETERMINED
        )
    events = [{"introduced": "0"}, {"fixed": fixed}]
    return AffectedEntry(
        vuln,
        namespace,
        package,
        SourceKind.DEBIAN_OVAL,
        EntryStatus.AFFECTED,
        affected={"ranges": [{"type": "ECOSYSTEM", "events": events}], "versions": []},
        fixed=(fixed,),
    )


def _open(name: str, data: bytes) -> io.BufferedIOBase:
    if not data.startswith(b"BZh"):
        return io.BytesIO(data)
    decompressor = bz2.BZ2Decompressor()
    try:
        xml = decompressor.decompress(data, max_length=_MAX_XML)
    except (OSError, EOFError, ValueError) as exc:
        raise SchemaDrift(name, "<bz2>", f"is corrupt: {exc}") from exc
    if not decompressor.eof:
        problem = "is over the size limit" if len(xml) >= _MAX_XML else "is truncated"
        raise SchemaDrift(name, "<bz2>", problem)
    return io.BytesIO(xml)


class DebianOvalImporter:
    """Debian OVAL definitions (plain or bzip2)."""

    kind = SourceKind.DEBIAN_OVAL

    def accepts(self, name: str, head: bytes) -> bool:
        base = name.rsplit("/", 1)[-1]
        return base.startswith("oval-definitions") and base.endswith((".xml", ".xml.bz2"))

    def parse(self, name: str, data: bytes) -> Iterator[ImportBatch]:
        stream = _open(name, data)
        try:
            tables = _collect(name, stream)
        except SchemaDrift:
            raise
        except Exception as exc:  # ParseError, defusedxml's DTD/entity refusals
            raise SchemaDrift(name, "<document>", f"is not valid OVAL XML: {exc}") from exc
        batch = ImportBatch(SourceKind.DEBIAN_OVAL, name)
        for d in tables.definitions:
            aliases = tuple(sorted({r for r in d.refs if r and r != d.title.split(" ")[0]}))
            first = True
            for vuln, namespace, package, fixed in _entries(name, tables, d):
                batch.entries.append(_entry(vuln, namespace, package, fixed))
                if first:
                    batch.advisories.append(
                        Advisory(vuln, SourceKind.DEBIAN_OVAL, aliases, details=d.description)
                    )
                    first = False
        yield batch
