"""SQLite schema of the vulnerability database (one place, versioned).

Lookups are by ``(namespace, name)``: ``affected`` is a WITHOUT ROWID table
clustered on that key. ``best`` is 0 for an entry that a more trusted source's
entry of the same advisory overrides (set after every build: :func:`mark_best_sql`);
``span``/``listed``/``low``/``high`` hold the entry's bounds when they are
plain (:func:`hullguard.versions.osv_bounds.interval`; ``span`` ``''``
otherwise), so SQLite can check them.
``origin`` names the input (source) a row came from so one source can be
replaced without touching the others.
"""

from __future__ import annotations

#: 2: ``affected.bounds`` (pre-compiled ranges) and ``fixed`` stored sorted (ADR 0145)
#: 3: ``affected.best`` and ``span``/``listed``/``low``/``high``: plain bounds checked in
#: SQL; ``advisories.title`` (what a finding shows, set after every build)
SCHEMA_VERSION = 3

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY, kind TEXT NOT NULL, url TEXT NOT NULL,
    etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT '', imported_at TEXT NOT NULL,
    records INTEGER NOT NULL, entries INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS advisories (
    id TEXT PRIMARY KEY, origin TEXT NOT NULL, source TEXT NOT NULL,
    aliases TEXT NOT NULL, summary TEXT NOT NULL, details TEXT NOT NULL,
    severity TEXT NOT NULL, severity_source TEXT NOT NULL,
    cvss_vector TEXT NOT NULL, cvss_score REAL,
    published TEXT NOT NULL, modified TEXT NOT NULL, withdrawn TEXT NOT NULL,
    refs TEXT NOT NULL, title TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS affected (
    namespace TEXT NOT NULL, name TEXT NOT NULL, advisory_id TEXT NOT NULL,
    source TEXT NOT NULL, origin TEXT NOT NULL, status TEXT NOT NULL,
    fixed TEXT NOT NULL, affected TEXT NOT NULL, severity TEXT NOT NULL,
    bounds TEXT NOT NULL DEFAULT '',
    best INTEGER NOT NULL DEFAULT 1, span TEXT NOT NULL DEFAULT '',
    listed TEXT NOT NULL DEFAULT '', low TEXT NOT NULL DEFAULT '', high TEXT,
    PRIMARY KEY (namespace, name, advisory_id, source)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS affected_origin ON affected (origin);
CREATE TABLE IF NOT EXISTS support_ended (
    namespace TEXT NOT NULL, name_pattern TEXT NOT NULL, origin TEXT NOT NULL,
    last_version TEXT NOT NULL, end_date TEXT NOT NULL, details TEXT NOT NULL,
    PRIMARY KEY (namespace, name_pattern)
);
"""

UPSERT_ADVISORY = """
INSERT INTO advisories (id, origin, source, aliases, summary, details, severity,
  severity_source, cvss_vector, cvss_score, published, modified, withdrawn, refs)
VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT(id) DO UPDATE SET
  aliases = CASE WHEN advisories.aliases = '[]' THEN excluded.aliases ELSE advisories.aliases END,
  summary = CASE WHEN advisories.summary = '' THEN excluded.summary ELSE advisories.summary END,
  details = CASE WHEN advisories.details = '' THEN excluded.details ELSE advisories.details END,
  severity = CASE WHEN advisories.severity = 'UNKNOWN' THEN excluded.severity
             ELSE advisories.severity END,
  severity_source = CASE WHEN advisories.severity = 'UNKNOWN' THEN excluded.severity_source
                    ELSE advisories.severity_source END,
  cvss_vector = CASE WHEN advisories.cvss_vector = '' THEN excluded.cvss_vector
                ELSE advisories.cvss_vector END,
  cvss_score = COALESCE(advisories.cvss_score, excluded.cvss_score)
"""

INSERT_ENTRY = (
    "INSERT OR REPLACE INTO affected (namespace, name, advisory_id, source, origin, status, "
    "fixed, affected, severity, bounds, span, listed, low, high) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
INSERT_SUPPORT = "INSERT OR REPLACE INTO support_ended VALUES (?,?,?,?,?,?)"
INSERT_SOURCE = "INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?,?,?,?)"


def _priority_sql(column: str, priorities: dict[str, int]) -> str:
    cases = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in sorted(priorities.items()))
    return f"(CASE {column} {cases} ELSE 99 END)"


def mark_best_sql(priorities: dict[str, int]) -> str:
    """The statement that sets ``affected.best`` (the matcher's choice, made at build).

    Per ``(namespace, name, advisory_id)`` the entry of the lowest priority wins,
    ties going to the smaller source name (the order the matcher's stable sort of
    rows in key order gives).
    """
    mine, theirs = (
        _priority_sql("affected.source", priorities),
        _priority_sql("b.source", priorities),
    )
    return f"""
UPDATE affected SET best = NOT EXISTS (
  SELECT 1 FROM affected AS b
  WHERE b.namespace = affected.namespace AND b.name = affected.name
    AND b.advisory_id = affected.advisory_id AND b.source != affected.source
    AND ({theirs} < {mine} OR ({theirs} = {mine} AND b.source < affected.source))
)"""  # noqa: S608 (source names and ranks come from code, not input)


#: fills ``advisories.title`` (``hg_title`` is :func:`hullguard.vulndb.interface.advisory_title`)
SET_TITLES = "UPDATE advisories SET title = hg_title(summary, details)"
