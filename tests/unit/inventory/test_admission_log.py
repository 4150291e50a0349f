"""Deployments from the webhook's decision log: admitted pods only, later lines win."""

from __future__ import annotations

import json

import pytest

from hullguard.errors import UsageError
from hullguard.inventory.admission_log import deployments_from_log

DIGEST = "sha256:" + "a" * 64


def _line(**over: object) -> str:
    entry = {
        "allowed": True, "verdict": "allow", "operation": "CREATE", "kind": "Pod",
        "namespace": "shop", "name": "web-5d4f8b7c9-x", "endpoint": "validate",
        "workload": {"kind": "Deployment", "name": "web"},
        "containers": [{"container": "app", "image": "reg:5000/team/web:v1", "digest": DIGEST},
                       {"container": "side", "image": "busybox", "digest": ""}],
    }  # fmt: skip
    entry.update(over)
    return json.dumps(entry)


def test_admitted_containers_become_records() -> None:
    text = "\n".join([
        _line(),
        _line(allowed=False, verdict="block", workload={"kind": "Deployment", "name": "api"}),
        _line(allowed=True, verdict="block", workload={"kind": "Job", "name": "dry"}),
        _line(operation="DELETE", workload={"kind": "Deployment", "name": "gone"}),
        "",
    ])  # fmt: skip
    records = deployments_from_log(text, "audit.jsonl", cluster="c1", environment="prod")
    assert [(r.kind, r.name, r.container, r.image_ref) for r in records] == [
        ("Deployment", "web", "app", f"reg:5000/team/web@{DIGEST}"),
        ("Deployment", "web", "side", "busybox"),
    ]
    assert {(r.cluster, r.namespace, r.environment, r.source) for r in records} == {
        ("c1", "shop", "prod", "admission:audit.jsonl")
    }


def test_later_lines_win_and_old_logs_fall_back_to_the_object() -> None:
    newer = _line(containers=[{"container": "app", "image": "reg:5000/team/web:v2"}])
    old_format = json.dumps({"allowed": True, "verdict": "allow", "kind": "Pod",
                             "namespace": "", "name": "solo", "containers": [
                                 {"container": "c", "image": "x:1"}]})  # fmt: skip
    records = deployments_from_log(f"{_line()}\n{newer}\n{old_format}", "log")
    assert [
        (r.namespace, r.kind, r.name, r.image_ref) for r in records if r.container != "side"
    ] == [
        ("default", "Pod", "solo", "x:1"),
        ("shop", "Deployment", "web", "reg:5000/team/web:v2"),
    ]


def test_a_broken_line_is_a_usage_error_with_its_line_number() -> None:
    with pytest.raises(UsageError, match=r"log:2: not a JSON line"):
        deployments_from_log(f"{_line()}\n{{oops\n", "log")
