"""Connections to an inventory database: one class per engine, one interface.

:class:`Connection` is what :class:`~hullguard.inventory.store.InventoryStore`
talks to. Statements are written with ``?`` placeholders and rendered by the
engine's :class:`~hullguard.inventory.dialect.Dialect`. Transactions:

- SQLite: ``BEGIN IMMEDIATE`` (one writer at a time per file, readers unblocked
  by WAL);
- PostgreSQL: a READ COMMITTED transaction; writers that must not interleave
  (two workers storing the same image digest, two processes migrating a fresh
  database) take a transaction-scoped advisory lock with :meth:`Connection.lock`.

Driver exceptions are mapped to :class:`InventoryError` here, with the URL's
password masked.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Protocol

import psycopg
from psycopg import sql

from hullguard.inventory.dialect import DIALECTS, DatabaseTarget, Dialect, Engine, redact
from hullguard.inventory.interface import InventoryError

_CONNECT_TIMEOUT = 10
#: SQLite page cache for bulk writes (negative: KiB), 256 MiB
_BULK_CACHE_KIB = -262144


#: a row as (head, tail): the tail object is shared by many rows (encoded once per object)
SharedRow = tuple[tuple[Any, ...], tuple[Any, ...]]
#: rows per write to a COPY stream
_COPY_CHUNK = 20_000


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """One open inventory database."""

    target: DatabaseTarget
    dialect: Dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...
    def copy_rows(self, table: str, columns: int, rows: Iterable[Sequence[Any]]) -> None: ...
    def copy_shared(self, table: str, columns: int, rows: Iterable[SharedRow]) -> None: ...
    def transaction(self) -> AbstractContextManager[None]: ...
    def lock(self, key: str) -> None: ...
    def lock_table(self, table: str) -> None: ...
    def bulk(self) -> AbstractContextManager[None]: ...
    def table_exists(self, name: str) -> bool: ...
    def close(self) -> None: ...


class Rows:
    """A fully fetched result (what :meth:`PostgresConnection.execute` returns)."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Any]:
        return self.rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


class SqliteConnection:
    """A SQLite file in WAL mode, autocommit outside :meth:`transaction`."""

    dialect = DIALECTS[Engine.SQLITE]

    def __init__(self, target: DatabaseTarget) -> None:
        self.target = target
        path = target.path
        assert path is not None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL"):
                self.raw.execute(f"PRAGMA {pragma}")
        except sqlite3.DatabaseError as exc:
            raise _unusable(target, exc) from None
        except OSError as exc:
            raise InventoryError(f"cannot open inventory {path}: {exc.strerror}") from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows)

    def copy_rows(self, table: str, columns: int, rows: Iterable[Sequence[Any]]) -> None:
        marks = ",".join("?" * columns)
        # ``table`` is one of the inventory's own table names, never user input
        self.raw.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608

    def copy_shared(self, table: str, columns: int, rows: Iterable[SharedRow]) -> None:
        self.copy_rows(table, columns, (head + tail for head, tail in rows))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")

    def lock(self, key: str) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already serialises writers."""

    def lock_table(self, table: str) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already serialises writers."""

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """A bigger page cache while millions of rows go in: with the default 2 MB, every
        random index insert of one long transaction spills a page to the WAL again
        (a 4 M-finding rescan wrote 18 GB)."""
        before = self.raw.execute("PRAGMA cache_size").fetchone()[0]
        self.raw.execute(f"PRAGMA cache_size = {_BULK_CACHE_KIB}")
        try:
            yield
        finally:
            self.raw.execute(f"PRAGMA cache_size = {int(before)}")

    def table_exists(self, name: str) -> bool:
        return self.raw.execute(self.dialect.table_exists, (name,)).fetchone() is not None

    def close(self) -> None:
        self.raw.close()


