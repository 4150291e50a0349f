"""Ruby cataloger: installed gem specifications (``specifications/[default/]*.gemspec``).

A gemspec is Ruby code; it is never executed. Like Syft, only simple
``spec.field = "literal"`` / ``["literal", ...]`` assignments are read (with the
``.freeze`` suffixes RubyGems writes), which is what ``gem install`` produces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hullguard.catalog import purls
from hullguard.catalog.interface import CatalogerId, PathCataloger, PathHint, basename, dirname
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, meta_tuple

_ASSIGN = re.compile(
    r"^\s*\w+\.(?P<field>name|version|license|licenses|authors|homepage)\s*=\s*(?P<value>.+)$"
)
_STRING = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'")
_LIT = r"(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')(?:\.freeze)?"
_LITERAL_VALUE = re.compile(
    rf"^(?:{_LIT}|\[\s*(?:{_LIT}\s*(?:,\s*{_LIT}\s*)*)?\])(?:\s+if\s.*)?\s*$"
)


def _literals(value: str) -> list[str]:
    if not _LITERAL_VALUE.match(value.strip()):
        return []  # anything but a literal (a method call, a constant) is Ruby code: skip
    head = value.split(" if ", 1)[0]
    return [double if double or not single else single for double, single in _STRING.findall(head)]


def parse_gemspec(text: str) -> dict[str, list[str]]:
    """``field -> literal strings`` for the fields the cataloger reports."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = _ASSIGN.match(line)
        if match and match["field"] not in out:
            values = _literals(match["value"])
            if values:
                out[match["field"]] = values
    return out


class RubyGemspecCataloger(PathCataloger):
    """Installed Ruby gems."""

    name = CatalogerId.RUBY
    version = 1

    path_hint = PathHint(suffixes=(".gemspec",))

    def wants(self, path: str) -> bool:
        if not path.endswith(".gemspec"):
            return False
        parent = dirname(path)
        return basename(parent) == "specifications" or parent.endswith("/specifications/default")

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        out: list[Package] = []
        for path in sorted(files):
            fields = parse_gemspec(files[path].decode("utf-8", "replace"))
            name = (fields.get("name") or [""])[0]
            version = (fields.get("version") or [""])[0]
            if not name or not version:
                continue
            licenses = tuple(fields.get("licenses") or fields.get("license") or ())
            out.append(
                Package(
                    name=name,
                    version=version,
                    type=PackageType.GEM,
                    purl=purls.gem(name, version),
                    licenses=licenses,
                    evidence=(Evidence(path),),
                    metadata=meta_tuple(
                        {
                            "authors": ", ".join(fields.get("authors", [])),
                            "homepage": (fields.get("homepage") or [""])[0],
                        }
                    ),
                    found_by=CatalogerId.RUBY,
                )
            )
        return out
