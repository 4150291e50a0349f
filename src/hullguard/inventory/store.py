"""The inventory database: opening, migrations, transactional writes and indexed reads.

SQLite (a file) or PostgreSQL (a URL), through :mod:`hullguard.inventory.backend`;
the SQL here is the portable subset both accept, with ``?`` placeholders. Every
command's writes run in one transaction, so a failed or interrupted command
leaves the inventory as it was. Images are keyed by digest: adding the same
digest again replaces its packages and findings, also when several processes
add it at once. Per-image analysis results beyond packages and findings (secrets,
analysis markers, layers) live in :mod:`hullguard.inventory.store_results`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullguard.cache import default_cache_dir
from hullguard.inventory.backend import Connection, connect
from hullguard.inventory.dialect import DatabaseTarget, Engine, parse_target
from hullguard.inventory.interface import (
    DeploymentRecord,
    ImageSummary,
    InventoryError,
    NotInInventory,
    StoredFinding,
    os_to_json,
)
from hullguard.inventory.names import canonical_ref
from hullguard.inventory.rows import finding_from_row, os_label, package_row, stored_package
from hullguard.inventory.schema import MIGRATIONS, SCHEMA_VERSION
from hullguard.inventory.store_results import ImageResults
from hullguard.model.package import OSInfo, Package

__all__ = [
    "ENV_URL",
    "ImageRow",
    "InventoryStore",
    "open_inventory",
    "resolve_database",
    "stored_package",
]

ENV_URL = "HULLGUARD_DATABASE_URL"
_PACKAGE_COLUMNS = 13
_SELECT_PACKAGES = (
    "SELECT image_id, type, name, version, purl, source_name, source_version, layer, "
    "path, metadata FROM packages"
)
#: advisory-lock key that serialises migrations of one server database
_MIGRATION_LOCK = "hullguard-inventory-migrate"


def resolve_database(option: str | None, cache_dir: Path | None = None) -> DatabaseTarget:
    """``--database`` value, else ``$HULLGUARD_DATABASE_URL``, else ``<cache>/inventory.db``.

    A path or ``sqlite:///PATH`` names a SQLite file; ``postgresql://…`` (or
    ``postgres://…``) a PostgreSQL database.
    """
    text = option or os.environ.get(ENV_URL, "")
    if not text:
        return DatabaseTarget.sqlite((cache_dir or default_cache_dir()) / "inventory.db")
    return parse_target(text)


@dataclass(frozen=True)
class ImageRow:
    id: int
    digest: str
    kind: str
    os: str


def open_inventory(target: DatabaseTarget | Path | str) -> InventoryStore:
    """Open (creating and migrating as needed) the inventory at ``target``.

    A :class:`Path` is a SQLite file; a string is parsed like ``--database``.
    """
    if isinstance(target, Path):
        target = DatabaseTarget.sqlite(target)
    elif isinstance(target, str):
        target = parse_target(target)
    conn = connect(target)
    store = InventoryStore(target, conn)
    try:
        store.migrate()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise InventoryError(
            f"{target.label} is not a usable inventory database ({exc})",
            hint="point --database at another file, or move this one away",
        ) from None
    except BaseException:
        conn.close()
        raise
    return store


class InventoryStore(ImageResults):
    """One open inventory (a SQLite file or a PostgreSQL database)."""

    def __init__(self, target: DatabaseTarget, conn: Connection) -> None:
        self.target = target
        #: the SQLite file; None on PostgreSQL
        self.path = target.path
        self.conn = conn

    @property
    def engine(self) -> Engine:
        return self.target.engine

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> InventoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ----------------------------------------------------------------

    def schema_version(self) -> int:
        if not self.conn.table_exists("meta"):
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0

    def migrate(self) -> None:
        """Apply the missing :data:`MIGRATIONS` steps, each in its own transaction.

        Concurrent openers are serialised (a lock, then the version is read again),
        so two workers starting on an empty server database migrate it once.
        """
        if self.schema_version() == SCHEMA_VERSION:
            return
        for step in range(SCHEMA_VERSION):
            with self.transaction():
                self.conn.lock(_MIGRATION_LOCK)
                current = self.schema_version()
                if current > SCHEMA_VERSION:
                    raise InventoryError(
                        f"{self.target.label} has inventory schema {current}, newer than this "
                        f"hullguard ({SCHEMA_VERSION})",
                        hint="upgrade hullguard",
                    )
                if current != step:
                    continue
                for statement in self.conn.dialect.schema_statements(MIGRATIONS[step]):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(step + 1),),
                )

    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all."""
        return self.conn.transaction()

    # -- writes ----------------------------------------------------------------

    def put_image(
        self,
        digest: str,
        kind: str,
        refs: Sequence[str],
        os_info: OSInfo | None,
        packages: Sequence[Package],
        now: str,
    ) -> tuple[int, bool]:
        """Insert or replace an image (by digest); returns (id, created). Call in a transaction.

        Safe against concurrent writers of the same digest: they are serialised by a
        lock on the digest, and the insert itself ignores a row committed meanwhile.
        """
        self.conn.lock(f"image:{digest}")
        os_text = os_to_json(os_info)
        row = self.conn.execute(
            "INSERT INTO images (digest, kind, os, added_at, scanned_at, package_count) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT (digest) DO NOTHING RETURNING id",
            (digest, kind, os_text, now, now, len(packages)),
        ).fetchone()
        created = row is not None
        if row is None:
            row = self.conn.execute("SELECT id FROM images WHERE digest = ?", (digest,)).fetchone()
            self.conn.execute("DELETE FROM packages WHERE image_id = ?", (row[0],))
            self.conn.execute(
                "UPDATE images SET kind=?, os=?, scanned_at=?, package_count=? WHERE id=?",
                (kind, os_text, now, len(packages), row[0]),
            )
        image_id = int(row[0])
        self.conn.copy_rows(
            "packages", _PACKAGE_COLUMNS, (package_row(image_id, p, os_info) for p in packages)
        )
        for ref in sorted({*refs, *(canonical_ref(r) for r in refs)}):
            self.conn.execute(
                "INSERT INTO image_refs VALUES (?, ?) ON CONFLICT DO NOTHING", (ref, image_id)
            )
        self._link_deployments(image_id, digest, refs)
        return image_id, created

    def _link_deployments(self, image_id: int, digest: str, refs: Sequence[str]) -> None:
        for key in sorted({canonical_ref(r) for r in refs}):
            self.conn.execute(
                "UPDATE deployments SET image_id = ? WHERE image_key = ?", (image_id, key)
            )
        self.conn.execute(
            "UPDATE deployments SET image_id = ? WHERE image_ref LIKE ?",
            (image_id, f"%@{digest}"),
        )

    def set_findings(self, image_id: int, findings: Iterable[StoredFinding]) -> None:
        """Replace an image's findings. Call in a transaction.

        Writers of one image's findings are serialised (a lock), so the bulk load
        cannot collide with another process's; one finding per key is kept.
        """
        self.conn.lock(f"findings:{image_id}")
        self.conn.execute("DELETE FROM findings WHERE image_id = ?", (image_id,))
        unique: dict[tuple[str, str, str, str], StoredFinding] = {}
        for finding in findings:  # the smallest per key: deterministic, no full sort
            kept = unique.setdefault(finding.key, finding)
            if finding < kept:
                unique[finding.key] = finding
        self.conn.copy_rows(
            "findings", 8,
            (
                (image_id, f.vuln_id, json.dumps(f.aliases), f.package, f.version, f.purl,
                 json.dumps(f.fixed), f.severity)
                for f in unique.values()
            ),
        )  # fmt: skip

    def put_deployment(self, record: DeploymentRecord, image_id: int | None) -> None:
        """Upsert a deployment; ``image_id`` None links by reference/digest when possible."""
        if image_id is None:
            image_id = self.image_id_for_ref(record.image_ref)
        self.conn.execute(
            "INSERT INTO deployments (cluster, namespace, name, kind, container, environment, "
            "image_ref, image_key, image_id, source) VALUES (?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (cluster, namespace, kind, name, container) DO UPDATE SET "
            "environment=excluded.environment, image_ref=excluded.image_ref, "
            "image_key=excluded.image_key, image_id=excluded.image_id, source=excluded.source",
            (record.cluster, record.namespace, record.name, record.kind, record.container,
             record.environment, record.image_ref, canonical_ref(record.image_ref), image_id,
             record.source),
        )  # fmt: skip

    # -- reads -----------------------------------------------------------------

    def image_id_for_ref(self, ref: str) -> int | None:
        """A stored image pinned by ``ref``'s digest, else one stored under ``ref``."""
        _, at, digest = ref.rpartition("@")
        if at and digest.startswith("sha256:"):
            row = self.conn.execute("SELECT id FROM images WHERE digest = ?", (digest,)).fetchone()
            if row:
                return int(row[0])
        row = self.conn.execute(
            "SELECT image_id FROM image_refs WHERE ref IN (?, ?) ORDER BY image_id DESC LIMIT 1",
            (ref, canonical_ref(ref)),
        ).fetchone()
        return int(row[0]) if row else None

    def find_image(self, text: str) -> ImageRow:
        """An image by digest, unique digest prefix (``sha256:abc…``) or stored reference."""
        rows = self.conn.execute(
            "SELECT id, digest, kind, os FROM images WHERE digest = ? OR digest LIKE ? "
            "OR id IN (SELECT image_id FROM image_refs WHERE ref IN (?, ?)) ORDER BY id",
            (
                text,
                f"{text}%" if text.startswith("sha256:") and len(text) >= 11 else "",
                text,
                canonical_ref(text),
            ),
        ).fetchall()
        if not rows:
            raise NotInInventory(
                f"no stored image matches {text!r}", hint="see `hullguard inventory images`"
            )
        if len(rows) > 1:
            raise NotInInventory(f"{text!r} names {len(rows)} images", hint="give a full digest")
        return ImageRow(*rows[0])

    def images(self) -> list[ImageSummary]:
        refs = self.refs_for(None)
        rows = self.conn.execute(
            "SELECT i.id, i.digest, i.kind, i.os, i.package_count, i.added_at, "
            "(SELECT COUNT(*) FROM findings f WHERE f.image_id = i.id), "
            "(SELECT COUNT(*) FROM deployments d WHERE d.image_id = i.id) "
            "FROM images i ORDER BY i.digest"
        ).fetchall()
        return [
            ImageSummary(r[1], r[2], refs.get(r[0], ()), os_label(r[3]), r[4], r[6], r[7], r[5])
            for r in rows
        ]

    def deployments(self) -> list[tuple[DeploymentRecord, str]]:
        """Every deployment with the digest of its linked image (``""`` when unlinked)."""
        rows = self.conn.execute(
            "SELECT d.cluster, d.namespace, d.name, d.kind, d.container, d.environment, "
            "d.image_ref, d.source, COALESCE(i.digest, '') FROM deployments d "
            "LEFT JOIN images i ON i.id = d.image_id"
        ).fetchall()
        return sorted((DeploymentRecord(*r[:8]), r[8]) for r in rows)

    def refs_for(self, image_ids: Iterable[int] | None) -> dict[int, tuple[str, ...]]:
        out: dict[int, list[str]] = defaultdict(list)
        for image_id, ref in self._select_in(
            "SELECT image_id, ref FROM image_refs WHERE image_id IN ({})",
            "SELECT image_id, ref FROM image_refs",
            image_ids,
        ):
            out[image_id].append(ref)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    def deployments_for(self, image_ids: Iterable[int]) -> dict[int, list[DeploymentRecord]]:
        out: dict[int, list[DeploymentRecord]] = defaultdict(list)
        for row in self._select_in(
            "SELECT image_id, cluster, namespace, name, kind, container, environment, "
            "image_ref, source FROM deployments WHERE image_id IN ({})",
            "",
            image_ids,
        ):
            out[row[0]].append(DeploymentRecord(*row[1:]))
        return {k: sorted(v) for k, v in out.items()}

    def digests_for(self, image_ids: Iterable[int]) -> dict[int, str]:
        return dict(
            self._select_in("SELECT id, digest FROM images WHERE id IN ({})", "", image_ids)
        )

    def digests_for_all(self) -> dict[int, str]:
        return dict(self.conn.execute("SELECT id, digest FROM images"))

    def os_for(self, image_ids: Iterable[int] | None) -> dict[int, str]:
        return dict(
            self._select_in(
                "SELECT id, os FROM images WHERE id IN ({})", "SELECT id, os FROM images", image_ids
            )
        )

    def package_rows(self, where: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        """Package rows as (image_id, type, name, version, purl, source_name,
        source_version, layer, path, metadata) for a ``WHERE`` clause of this package's callers."""
        return iter(
            self.conn.execute(
                f"{_SELECT_PACKAGES} WHERE {where}",  # callers pass fixed clauses, values bound
                params,
            )
        )

    def findings_for(self, image_id: int) -> list[StoredFinding]:
        rows = self.conn.execute(
            "SELECT vuln_id, package, version, purl, fixed, severity, aliases FROM findings "
            "WHERE image_id = ?",
            (image_id,),
        ).fetchall()
        return sorted(finding_from_row(r) for r in rows)

    def finding_keys(self) -> dict[int, set[tuple[str, str, str, str]]]:
        """Per image, the identity of every stored finding (cheap: nothing decoded)."""
        out: dict[int, set[tuple[str, str, str, str]]] = defaultdict(set)
        for image_id, *key in self.conn.execute(
            "SELECT image_id, vuln_id, package, version, purl FROM findings"
        ):
            out[image_id].add((key[0], key[1], key[2], key[3]))
        return out

    def all_findings(self) -> dict[int, set[StoredFinding]]:
        out: dict[int, set[StoredFinding]] = defaultdict(set)
        for row in self.conn.execute(
            "SELECT image_id, vuln_id, package, version, purl, fixed, severity, aliases "
            "FROM findings"
        ):
            out[row[0]].add(finding_from_row(row[1:]))
        return out

    def _select_in(
        self, template: str, everything: str, ids: Iterable[int] | None
    ) -> Iterator[tuple[Any, ...]]:
        if ids is None:
            yield from self.conn.execute(everything)
            return
        for members, params in self.conn.dialect.in_lists(sorted(set(ids))):
            yield from self.conn.execute(template.format(members), params)
