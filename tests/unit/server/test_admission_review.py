"""AdmissionReview parsing, image discovery in every workload kind, pinning and caching."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from hullguard.server.admission_review import (
    POD_SPEC_PATHS,
    ReviewError,
    container_images,
    parse_review,
    pinned_name,
    response,
)
from hullguard.server.cache import TTLCache

D = "sha256:" + "ab" * 32


def _wrap(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    obj: dict[str, Any] = {"kind": kind, "metadata": {"name": "x"}}
    node = obj
    path = POD_SPEC_PATHS[kind]
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = spec
    return obj


@pytest.mark.parametrize("kind", sorted(POD_SPEC_PATHS))
def test_every_workload_kind_yields_its_images(kind: str) -> None:
    spec = {
        "initContainers": [{"name": "i", "image": "busybox"}],
        "containers": [{"name": "a", "image": "ghcr.io/x/a:1"}],
        "ephemeralContainers": [{"name": "e", "image": "debug:2"}],
    }
    found = container_images(kind, _wrap(kind, spec))
    assert found is not None
    prefix = "/" + "/".join(POD_SPEC_PATHS[kind])
    assert [(c.image, c.pointer) for c in found] == [
        ("busybox", f"{prefix}/initContainers/0/image"),
        ("ghcr.io/x/a:1", f"{prefix}/containers/0/image"),
        ("debug:2", f"{prefix}/ephemeralContainers/0/image"),
    ]


def test_other_kinds_have_no_images() -> None:
    assert container_images("ConfigMap", {"data": {}}) is None


@pytest.mark.parametrize(
    "image,pinned",
    [
        ("nginx", f"nginx@{D}"),
        ("nginx:1.25", f"nginx@{D}"),
        ("127.0.0.1:5000/team/app:v1", f"127.0.0.1:5000/team/app@{D}"),
        (f"ghcr.io/x/a:1@{D}", f"ghcr.io/x/a@{D}"),
    ],
)
def test_pinned_name_drops_the_tag_keeps_the_registry_port(image: str, pinned: str) -> None:
    assert pinned_name(image, D) == pinned


@pytest.mark.parametrize(
    "body,needle",
    [
        (b"\xff\xfe", "not JSON"),
        (b"[]", "not an AdmissionReview"),
        (b'{"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1"}', "no request"),
        (b'{"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1",'
         b' "request": {"uid": 5, "kind": {"kind": "Pod"}}}', "request.uid"),
    ],
)  # fmt: skip
def test_malformed_reviews_raise(body: bytes, needle: str) -> None:
    with pytest.raises(ReviewError, match=needle):
        parse_review(body)


def test_response_carries_patch_and_status() -> None:
    patch = [{"op": "replace", "path": "/spec/containers/0/image", "value": f"a@{D}"}]
    doc = response("u1", True, warnings=["w"], patch=patch)["response"]
    assert json.loads(base64.b64decode(doc["patch"])) == patch and doc["patchType"] == "JSONPatch"
    denied = response("u2", False, "no")["response"]
    assert denied["status"] == {"code": 403, "reason": "Forbidden", "message": "no"}


def test_ttl_cache_expires_and_bounds() -> None:
    now = [0.0]
    cache: TTLCache[int] = TTLCache(10, max_entries=2, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)  # evicts the least recently used
    assert cache.get("a") is None and cache.get("b") == 2
    now[0] = 11
    assert cache.get("b") is None and cache.misses == 2 and cache.hits == 1
