"""``--fix``: hardened output passes restricted, keeps comments/order, marks placeholders."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hullguard.audit.engine import audit_bytes
from hullguard.audit.interface import AuditOptions, FileResult, Profile
from hullguard.audit.rules import RULES
from hullguard.audit.yamldoc import split_documents

Audit = Callable[..., FileResult]

#: rules --fix deliberately leaves to a human (storage, image pinning, API access)
MANUAL = {"AU105", "AU201", "AU305", "AU306", "AU307", "AU308", "AU309", "AU311"}


def pss_restricted(result_text: str) -> list[str]:
    r = audit_bytes(result_text.encode(), "fixed.yaml", AuditOptions(Profile.RESTRICTED))
    return sorted(f.rule_id for f in r.findings if RULES[f.rule_id].pss_level is not None)


@pytest.mark.parametrize(
    "name",
    ["helm-rendered.yaml", "cronjob.yaml", "ephemeral.yaml", "inheritance.yaml",
     "workloads.yaml"],
)  # fmt: skip
def test_fixed_output_passes_restricted(audit_file: Audit, name: str) -> None:
    r = audit_file(name, fix=True)
    assert r.changed
    assert r.fixed_text is not None
    assert pss_restricted(r.fixed_text) == []
    assert {f.rule_id for f in r.remaining or ()} <= MANUAL


def test_unfixable_volumes_remain_and_everything_else_is_fixed(audit_file: Audit) -> None:
    r = audit_file("list.yaml", fix=True)
    assert r.fixed_text is not None
    assert set(pss_restricted(r.fixed_text)) == {"AU105", "AU201"}
    assert {f.rule_id for f in r.remaining or ()} <= MANUAL


def test_fix_is_idempotent(audit_file: Audit) -> None:
    first = audit_file("helm-rendered.yaml", fix=True).fixed_text
    assert first is not None
    again = audit_bytes(first.encode(), "x", AuditOptions(fix=True))
    assert again.fixed_text == first


def test_comments_key_order_and_untouched_documents_survive(audit_file: Audit, manifests) -> None:
    original = (manifests / "helm-rendered.yaml").read_text()
    fixed = audit_file("helm-rendered.yaml", fix=True).fixed_text
    assert fixed is not None
    for comment in ("# Source: shop/templates/serviceaccount.yaml", "# chart default tag",
                    "# metrics sidecar", "# keep volumes last",
                    "# Source: shop/templates/empty-when-disabled.yaml"):  # fmt: skip
        assert comment in fixed
    # documents without pods are copied byte for byte
    before = split_documents(original)
    after = split_documents(fixed)
    assert len(before) == len(after)
    assert before[0][0] == after[0][0]  # ServiceAccount
    assert before[2][0] == after[2][0]  # Service
    # key order inside the container is kept; new keys come after image
    web = fixed[fixed.index("- name: web") :]
    order = [k for k in ("name:", "image:", "securityContext:", "imagePullPolicy:", "ports:")
             if k in web]  # fmt: skip
    assert sorted(order, key=web.index) == order
    # the comment that followed the last container stays before `volumes:`
    assert fixed.index("# keep volumes last") < fixed.index("volumes:")
    assert fixed.index("# keep volumes last") > fixed.index("- name: exporter")
    # Helm's list indentation style is kept
    assert "      containers:\n        - name: web" in fixed


def test_limit_placeholders_are_marked_and_follow_requests(audit_file: Audit) -> None:
    fixed = audit_file("helm-rendered.yaml", fix=True).fixed_text
    assert fixed is not None
    assert "limits:  # hullguard: set real limits" in fixed
    web = fixed[fixed.index("- name: web") : fixed.index("- name: exporter")]
    # requests exist (100m/128Mi): limits equal them so the manifest stays valid
    assert "cpu: 100m" in web.split("limits:")[1]
    assert "memory: 128Mi" in web.split("limits:")[1]


def test_privileged_removed_and_root_uid_replaced(audit_file: Audit) -> None:
    fixed = audit_file("list.yaml", fix=True).fixed_text
    assert fixed is not None
    assert "runAsUser: 65532  # hullguard: was 0 (root)" in fixed
    assert "SYS_ADMIN" not in fixed and "NET_RAW" not in fixed
    assert "hostNetwork" not in fixed and "hostPID" not in fixed
    r = audit_file("helm-rendered.yaml", fix=True)
    assert "privileged" not in (r.fixed_text or "")


def test_windows_pod_gets_only_windows_fields(audit_text: Audit) -> None:
    r = audit_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n"
        "  containers:\n  - {name: c, image: 'x:1'}\n",
        fix=True,
    )
    assert r.fixed_text is not None
    assert "runAsNonRoot: true" in r.fixed_text
    assert "seccompProfile" not in r.fixed_text
    assert "capabilities" not in r.fixed_text


def test_trailing_comment_block_of_a_removed_last_key_is_kept(audit_text: Audit) -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  containers:\n  - name: c\n    image: x:1\n  hostNetwork: true\n"
        "  # closing remark\n"
    )
    fixed = audit_text(text, fix=True).fixed_text
    assert fixed is not None
    assert "hostNetwork" not in fixed
    assert "# closing remark" in fixed


def test_compose_fix(audit_file: Audit) -> None:
    r = audit_file("compose.yaml", fix=True)
    fixed = r.fixed_text
    assert fixed is not None
    assert "privileged" not in fixed and "network_mode" not in fixed
    assert "pid: host" not in fixed
    assert "seccomp:unconfined" not in fixed and "apparmor=unconfined" not in fixed
    assert 'user: "65532:65532"  # hullguard:' in fixed
    assert "# the database" in fixed
    left = {f.rule_id for f in r.remaining or ()}
    assert left <= MANUAL, left
    assert {"AU305", "AU105", "AU311"} <= left
