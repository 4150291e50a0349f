"""Deployments from Kubernetes manifests: every container of every workload -> image ref.

Reuses the audit family's manifest reader (documents, List expansion, pod
templates of every workload kind). Sans-I/O: takes text, returns records.
"""

from __future__ import annotations

from pathlib import Path

from hullguard.audit.k8s_objects import iter_containers, iter_objects, pod_target
from hullguard.audit.nodes import get_str
from hullguard.audit.yamldoc import parse_stream
from hullguard.errors import UsageError
from hullguard.inventory.interface import DeploymentRecord

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def deployments_from_text(
    text: str, name: str, *, cluster: str = "", environment: str = ""
) -> list[DeploymentRecord]:
    """One record per container (init and ephemeral included) that names an image."""
    out = []
    for ref in iter_objects(parse_stream(text, name)):
        target = pod_target(ref)
        if target is None:
            continue
        for container in iter_containers(target.spec):
            image = get_str(container.container, "image")
            if not image:
                continue
            out.append(
                DeploymentRecord(
                    cluster=cluster,
                    namespace=target.namespace or "default",
                    name=target.name,
                    kind=target.kind,
                    container=container.name,
                    environment=environment,
                    image_ref=image.strip(),
                    source=f"k8s:{name}",
                )
            )
    return sorted(out)


def manifest_files(path: Path) -> list[Path]:
    """``path`` itself, or the manifests under a directory (sorted)."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in MANIFEST_SUFFIXES
        )
    raise UsageError(f"no such file or directory: {path}")
