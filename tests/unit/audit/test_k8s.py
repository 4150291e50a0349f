"""Kubernetes manifests: every workload kind, multi-doc, Lists, Helm output, inheritance."""

from __future__ import annotations

from collections.abc import Callable

from hullguard.audit.interface import FileResult, InputKind, Profile

Audit = Callable[..., FileResult]


def rules_for(result: FileResult, resource: str, container: str | None = None) -> set[str]:
    return {
        f.rule_id
        for f in result.findings
        if f.resource == resource and (container is None or f.container == container)
    }


def test_helm_output_multi_doc_with_source_comments_and_empty_docs(audit_file: Audit) -> None:
    r = audit_file("helm-rendered.yaml")
    assert r.kind is InputKind.KUBERNETES
    assert {f.resource for f in r.findings} == {"Deployment/shop", "Pod/shop-test-connection"}
    assert "AU103" in rules_for(r, "Deployment/shop", "exporter")
    assert "AU103" not in rules_for(r, "Deployment/shop", "web")
    # the chart's ServiceAccount disables token automount: the Deployment using it is fine
    assert "AU308" not in rules_for(r, "Deployment/shop")
    assert "AU308" in rules_for(r, "Pod/shop-test-connection")
    # requests are set in the Deployment: not BestEffort
    assert "AU304" not in rules_for(r, "Deployment/shop")


def test_line_numbers_point_at_the_offending_field(audit_file: Audit, manifests) -> None:
    lines = (manifests / "helm-rendered.yaml").read_text().splitlines()
    r = audit_file("helm-rendered.yaml")
    privileged = next(f for f in r.findings if f.rule_id == "AU103")
    assert lines[privileged.line - 1].strip() == "privileged: true"
    latest = next(f for f in r.findings if f.rule_id == "AU307" and f.container == "exporter")
    assert "exporter:latest" in lines[latest.line - 1]
    assert all(f.line >= 1 and f.column >= 1 for f in r.findings)


def test_list_kind_is_expanded(audit_file: Audit, manifests) -> None:
    r = audit_file("list.yaml")
    assert {f.resource for f in r.findings} == {"StatefulSet/data/db", "DaemonSet/node-agent"}
    agent = rules_for(r, "DaemonSet/node-agent")
    assert {"AU102", "AU104", "AU105", "AU305"} <= agent
    assert "AU201" in rules_for(r, "StatefulSet/data/db")  # nfs volume
    assert "AU204" in rules_for(r, "StatefulSet/data/db")  # pod runAsUser: 0
    assert all(f.field.startswith("items[") for f in r.findings)
    lines = (manifests / "list.yaml").read_text().splitlines()
    sock = next(f for f in r.findings if f.rule_id == "AU305")
    assert lines[sock.line - 1].strip() == "- name: docker"


def test_cronjob_pod_template_is_found(audit_file: Audit) -> None:
    r = audit_file("cronjob.yaml")
    report = rules_for(r, "CronJob/nightly-report", "report")
    assert {"AU111", "AU202", "AU206"} <= report
    assert all(f.field.startswith("spec.jobTemplate.spec.template.spec") for f in r.findings)


def test_every_workload_kind(audit_file: Audit) -> None:
    r = audit_file("workloads.yaml")
    resources = {f.resource for f in r.findings}
    assert resources == {"ReplicaSet/rs", "ReplicationController/rc", "Job/migrate",
                         "PodTemplate/tmpl"}  # fmt: skip
    assert "AU106" in rules_for(r, "ReplicationController/rc")
    assert {"AU102", "AU109", "AU110"} <= rules_for(r, "Job/migrate")
    assert {"AU107", "AU108", "AU112", "AU309"} <= rules_for(r, "PodTemplate/tmpl")


def test_ephemeral_containers_are_checked(audit_file: Audit) -> None:
    r = audit_file("ephemeral.yaml")
    debugger = rules_for(r, "Pod/debug-target", "debugger")
    assert {"AU103", "AU202", "AU206"} <= debugger
    # ephemeral containers cannot have resources or need a read-only root
    assert not debugger & {"AU301", "AU302", "AU303"}
    assert rules_for(r, "Pod/debug-target", "app") == set()


def test_pod_level_inheritance(audit_file: Audit) -> None:
    r = audit_file("inheritance.yaml")
    # runAsNonRoot / runAsUser / seccompProfile inherit from the pod
    assert not rules_for(r, "Pod/inherits", "app") & {"AU203", "AU204", "AU205"}
    assert not rules_for(r, "Pod/inherits", "init")
    # capabilities, allowPrivilegeEscalation and readOnlyRootFilesystem do not
    assert {"AU202", "AU206", "AU301"} <= rules_for(r, "Pod/inherits", "app")
    # a container overriding the pod's good values is a violation
    assert {"AU203", "AU204"} <= rules_for(r, "Pod/inherits", "override")


def test_pod_level_bad_value_fails_even_if_containers_override(audit_text: Audit) -> None:
    r = audit_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  securityContext: {runAsNonRoot: false, seccompProfile: {type: Unconfined}}\n"
        "  containers:\n  - name: c\n    image: x:1\n"
        "    securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n"
    )
    pod_level = {f.rule_id for f in r.findings if f.container == ""}
    assert {"AU203", "AU111"} <= pod_level


def test_baseline_profile_skips_restricted_rules(audit_file: Audit) -> None:
    r = audit_file("helm-rendered.yaml", Profile.BASELINE)
    ids = {f.rule_id for f in r.findings}
    assert not any(i.startswith("AU2") for i in ids)
    assert "AU103" in ids and "AU301" in ids  # baseline PSS + hullguard rules stay


def test_windows_pod_skips_linux_only_controls(audit_text: Audit) -> None:
    r = audit_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n"
        "  securityContext: {runAsNonRoot: true}\n  containers:\n  - {name: c, image: x:1}\n"
    )
    ids = {f.rule_id for f in r.findings}
    assert not ids & {"AU202", "AU205", "AU206", "AU301"}


def test_non_workload_objects_have_no_findings(audit_text: Audit) -> None:
    r = audit_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n")
    assert r.kind is InputKind.KUBERNETES
    assert r.findings == ()


def test_findings_are_sorted_and_deterministic(audit_file: Audit) -> None:
    a = audit_file("workloads.yaml").findings
    b = audit_file("workloads.yaml").findings
    assert a == b
    assert list(a) == sorted(a)


def test_volume_without_source_defaults_to_empty_dir(audit_text: Audit) -> None:
    r = audit_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n  - name: scratch\n"
        "  containers:\n  - {name: c, image: x:1}\n"
    )
    assert "AU201" not in {f.rule_id for f in r.findings}


def test_socket_parent_directory_is_flagged(audit_text: Audit) -> None:
    r = audit_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n"
        "  - {name: run, hostPath: {path: /run/containerd/}}\n"
        "  containers:\n  - {name: c, image: x:1}\n"
    )
    sock = [f for f in r.findings if f.rule_id == "AU305"]
    assert len(sock) == 1 and "containerd.sock" in sock[0].message