class PostgresConnection:
    """A psycopg 3 connection in autocommit mode; :meth:`transaction` opens one."""

    dialect = DIALECTS[Engine.POSTGRESQL]

    def __init__(self, target: DatabaseTarget) -> None:
        self.target = target
        extra: dict[str, Any] = {}
        if "connect_timeout" not in target.location and "PGCONNECT_TIMEOUT" not in os.environ:
            extra["connect_timeout"] = _CONNECT_TIMEOUT
        try:
            self.raw = psycopg.connect(target.location, autocommit=True, **extra)
        except psycopg.Error as exc:
            raise _unreachable(target, exc) from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        with _mapped(self.target):
            cur = self.raw.execute(self.dialect.render(sql), params)
            # fetchall converts every row in one C call; iterating a psycopg cursor
            # costs a Python call per row (a third of who-has at fleet size)
            return Rows(cur.fetchall() if cur.description is not None else [])

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with _mapped(self.target), self.raw.cursor() as cur:
            cur.executemany(self.dialect.render(sql), rows)

    def copy_rows(self, table: str, columns: int, rows: Iterable[Sequence[Any]]) -> None:
        """``COPY FROM STDIN``: the fastest bulk insert PostgreSQL has."""
        statement = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
        with _mapped(self.target), self.raw.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def copy_shared(self, table: str, columns: int, rows: Iterable[SharedRow]) -> None:
        """``COPY`` in text format, each shared tail escaped once and rows sent in chunks:
        per row only the head is encoded (a 4 M-row load spent most of its client time
        in per-value encoding)."""
        cache: dict[int, tuple[tuple[Any, ...], str]] = {}  # the tail kept: ids stay unique
        statement = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
        with _mapped(self.target), self.raw.cursor() as cur, cur.copy(statement) as copy:
            lines: list[str] = []
            for head, tail in rows:
                got = cache.get(id(tail))
                if got is None:
                    got = cache[id(tail)] = (tail, "\t".join(map(_copy_text, tail)) + "\n")
                lines.append("\t".join(map(_copy_text, head)) + "\t" + got[1])
                if len(lines) >= _COPY_CHUNK:
                    copy.write("".join(lines))
                    lines.clear()
            if lines:
                copy.write("".join(lines))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with _mapped(self.target), self.raw.transaction():
            yield

    def lock(self, key: str) -> None:
        """Hold a transaction-scoped advisory lock on ``key`` (released at commit)."""
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        self.execute("SELECT pg_advisory_xact_lock(?)", (number,))

    def bulk(self) -> AbstractContextManager[None]:
        """Nothing to tune per session: the server manages its buffers."""
        return nullcontext()

    def lock_table(self, table: str) -> None:
        """Keep other writers of ``table`` out until commit (readers go on): for bulk
        rewrites that would otherwise need one advisory lock per row owner."""
        statement = sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(
            sql.Identifier(table)
        )
        with _mapped(self.target):
            self.raw.execute(statement)

    def table_exists(self, name: str) -> bool:
        return self.execute(self.dialect.table_exists, (name,)).fetchone() is not None

    def close(self) -> None:
        self.raw.close()


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in COPY's text format (no NULLs in the inventory's bulk loads)."""
    return str(value).translate(_COPY_ESCAPES)


@contextmanager
def _mapped(target: DatabaseTarget) -> Iterator[None]:
    """Server-side failures (lost connection, constraint, SQL) as an InventoryError."""
    try:
        yield
    except psycopg.OperationalError as exc:
        raise InventoryError(
            f"lost the inventory database {target.label}: {_first_line(exc, target)}",
            hint="check the server is up, then re-run (the interrupted command changed nothing)",
        ) from None
    except psycopg.Error as exc:
        raise InventoryError(
            f"inventory database {target.label} failed: {_first_line(exc, target)}",
            hint="re-run; if it persists, report it with `hullguard --debug`",
        ) from None


def _first_line(exc: BaseException, target: DatabaseTarget) -> str:
    text = redact(str(exc))
    password = _password(target.location)
    if password:
        text = text.replace(password, "***")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0].removeprefix("connection failed: ") if lines else type(exc).__name__


def _password(url: str) -> str:
    userinfo = url.partition("://")[2].partition("@")
    if not userinfo[1]:
        return ""
    return userinfo[0].partition(":")[2]


#: libpq message fragment -> what to tell the user (first match wins)
_CONNECT_HINTS: tuple[tuple[str, str], ...] = (
    ("password authentication failed", "check the user and password in the URL"),
    ("role ", "check the user name in the URL (or create the role)"),
    ("does not exist", "create the database first (createdb NAME) or fix its name in the URL"),
    ("invalid", "fix the URL: postgresql://USER:PASSWORD@HOST:PORT/DBNAME"),
    ("URI", "fix the URL: postgresql://USER:PASSWORD@HOST:PORT/DBNAME"),
)


def _unreachable(target: DatabaseTarget, exc: psycopg.Error) -> InventoryError:
    detail = _first_line(exc, target)
    hint = next(
        (h for needle, h in _CONNECT_HINTS if needle in detail),
        "check the host and port, and that the server is running and reachable",
    )
    return InventoryError(f"cannot connect to inventory {target.label}: {detail}", hint=hint)


def _unusable(target: DatabaseTarget, exc: BaseException) -> InventoryError:
    return InventoryError(
        f"{target.label} is not a usable inventory database ({exc})",
        hint="point --database at another file, or move this one away",
    )


#: engine -> how to open it
CONNECTORS: dict[Engine, Callable[[DatabaseTarget], Connection]] = {
    Engine.SQLITE: SqliteConnection,
    Engine.POSTGRESQL: PostgresConnection,
}


def connect(target: DatabaseTarget) -> Connection:
    return CONNECTORS[target.engine](target)
