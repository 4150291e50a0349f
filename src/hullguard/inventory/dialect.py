"""SQL dialects of the inventory (SQLite, PostgreSQL) and database targets. Sans-I/O.

The inventory's SQL is written once, in the portable subset both engines accept
(``?`` placeholders, ``INSERT ... ON CONFLICT``, ``RETURNING``, partial indexes),
and in SQLite's spelling for DDL. A :class:`Dialect` renders it for its engine:

- statements: ``?`` placeholders become the driver's (``%s`` for psycopg, with
  literal ``%`` doubled);
- schema scripts: per-dialect rewrite rules (PostgreSQL: ``INTEGER`` -> ``BIGINT``,
  since SQLite integers are 64-bit; a column ``BIGINT PRIMARY KEY`` -> an identity
  column; ``WITHOUT ROWID`` dropped).

Engines are chosen through :class:`Engine` and the :data:`DIALECTS` registry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from hullguard.errors import UsageError


class Engine(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True)
class DatabaseTarget:
    """Where an inventory lives: a SQLite file or a PostgreSQL URL."""

    engine: Engine
    location: str

    @classmethod
    def sqlite(cls, path: Path) -> DatabaseTarget:
        return cls(Engine.SQLITE, str(path))

    @property
    def path(self) -> Path | None:
        """The SQLite file (None for a server database)."""
        return Path(self.location) if self.engine is Engine.SQLITE else None

    @property
    def label(self) -> str:
        """For messages: the path, or the URL with any password masked."""
        return redact(self.location)


_SQLITE_PREFIX = "sqlite:///"
#: bound parameters per ``IN (…)`` list on SQLite (its limit is 32,766)
_CHUNK = 500
#: URL schemes of each server engine (SQLAlchemy's driver suffix accepted)
SCHEMES: dict[str, Engine] = {
    "postgresql": Engine.POSTGRESQL,
    "postgres": Engine.POSTGRESQL,
    "postgresql+psycopg": Engine.POSTGRESQL,
}


def parse_target(text: str) -> DatabaseTarget:
    """``PATH``, ``sqlite:///PATH`` or ``postgresql://…`` (``postgres://`` too)."""
    if text.startswith(_SQLITE_PREFIX):
        return DatabaseTarget(Engine.SQLITE, text[len(_SQLITE_PREFIX) - 1 :])
    scheme, sep, rest = text.partition("://")
    if not sep:
        return DatabaseTarget(Engine.SQLITE, text)
    engine = SCHEMES.get(scheme.lower())
    if engine is None:
        raise UsageError(
            f"unsupported database URL {redact(text)!r}",
            hint="use a path, sqlite:///PATH or postgresql://USER@HOST:PORT/DBNAME",
        )
    return DatabaseTarget(engine, f"postgresql://{rest}")


_PASSWORD = re.compile(r"(://[^:/@\s\"]*:)[^@\s\"]*@")
_PASSWORD_PARAM = re.compile(r"(password=)[^&\s\"]*", re.I)


def redact(text: str) -> str:
    """``text`` with the password of any URL (or ``password=`` parameter) masked."""
    return _PASSWORD_PARAM.sub(r"\1***", _PASSWORD.sub(r"\1***@", text))


@dataclass(frozen=True)
class Dialect:
    """How one engine spells the inventory's SQL."""

    engine: Engine
    placeholder: str
    #: (pattern, replacement) applied in order to every schema step
    schema_rules: tuple[tuple[re.Pattern[str], str], ...]
    #: rows of the current schema's table named by the one parameter
    table_exists: str
    #: (name, CREATE statement) of the non-unique indexes of the table named by the
    #: one parameter (dropped and re-created around a first bulk fill)
    index_definitions: str
    #: pass id lists as one array parameter (else: chunks of ``?`` marks)
    id_array: bool = False

    def render(self, sql: str) -> str:
        """A statement written with ``?`` placeholders, in this engine's spelling."""
        return _render(sql, self.placeholder)

    def in_lists(self, ids: Sequence[int]) -> Iterator[tuple[str, Sequence[Any]]]:
        """Contents for ``IN (…)`` with their parameters: one array, or chunks of marks."""
        if self.id_array:  # one round trip however many ids; text binds faster than a list
            yield "SELECT unnest(string_to_array(?, ',')::bigint[])", (",".join(map(str, ids)),)
            return
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            yield ",".join("?" * len(chunk)), chunk

    def schema_statements(self, script: str) -> list[str]:
        """One migration step rendered for this engine, split into statements."""
        for pattern, replacement in self.schema_rules:
            script = pattern.sub(replacement, script)
        return [s.strip() for s in script.split(";") if s.strip()]


@lru_cache(maxsize=512)
def _render(sql: str, placeholder: str) -> str:
    if placeholder == "?":
        return sql
    # ``?`` only outside quoted literals; every literal % doubled (psycopg reads them all)
    parts = re.split(r"('(?:[^']|'')*')", sql.replace("%", "%%"))
    return "".join(
        part if i % 2 else part.replace("?", placeholder) for i, part in enumerate(parts)
    )


_PG_RULES = (
    (re.compile(r"\bWITHOUT\s+ROWID\b", re.I), ""),
    (re.compile(r"\bAUTOINCREMENT\b", re.I), ""),
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (
        re.compile(r"\bBIGINT\s+PRIMARY\s+KEY\b", re.I),
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
)

DIALECTS: dict[Engine, Dialect] = {
    Engine.SQLITE: Dialect(
        Engine.SQLITE,
        "?",
        (),
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
    ),
    Engine.POSTGRESQL: Dialect(
        Engine.POSTGRESQL,
        "%s",
        _PG_RULES,
        "SELECT 1 FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_name = ?",
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ? AND indexdef NOT LIKE 'CREATE UNIQUE%' ORDER BY indexname",
        id_array=True,
    ),
}
