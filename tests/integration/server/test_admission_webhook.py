"""The admission webhook over real HTTPS against the real docker-registry."""

from __future__ import annotations

import base64
import copy
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

Images = Any  # conftest types (importlib mode: conftests are not importable)
Webhook = Any

HARDENED_CONTAINER = {
    "imagePullPolicy": "Always",
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    },
    "resources": {
        "limits": {"cpu": "500m", "memory": "256Mi"},
        "requests": {"cpu": "100m", "memory": "128Mi"},
    },
}
POD_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "seccompProfile": {"type": "RuntimeDefault"},
}
RESOURCES = {
    "Pod": ("", "v1", "pods"),
    "Deployment": ("apps", "v1", "deployments"),
    "CronJob": ("batch", "v1", "cronjobs"),
    "ConfigMap": ("", "v1", "configmaps"),
}


def pod_spec(*images: str, **extra: Any) -> dict[str, Any]:
    containers = [
        {"name": f"c{i}", "image": image, **copy.deepcopy(HARDENED_CONTAINER)}
        for i, image in enumerate(images)
    ]
    return {
        "automountServiceAccountToken": False,
        "securityContext": dict(POD_SECURITY),
        "containers": containers,
        **extra,
    }


def review(kind: str, obj: dict[str, Any] | None, namespace: str = "shop") -> dict[str, Any]:
    """An AdmissionReview as the API server sends it (CREATE by a user)."""
    group, version, resource = RESOURCES[kind]
    gvk = {"group": group, "version": version, "kind": kind}
    gvr = {"group": group, "version": version, "resource": resource}
    name = (obj or {}).get("metadata", {}).get("name", "")
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": str(uuid.uuid4()),
            "kind": gvk, "resource": gvr, "requestKind": gvk, "requestResource": gvr,
            "name": name, "namespace": namespace, "operation": "CREATE",
            "userInfo": {"username": "alice@example.com",
                         "groups": ["system:authenticated"]},
            "object": obj, "oldObject": None, "dryRun": False,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
        },
    }  # fmt: skip


def deployment(*images: str) -> dict[str, Any]:
    labels = {"app": "web"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod_spec(*images)},
        },
    }


def pod(spec: dict[str, Any], name: str = "web-1") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def policy(images: Images, *, runtime: bool = True) -> str:
    text = f"""
images:
  allowedRegistries: ["{images.host}/team"]
signatures:
  policies:
    - name: team
      images: ["{images.host}/team/**"]
      authorities: [{{key: {images.pub.name}}}]
"""
    return text + ("runtime: {profile: restricted}\n" if runtime else "")


