"""Per-image results stored beside the packages: secret findings and analysis markers
(schema V2) and the image's layers with their history steps (schema V3).

A mixin of :class:`hullguard.inventory.store.InventoryStore` (one connection, the
same transactions); kept apart so the store module stays about opening, images,
packages, findings and deployments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from hullguard.inventory.backend import Connection
from hullguard.inventory.interface import StoredLayer, StoredSecret


class ImageResults:
    """Secrets, analysis markers and layers of stored images (needs ``self.conn``)."""

    conn: Connection

    # -- secrets and analysis markers (schema V2) ----------------------------

    def set_secrets(self, image_id: int, secrets: Iterable[StoredSecret]) -> None:
        """Replace an image's secret findings. Call in a transaction."""
        self.conn.execute("DELETE FROM image_secrets WHERE image_id = ?", (image_id,))
        rows = {(s.fingerprint, s.origin, s.layer): s for s in secrets}  # the primary key
        self.conn.executemany(
            "INSERT INTO image_secrets VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            ((image_id, s.rule_id, s.category, s.severity, s.path, s.line, s.layer, s.origin,
              s.status, s.fingerprint, s.title) for s in rows.values()),
        )  # fmt: skip

    def secrets_for(self, image_id: int) -> list[StoredSecret]:
        rows = self.conn.execute(
            "SELECT rule_id, category, severity, path, line, layer, origin, status, fingerprint, "
            "title FROM image_secrets WHERE image_id = ?",
            (image_id,),
        ).fetchall()
        return sorted(StoredSecret(*r) for r in rows)

    def mark_analysed(self, image_id: int, analysis: str, now: str, detail: str = "") -> None:
        """Record that ``analysis`` results of an image are stored. Call in a transaction."""
        self.conn.execute(
            "INSERT INTO image_analyses VALUES (?,?,?,?) ON CONFLICT (image_id, analysis) "
            "DO UPDATE SET at = excluded.at, detail = excluded.detail",
            (image_id, analysis, now, detail),
        )

    def analyses_for(self, image_id: int) -> dict[str, str]:
        """Analysis -> when, for every analysis with stored results of an image."""
        rows = self.conn.execute(
            "SELECT analysis, at FROM image_analyses WHERE image_id = ?", (image_id,)
        )
        return dict(rows.fetchall())

    # -- layers (schema V3) ----------------------------------------------------

    def set_layers(self, image_id: int, layers: Iterable[StoredLayer]) -> None:
        """Replace an image's layers (``created_by`` already redacted). Call in a transaction."""
        self.conn.execute("DELETE FROM image_layers WHERE image_id = ?", (image_id,))
        unique = {layer.index: layer for layer in layers}  # the primary key
        self.conn.executemany(
            "INSERT INTO image_layers VALUES (?,?,?,?,?)",
            ((image_id, x.index, x.digest, x.diff_id, x.created_by) for x in unique.values()),
        )

    def layers_for(self, image_ids: Iterable[int]) -> dict[int, tuple[StoredLayer, ...]]:
        """Per image id, its stored layers by index (images without layer data: absent)."""
        out: dict[int, list[StoredLayer]] = defaultdict(list)
        select = "SELECT image_id, layer_index, digest, diff_id, created_by FROM image_layers"
        for members, params in self.conn.dialect.in_lists(sorted(set(image_ids))):
            where = f" WHERE image_id IN ({members})"  # placeholders only; values bound
            for image_id, *row in self.conn.execute(select + where, params):
                out[int(image_id)].append(StoredLayer(int(row[0]), row[1], row[2], row[3]))
        return {k: tuple(sorted(v)) for k, v in out.items()}


def layer_by_diff_id(layers: Iterable[StoredLayer]) -> dict[str, StoredLayer]:
    """diff id -> the lowest-index layer with it (identical layers repeat a diff id)."""
    out: dict[str, StoredLayer] = {}
    for layer in sorted(layers, reverse=True):
        if layer.diff_id:
            out[layer.diff_id] = layer
    return out
