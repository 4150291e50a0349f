"""AdmissionReview v1 on the wire: parse requests, find images, build responses and patches.

Sans-I/O: takes decoded JSON, returns plain dicts. Where each kind keeps its pod
spec is a table (``POD_SPEC_PATHS``), never an if-chain over kind names.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from hullguard.errors import UsageError

API_VERSION = "admission.k8s.io/v1"

#: kind -> JSON path (keys) of its pod spec inside the object
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


class ReviewError(UsageError):
    """The request body is not an AdmissionReview v1 this webhook can answer."""


@dataclass(frozen=True)
class ContainerImage:
    """One image reference in a pod spec and the JSON Pointer of its ``image`` field."""

    container: str
    image: str
    pointer: str


@dataclass(frozen=True)
class Review:
    uid: str
    kind: str
    namespace: str
    name: str
    operation: str
    obj: dict[str, Any] | None
    dry_run: bool  # the API server's own dryRun (no side effects wanted)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ReviewError(f"AdmissionReview {what} must be a string")
    return value


def parse_review(body: bytes) -> Review:
    """Decode a request body; raises :class:`ReviewError` for anything malformed."""
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReviewError(f"request body is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("kind") != "AdmissionReview":
        raise ReviewError("request body is not an AdmissionReview")
    if doc.get("apiVersion") != API_VERSION:
        raise ReviewError(
            f"unsupported AdmissionReview version {doc.get('apiVersion')!r}",
            hint="set admissionReviewVersions: [v1] in the webhook configuration",
        )
    request = doc.get("request")
    if not isinstance(request, dict):
        raise ReviewError("AdmissionReview has no request")
    kind = request.get("kind") or {}
    obj = request.get("object")
    if obj is not None and not isinstance(obj, dict):
        raise ReviewError("AdmissionReview request.object must be an object")
    return Review(
        uid=_text(request.get("uid"), "request.uid"),
        kind=_text(kind.get("kind") if isinstance(kind, dict) else None, "request.kind.kind"),
        namespace=str(request.get("namespace") or ""),
        name=str(request.get("name") or (obj or {}).get("metadata", {}).get("name") or ""),
        operation=str(request.get("operation") or ""),
        obj=obj,
        dry_run=bool(request.get("dryRun")),
    )


def pod_spec(kind: str, obj: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """``(pointer, spec)`` of the pod spec in ``obj``; ``None`` for kinds without one."""
    path = POD_SPEC_PATHS.get(kind)
    if path is None:
        return None
    node: Any = obj
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        raise ReviewError(f"{kind} has no pod spec at {'.'.join(path)}")
    return "/" + "/".join(path), node


def container_images(kind: str, obj: dict[str, Any]) -> list[ContainerImage] | None:
    """Every container image of ``obj`` with its JSON Pointer; ``None`` for other kinds."""
    found = pod_spec(kind, obj)
    if found is None:
        return None
    prefix, spec = found
    out: list[ContainerImage] = []
    for field in CONTAINER_LISTS:
        containers = spec.get(field) or []
        if not isinstance(containers, list):
            raise ReviewError(f"{kind} {field} must be a list")
        for index, container in enumerate(containers):
            image = container.get("image") if isinstance(container, dict) else None
            if not isinstance(image, str) or not image:
                raise ReviewError(f"{kind} {field}[{index}] has no image")
            name = str(container.get("name") or f"{field}[{index}]")
            out.append(ContainerImage(name, image, f"{prefix}/{field}/{index}/image"))
    return out


def workload(review: Review) -> dict[str, str]:
    """The workload a review's object belongs to: its controller (``ownerReferences``),
    a Deployment for a ReplicaSet named ``<deployment>-<pod-template-hash>``, else itself."""
    meta = (review.obj or {}).get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name = str(review.name or meta.get("name") or meta.get("generateName") or "")
    owners = meta.get("ownerReferences")
    owner = next(
        (o for o in owners if isinstance(o, dict) and o.get("controller")), None
    ) if isinstance(owners, list) else None  # fmt: skip
    if owner is None or not owner.get("kind") or not owner.get("name"):
        return {"kind": review.kind, "name": name}
    kind, name = str(owner["kind"]), str(owner["name"])
    labels = meta.get("labels")
    template_hash = labels.get("pod-template-hash", "") if isinstance(labels, dict) else ""
    suffix = f"-{template_hash}"
    if kind == "ReplicaSet" and len(suffix) > 1 and name.endswith(suffix):
        return {"kind": "Deployment", "name": name[: -len(suffix)]}
    return {"kind": kind, "name": name}


def pinned_name(image: str, digest: str) -> str:
    """``image`` as written, tag dropped, pinned: ``repo:tag`` -> ``repo@sha256:…``."""
    name = image.partition("@")[0]
    if name.rfind(":") > name.rfind("/"):
        name = name[: name.rfind(":")]
    return f"{name}@{digest}"


def response(
    uid: str,
    allowed: bool,
    message: str = "",
    warnings: list[str] | None = None,
    patch: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The AdmissionReview v1 the API server expects back."""
    body: dict[str, Any] = {"uid": uid, "allowed": allowed}
    if not allowed:
        body["status"] = {"code": 403, "reason": "Forbidden", "message": message}
    elif message:
        body["status"] = {"code": 200, "message": message}
    if warnings:
        body["warnings"] = warnings
    if patch:
        body["patchType"] = "JSONPatch"
        body["patch"] = base64.b64encode(json.dumps(patch).encode()).decode()
    return {"apiVersion": API_VERSION, "kind": "AdmissionReview", "response": body}
