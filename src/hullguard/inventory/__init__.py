"""Fleet inventory: stored SBOMs, scan results and deployments, and the queries over them.

``store`` owns the database (schema, migrations, transactions) on SQLite or
PostgreSQL, through ``dialect`` (engines, SQL rendering) and ``backend``
(connections); ``query`` parses ``who-has`` package specs and evaluates their
version ranges (sans-I/O);
``affected`` answers ``who-is-affected`` and ``rescan`` with the vulnerability
matcher; ``k8s`` turns manifests into deployment records.
"""

from hullguard.inventory.dialect import DatabaseTarget, Engine
from hullguard.inventory.interface import (
    DeploymentRecord,
    InventoryError,
    StoredPackage,
)
from hullguard.inventory.store import InventoryStore, open_inventory, resolve_database

__all__ = [
    "DatabaseTarget",
    "DeploymentRecord",
    "Engine",
    "InventoryError",
    "InventoryStore",
    "StoredPackage",
    "open_inventory",
    "resolve_database",
]