def answer(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    doc = resp.json()
    assert doc["apiVersion"] == "admission.k8s.io/v1" and doc["kind"] == "AdmissionReview"
    out: dict[str, Any] = doc["response"]
    return out


@pytest.fixture
def hook(webhook: Callable[..., Webhook], images: Images) -> Webhook:
    return webhook(policy(images), images.pub.parent)


def test_signed_hardened_deployment_is_allowed(hook: Webhook, images: Images) -> None:
    """As after /mutate: the tag is pinned (the restricted audit requires digests)."""
    pinned = f"{images.host}/team/signed@{images.signed_digest}"
    doc = review("Deployment", deployment(pinned))
    resp = answer(hook.post("/validate", doc))
    assert resp["uid"] == doc["request"]["uid"]
    assert resp["allowed"] is True, resp
    record = hook.audit()[-1]
    assert record["allowed"] and record["images"] == {pinned: images.signed_digest}
    assert record["kind"] == "Deployment" and record["namespace"] == "shop"


def test_unsigned_image_is_denied_with_actionable_message(hook: Webhook, images: Images) -> None:
    resp = answer(hook.post("/validate", review("Deployment", deployment(images.unsigned))))
    assert resp["allowed"] is False
    assert resp["status"]["code"] == 403
    message = resp["status"]["message"]
    assert message.startswith("hullguard denied:") and images.unsigned in message
    assert "policy team failed" in message


def test_verification_result_is_cached_by_digest(hook: Webhook, images: Images) -> None:
    pinned = f"{images.host}/team/signed@{images.signed_digest}"
    for _ in range(3):
        assert answer(hook.post("/validate", review("Pod", pod(pod_spec(pinned)))))["allowed"]
    assert hook.service.verified.hits >= 2 and hook.service.verified.misses == 1


def test_mutate_pins_every_container_kind_to_its_digest(hook: Webhook, images: Images) -> None:
    init = {"name": "init", "image": images.signed, **HARDENED_CONTAINER}
    ephemeral = {"name": "debug", "image": images.unsigned, **HARDENED_CONTAINER}
    spec = pod_spec(images.signed, f"{images.host}/team/signed@{images.signed_digest}",
                    initContainers=[init], ephemeralContainers=[ephemeral])  # fmt: skip
    resp = answer(hook.post("/mutate", review("Pod", pod(spec))))
    assert resp["allowed"] is True and resp["patchType"] == "JSONPatch"
    patch = json.loads(base64.b64decode(resp["patch"]))
    by_path = {op["path"]: op for op in patch}
    assert set(by_path) == {
        "/spec/initContainers/0/image",
        "/spec/containers/0/image",
        "/spec/ephemeralContainers/0/image",
    }  # fmt: skip  (the already pinned container is left alone)
    signed = f"{images.host}/team/signed@{images.signed_digest}"
    assert by_path["/spec/containers/0/image"] == {
        "op": "replace", "path": "/spec/containers/0/image", "value": signed
    }  # fmt: skip
    assert by_path["/spec/ephemeralContainers/0/image"]["value"].startswith(
        f"{images.host}/team/unsigned@sha256:"
    )


def test_mutate_cronjob_paths(hook: Webhook, images: Images) -> None:
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {
                "spec": pod_spec(images.signed, restartPolicy="OnFailure")}}}}}  # fmt: skip
    resp = answer(hook.post("/mutate", review("CronJob", cron)))
    patch = json.loads(base64.b64decode(resp["patch"]))
    assert [op["path"] for op in patch] == [
        "/spec/jobTemplate/spec/template/spec/containers/0/image"
    ]


def test_runtime_hardening_failures_deny(hook: Webhook, images: Images) -> None:
    spec = pod_spec(images.signed)
    spec["containers"][0]["securityContext"] = {"privileged": True}
    resp = answer(hook.post("/validate", review("Pod", pod(spec))))
    assert resp["allowed"] is False
    assert "privileged" in resp["status"]["message"].lower()


def test_disallowed_registry_denies(hook: Webhook, images: Images) -> None:
    other = f"{images.host}/elsewhere/app:v1"
    resp = answer(hook.post("/validate", review("Pod", pod(pod_spec(other)))))
    assert resp["allowed"] is False
    assert "not from an allowed registry" in resp["status"]["message"]


def test_dry_run_and_namespace_exclusion(webhook: Callable[..., Webhook], images: Images) -> None:
    dry = webhook(policy(images), images.pub.parent, dry_run=True)
    resp = answer(dry.post("/validate", review("Deployment", deployment(images.unsigned))))
    assert resp["allowed"] is True
    assert resp["warnings"][0].startswith("hullguard dry-run, would deny:")
    assert dry.audit()[-1]["verdict"] == "block" and dry.audit()[-1]["dry_run"] is True
    excl = webhook(policy(images), images.pub.parent, exclude_namespaces=frozenset({"kube-system"}))
    doc = review("Deployment", deployment(images.unsigned), namespace="kube-system")
    assert answer(excl.post("/validate", doc))["allowed"] is True
    assert excl.audit()[-1]["verdict"] == "excluded"


