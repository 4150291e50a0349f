"""Debian control-file ("deb822") stanzas and DEP-5 copyright licences (sans-I/O).

A hand-written reader: the format is a few lines of logic, and a dpkg status file
of a full image (thousands of stanzas) must parse in milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_LICENSE_FIELD = re.compile(r"^License: (?P<license>\S*)")
_COMMON_LICENSE = re.compile(r"/usr/share/common-licenses/(?P<license>[0-9A-Za-z_.\-]+)")
_AGREEMENT = re.compile(r"(?i)^\s*(?P<license>LICENSE AGREEMENT(?: FOR .+?)?)\s*$")
_FORMAT = re.compile(
    r"^Format:\s*https?://www\.debian\.org/doc/packaging-manuals/copyright-format/"
)


def stanzas(text: str) -> Iterator[dict[str, str]]:
    """Each paragraph as ``{field: value}``; continuation lines joined with ``\\n``."""
    current: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line.strip():
            if current:
                yield current
            current, last = {}, ""
            continue
        if line[0] in " \t":
            if last:
                current[last] += "\n" + line[1:]
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        last = key.strip()
        current[last] = value.strip()
    if current:
        yield current


def _single(candidate: str) -> str:
    candidate = candidate.replace("\n", " ").strip()
    if " or " in candidate or " and " in candidate:
        return ""  # a multi-licence summary; the separate License paragraphs list each
    if candidate.lower() == "none":
        return ""
    return candidate.removesuffix(".")


def copyright_licenses(data: bytes) -> tuple[str, ...]:
    """Licences named by a machine-readable (DEP-5) ``copyright`` file, sorted.

    Only files whose first non-blank line is the DEP-5 ``Format:`` header count, as in
    Syft's reader: free-form copyright files yield nothing rather than guesses.
    """
    lines = data.decode("utf-8", "replace").splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not _FORMAT.match(first):
        return ()
    found: set[str] = set()
    for line in lines:
        for pattern in (_LICENSE_FIELD, _COMMON_LICENSE, _AGREEMENT):
            match = pattern.search(line) if pattern is _COMMON_LICENSE else pattern.match(line)
            if match:
                value = _single(match["license"])
                if value:
                    found.add(value)
    return tuple(sorted(found))
