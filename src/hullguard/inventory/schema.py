"""Inventory schema and its migrations (SQLite and PostgreSQL, one script per step).

``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``; the version
lives in ``meta.schema_version``. Tables are laid out for fleet queries: package
rows carry a normalised name and the vulnerability lookup key, both indexed, so
``who-has`` and ``who-is-affected`` read only the rows they need.

Rules for a new step (append to ``MIGRATIONS``; never edit a released step):

- Write it once, in SQLite's spelling, using only what both engines accept:
  ``TEXT`` / ``INTEGER`` columns, ``PRIMARY KEY``, ``UNIQUE``, ``REFERENCES ... ON
  DELETE``, ``CREATE [UNIQUE] INDEX`` (partial ``WHERE`` indexes too), ``ALTER TABLE
  ADD COLUMN``, ``INSERT ... SELECT`` backfills; statements separated by ``;`` (no
  ``;`` inside literals).
- Each step is rendered per engine by :meth:`hullguard.inventory.dialect.Dialect.
  schema_statements`. On PostgreSQL ``INTEGER`` becomes ``BIGINT`` (SQLite integers
  are 64-bit), a column declared ``INTEGER PRIMARY KEY`` becomes an identity column
  (ids assigned on insert, as SQLite does; read them back with ``RETURNING id``), and
  ``WITHOUT ROWID`` / ``AUTOINCREMENT`` are dropped.
- No ``PRAGMA``, no ``AUTOINCREMENT``-dependent behaviour, no SQLite-only types or
  functions (``datetime()``, ``julianday()``...), no ``INSERT OR ...`` (write
  ``INSERT ... ON CONFLICT ... DO NOTHING/UPDATE``, which both accept).
- Each step runs in one transaction under a lock, so concurrent openers of a
  fresh PostgreSQL database migrate it once.
"""

from __future__ import annotations

_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    os TEXT NOT NULL,
    added_at TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    package_count INTEGER NOT NULL
);
CREATE TABLE image_refs (
    ref TEXT NOT NULL,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    PRIMARY KEY (ref, image_id)
) WITHOUT ROWID;
CREATE INDEX image_refs_image ON image_refs (image_id);
CREATE TABLE packages (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    norm_name TEXT NOT NULL,
    version TEXT NOT NULL,
    purl TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_version TEXT NOT NULL,
    layer TEXT NOT NULL,
    path TEXT NOT NULL,
    metadata TEXT NOT NULL,
    lookup_ns TEXT NOT NULL,
    lookup_name TEXT NOT NULL
);
CREATE INDEX packages_name ON packages (norm_name, type);
CREATE INDEX packages_source ON packages (source_name) WHERE source_name <> '';
CREATE INDEX packages_lookup ON packages (lookup_ns, lookup_name);
CREATE INDEX packages_image ON packages (image_id);
CREATE TABLE deployments (
    id INTEGER PRIMARY KEY,
    cluster TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    container TEXT NOT NULL,
    environment TEXT NOT NULL,
    image_ref TEXT NOT NULL,
    image_key TEXT NOT NULL,
    image_id INTEGER REFERENCES images(id) ON DELETE SET NULL,
    source TEXT NOT NULL,
    UNIQUE (cluster, namespace, kind, name, container)
);
CREATE INDEX deployments_image ON deployments (image_id);
CREATE INDEX deployments_key ON deployments (image_key);
CREATE TABLE findings (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    vuln_id TEXT NOT NULL,
    aliases TEXT NOT NULL,
    package TEXT NOT NULL,
    version TEXT NOT NULL,
    purl TEXT NOT NULL,
    fixed TEXT NOT NULL,
    severity TEXT NOT NULL,
    PRIMARY KEY (image_id, vuln_id, package, version, purl)
);
CREATE INDEX findings_vuln ON findings (vuln_id);
CREATE TABLE rescans (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    db_built_at TEXT NOT NULL,
    images INTEGER NOT NULL,
    findings INTEGER NOT NULL
);
CREATE TABLE rescan_changes (
    rescan_id INTEGER NOT NULL REFERENCES rescans(id) ON DELETE CASCADE,
    change TEXT NOT NULL,
    image_id INTEGER NOT NULL,
    vuln_id TEXT NOT NULL,
    package TEXT NOT NULL,
    version TEXT NOT NULL,
    fixed TEXT NOT NULL,
    severity TEXT NOT NULL
);
CREATE INDEX rescan_changes_rescan ON rescan_changes (rescan_id);
"""

#: V2: secret findings per image (never the value) and which analyses each image has
#: stored results of, so "clean" and "never scanned" differ. Backfill: images with
#: findings, or every image once a rescan has run, have vulnerability results.
_V2 = """
CREATE TABLE image_secrets (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    rule_id TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    layer INTEGER NOT NULL,
    origin TEXT NOT NULL,
    status TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (image_id, fingerprint, origin, layer)
);
CREATE INDEX image_secrets_rule ON image_secrets (rule_id);
CREATE TABLE image_analyses (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    analysis TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (image_id, analysis)
);
INSERT INTO image_analyses (image_id, analysis, at, detail)
    SELECT id, 'vulnerabilities', scanned_at, 'migrated' FROM images
    WHERE id IN (SELECT image_id FROM findings) OR EXISTS (SELECT 1 FROM rescans);
"""

#: V3: each image's filesystem layers (index, blob digest, diff id, the redacted
#: ``created_by`` of its history step), so package rows (keyed by diff id) can show
#: the layer index and build step. No backfill: images stored earlier show the diff
#: id until they are added again.
_V3 = """
CREATE TABLE image_layers (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    layer_index INTEGER NOT NULL,
    digest TEXT NOT NULL,
    diff_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (image_id, layer_index)
);
"""

#: one script per schema step; append, never edit a released step
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)
