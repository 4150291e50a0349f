"""debian-security-support ``security-support-ended.debN`` importer.

Lines: ``SOURCE_PACKAGE  LAST_SUPPORTED_VERSION  END_DATE  [DETAILS...]``
(whitespace separated, ``#`` comments). The package column may be a regular
expression (``php-horde.*``); the version ``0`` means "every version". These
become :class:`SupportEnded` rows for namespace ``debian:N``; the matcher
reports packages past their end date as end-of-life.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from hullguard.vulndb.interface import ImportBatch, SchemaDrift, SourceKind, SupportEnded

_NAME = re.compile(r"security-support-ended\.deb(\d+)$")


class SupportEndedImporter:
    """Early end-of-support lists from the debian-security-support package."""

    kind = SourceKind.DEBIAN_SUPPORT

    def accepts(self, name: str, head: bytes) -> bool:
        return _NAME.search(name) is not None

    def parse(self, name: str, data: bytes) -> Iterator[ImportBatch]:
        match = _NAME.search(name)
        if match is None:
            raise SchemaDrift(name, "<file name>", "is not security-support-ended.debN")
        namespace = f"debian:{match[1]}"
        batch = ImportBatch(SourceKind.DEBIAN_SUPPORT, name)
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 3:
                raise SchemaDrift(name, f"line {number}", "has fewer than 3 columns")
            try:
                date.fromisoformat(parts[2])
            except ValueError as exc:
                raise SchemaDrift(name, f"line {number} end date", f"{parts[2]!r}") from exc
            details = parts[3].strip() if len(parts) > 3 else ""
            batch.support_ended.append(
                SupportEnded(namespace, parts[0], parts[1], parts[2], details)
            )
        yield batch
