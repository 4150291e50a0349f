"""The shipped examples stay valid: the sample policy loads, the webhook manifests
pass ``hullguard audit`` with zero findings, the schema is valid JSON Schema."""

from __future__ import annotations

from pathlib import Path

import yaml

from hullguard.audit.files import audit_inputs
from hullguard.audit.interface import AuditOptions, Profile
from hullguard.policy.load import gate_schema, load_gate_policy

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_sample_policy_loads_every_section() -> None:
    policy = load_gate_policy(EXAMPLES / "policy.yaml")
    assert policy.vulnerabilities and policy.secrets and policy.images
    assert policy.signatures and policy.runtime
    assert policy.signatures.policy_set.policies[0].name == "our-ci"


def test_webhook_manifests_pass_the_restricted_audit() -> None:
    report = audit_inputs([str(EXAMPLES / "admission")], AuditOptions(Profile.RESTRICTED))
    kinds = {
        d["kind"]
        for f in ("deployment.yaml", "webhooks.yaml")
        for d in yaml.safe_load_all((EXAMPLES / "admission" / f).read_text())
    }
    assert {"Deployment", "Service", "ValidatingWebhookConfiguration"} <= kinds
    assert "MutatingWebhookConfiguration" in kinds
    assert len(report.files) == 2 and report.findings == ()


def test_schema_is_a_valid_json_schema() -> None:
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(gate_schema())