def test_malformed_reviews_are_rejected(hook: Webhook, images: Images) -> None:
    assert hook.post("/validate", None, raw=b"{not json").status_code == 400
    bad_version = review("Pod", pod(pod_spec(images.signed)))
    bad_version["apiVersion"] = "admission.k8s.io/v1beta1"
    resp = hook.post("/validate", bad_version)
    assert resp.status_code == 400 and "admissionReviewVersions" in resp.json()["error"]
    no_uid = review("Pod", pod(pod_spec(images.signed)))
    del no_uid["request"]["uid"]
    assert hook.post("/validate", no_uid).status_code == 400
    no_image = review("Pod", pod({"containers": [{"name": "x"}]}))
    resp_doc = answer(hook.post("/validate", no_image))
    assert resp_doc["allowed"] is False and "has no image" in resp_doc["status"]["message"]
    assert hook.post("/nowhere", {}).status_code == 404


def test_unknown_kind_is_allowed_with_a_warning(hook: Webhook) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {}}
    resp = answer(hook.post("/validate", review("ConfigMap", cm)))
    assert resp["allowed"] is True and "carries no pod spec" in resp["warnings"][0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("mode", ["fail", "ignore"])
def test_registry_down_follows_failure_policy(
    webhook: Callable[..., Webhook], images: Images, mode: str
) -> None:
    from hullguard.server.admission import FailurePolicy

    down = f"127.0.0.1:{_free_port()}"
    text = policy(images, runtime=False).replace(f"{images.host}/team", f"{down}/team")
    hook = webhook(text, images.pub.parent, failure_policy=FailurePolicy(mode))
    resp = answer(hook.post("/validate", review("Pod", pod(pod_spec(f"{down}/team/app:v1")))))
    assert resp["allowed"] is (mode == "ignore")
    text_out = resp.get("status", {}).get("message", "") + " ".join(resp.get("warnings", []))
    assert "could not decide" in text_out
    assert hook.audit()[-1]["error"]


@pytest.fixture
def slow_registry() -> Iterator[str]:
    """A loopback server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_slow_registry_times_out_into_the_failure_mode(
    webhook: Callable[..., Webhook], images: Images, slow_registry: str
) -> None:
    text = policy(images, runtime=False).replace(f"{images.host}/team", f"{slow_registry}/team")
    hook = webhook(text, images.pub.parent, timeout=0.5, registry_timeout=10.0)
    started = time.monotonic()
    resp = answer(hook.post("/validate", review("Pod", pod(pod_spec(f"{slow_registry}/team/a:1")))))
    assert time.monotonic() - started < 3
    assert resp["allowed"] is False and "timed out after 0.5s" in resp["status"]["message"]


def test_huge_pods(hook: Webhook, images: Images) -> None:
    pinned = f"{images.host}/team/signed@{images.signed_digest}"
    many = review("Pod", pod(pod_spec(*([pinned] * 300))))
    resp = answer(hook.post("/validate", many))
    assert resp["allowed"] is False and "exceed the limit of 256" in resp["status"]["message"]
    big = review("Pod", pod(pod_spec(pinned)))
    big["request"]["object"]["metadata"]["annotations"] = {"blob": "x" * (5 * 1024 * 1024)}
    assert hook.post("/validate", big).status_code == 413
    ok = review("Pod", pod(pod_spec(*([pinned] * 200))))
    assert answer(hook.post("/validate", ok))["allowed"] is True


def test_required_attestation_missing_denies(
    webhook: Callable[..., Webhook], images: Images
) -> None:
    text = policy(images, runtime=False).replace(
        "      authorities:", "      attestations: [{type: cyclonedx}]\n      authorities:"
    )
    hook = webhook(text, images.pub.parent)
    pinned = f"{images.host}/team/signed@{images.signed_digest}"
    resp = answer(hook.post("/validate", review("Pod", pod(pod_spec(pinned)))))
    assert resp["allowed"] is False
    assert "no valid attestation" in resp["status"]["message"]
