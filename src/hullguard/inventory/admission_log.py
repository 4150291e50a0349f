"""Deployments from the admission webhook's decision log (JSON lines), sans-I/O.

Every admitted review of a workload names, per container, the image as
written and the digest the webhook resolved; that is where the image runs.
Denied reviews, dry-run denials (``verdict`` says what would have happened),
deletions and reviews without containers record nothing. Later lines win
(the store upserts by cluster, namespace, kind, name and container).
"""

from __future__ import annotations

import json
from typing import Any

from hullguard.errors import UsageError
from hullguard.inventory.interface import DeploymentRecord
from hullguard.server.admission_review import pinned_name

_RECORDED_OPERATIONS = ("CREATE", "UPDATE", "")


def _pinned(image: str, digest: str) -> str:
    """``repo:tag`` + digest -> ``repo@digest`` (what ran), else the image as written."""
    return pinned_name(image, digest) if digest else image


def _admitted(entry: dict[str, Any]) -> bool:
    if not entry.get("allowed") or entry.get("verdict") in ("block", "error-denied"):
        return False
    return entry.get("operation", "") in _RECORDED_OPERATIONS


def deployments_from_log(
    text: str, name: str, *, cluster: str = "", environment: str = ""
) -> list[DeploymentRecord]:
    """One record per container of every admitted review in a decision log."""
    out: dict[tuple[str, str, str, str], DeploymentRecord] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"{name}:{number}: not a JSON line ({exc.msg})",
                hint="give the log `hullguard serve --admission --audit-log` writes",
            ) from None
        if not isinstance(entry, dict) or not _admitted(entry):
            continue
        work = entry.get("workload") or {}
        kind = str(work.get("kind") or entry.get("kind") or "")
        workload = str(work.get("name") or entry.get("name") or "")
        namespace = str(entry.get("namespace") or "default")
        for c in entry.get("containers") or []:
            if not isinstance(c, dict) or not c.get("image"):
                continue
            record = DeploymentRecord(
                cluster=cluster,
                namespace=namespace,
                name=workload,
                kind=kind,
                container=str(c.get("container") or ""),
                environment=environment,
                image_ref=_pinned(str(c["image"]), str(c.get("digest") or "")),
                source=f"admission:{name}",
            )
            out[(namespace, kind, workload, record.container)] = record
    return sorted(out.values())
