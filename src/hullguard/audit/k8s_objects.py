"""Find the pod specs inside Kubernetes objects: Pods, every workload kind, Lists.

A workload's pod lives at a kind-specific path (``spec.template`` for a Deployment,
``spec.jobTemplate.spec.template`` for a CronJob, …). ``List`` kinds (``v1/List``
and any ``*List``) are expanded item by item. Other kinds are not pods and are
skipped; ServiceAccounts are remembered for the token-automount rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hullguard.audit.nodes import Locator, as_map, as_seq, get_map, get_str, is_false
from hullguard.audit.yamldoc import Document

#: kind -> path from the object to its pod template (``()`` = the object is the pod)
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "PodTemplate": ("template",),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "DeploymentConfig": ("spec", "template"),
}

_MAX_LIST_DEPTH = 8


@dataclass(frozen=True)
class PodTarget:
    """One pod spec to audit, with where it came from."""

    kind: str
    name: str
    namespace: str
    #: the pod (template) metadata, for annotations
    metadata: Mapping[str, Any]
    #: the pod spec mapping (a ruamel CommentedMap when parsed from text)
    spec: Mapping[str, Any]
    #: dotted path of the spec inside its document, e.g. ``spec.template.spec``
    path: str
    locator: Locator
    #: the mapping holding ``spec`` (for positions when the spec is empty)
    holder: Mapping[str, Any]

    @property
    def resource(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}"


@dataclass(frozen=True)
class ObjectRef:
    """A Kubernetes object found in a document (after List expansion)."""

    obj: Mapping[str, Any]
    prefix: str
    locator: Locator
    doc_index: int = 0


def is_k8s_object(data: Any) -> bool:
    m = as_map(data)
    return m is not None and isinstance(m.get("apiVersion"), str) and isinstance(m.get("kind"), str)


def iter_objects(docs: Sequence[Document]) -> Iterator[ObjectRef]:
    """Every Kubernetes object of every document, Lists expanded."""
    for doc in docs:
        if is_k8s_object(doc.data):
            yield from _expand(doc.data, "", Locator(doc.line_offset), doc.index, 0)


def _expand(
    obj: Mapping[str, Any], prefix: str, loc: Locator, doc: int, depth: int
) -> Iterator[ObjectRef]:
    kind = str(obj.get("kind", ""))
    items = as_seq(obj.get("items"))
    if kind.endswith("List") and items is not None and depth < _MAX_LIST_DEPTH:
        for i, item in enumerate(items):
            m = as_map(item)
            if m is not None and is_k8s_object(m):
                yield from _expand(m, f"{prefix}items[{i}].", loc, doc, depth + 1)
        return
    yield ObjectRef(obj, prefix, loc, doc)


def pod_target(ref: ObjectRef) -> PodTarget | None:
    """The pod spec of a workload object, or ``None`` for other kinds."""
    obj = ref.obj
    kind = str(obj.get("kind", ""))
    path = POD_TEMPLATE_PATHS.get(kind)
    if path is None:
        return None
    template: Mapping[str, Any] | None = obj
    for part in path:
        template = get_map(template, part)
        if template is None:
            return None
    spec = get_map(template, "spec")
    if spec is None or template is None:
        return None
    meta = get_map(obj, "metadata") or {}
    dotted = ".".join((*path, "spec"))
    return PodTarget(
        kind=kind,
        name=get_str(meta, "name") or "<unnamed>",
        namespace=get_str(meta, "namespace") or "",
        metadata=get_map(template, "metadata") or {},
        spec=spec,
        path=f"{ref.prefix}{dotted}",
        locator=ref.locator,
        holder=template,
    )


def service_accounts_without_token(refs: Sequence[ObjectRef]) -> frozenset[str]:
    """Names of ServiceAccounts that set ``automountServiceAccountToken: false``."""
    names = set()
    for ref in refs:
        if ref.obj.get("kind") == "ServiceAccount" and is_false(
            ref.obj, "automountServiceAccountToken"
        ):
            meta = get_map(ref.obj, "metadata")
            names.add(get_str(meta, "name") or "")
    return frozenset(names)


@dataclass(frozen=True)
class ContainerRef:
    """One container of a pod spec: which list it is in, its index and mapping."""

    group: str
    index: int
    container: Mapping[str, Any]
    seq: Sequence[Any]

    @property
    def name(self) -> str:
        return get_str(self.container, "name") or f"{self.group}[{self.index}]"

    @property
    def ephemeral(self) -> bool:
        return self.group == "ephemeralContainers"

    def path(self, target: PodTarget) -> str:
        return f"{target.path}.{self.group}[{self.index}]"


CONTAINER_GROUPS = ("initContainers", "containers", "ephemeralContainers")


def iter_containers(spec: Mapping[str, Any]) -> Iterator[ContainerRef]:
    """init containers, containers, then ephemeral containers (as the PSS checks visit them)."""
    for group in CONTAINER_GROUPS:
        seq = as_seq(spec.get(group)) or []
        for i, item in enumerate(seq):
            m = as_map(item)
            if m is not None:
                yield ContainerRef(group, i, m, seq)
