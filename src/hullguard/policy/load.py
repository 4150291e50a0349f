"""Reading a gate policy file: YAML, JSON Schema check, then the model (the I/O edge)."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hullguard.audit.interface import Profile
from hullguard.errors import PolicyError
from hullguard.model.severity import Severity
from hullguard.policy.model import (
    Action,
    GatePolicy,
    ImagePolicy,
    RuntimePolicy,
    SecretPolicy,
    SignaturePolicy,
    VulnException,
    VulnPolicy,
)
from hullguard.secrets.interface import SecretCategory
from hullguard.sign.policy import load_policy, parse_policy

_SECTIONS = ("vulnerabilities", "secrets", "images", "signatures", "runtime")
#: ``unscanned:`` value -> the action an image without stored results gets
UNSCANNED: dict[str, Action] = {"block": Action.BLOCK, "review": Action.REVIEW, "allow": Action.LOG}


def gate_schema() -> dict[str, Any]:
    text = resources.files("hullguard.policy").joinpath("gate.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _vulns(doc: dict[str, Any]) -> VulnPolicy:
    actions = tuple(sorted((Severity(k), Action(v)) for k, v in doc["actions"].items()))
    exceptions = tuple(
        VulnException(
            e["id"], e["owner"], e["reason"], dt.date.fromisoformat(e["expires"]), e.get("package")
        )
        for e in doc.get("exceptions", [])
    )
    return VulnPolicy(actions, bool(doc.get("onlyFixed", False)), exceptions)


def _secrets(doc: dict[str, Any]) -> SecretPolicy:
    cats = doc.get("categories")
    sevs = doc.get("severities")
    return SecretPolicy(
        Action(doc.get("action", "block")),
        frozenset(SecretCategory(c) for c in cats) if cats else None,
        frozenset(Severity(s) for s in sevs) if sevs else None,
    )


def _images(doc: dict[str, Any]) -> ImagePolicy:
    return ImagePolicy(
        tuple(doc.get("allowedRegistries", [])),
        bool(doc.get("requireDigest", False)),
        bool(doc.get("blockEol", False)),
        Action(doc.get("action", "block")),
        doc.get("maxBaseAgeDays"),
    )


def _signatures(doc: dict[str, Any], base: Path) -> SignaturePolicy:
    if "policyFile" in doc:
        policy_set = load_policy(base / doc["policyFile"])
    else:
        policy_set = parse_policy({"policies": doc["policies"]}, base)
    return SignaturePolicy(policy_set, Action(doc.get("action", "block")))


def _runtime(doc: dict[str, Any]) -> RuntimePolicy:
    rules = doc.get("rules")
    return RuntimePolicy(
        Profile(doc.get("profile", "restricted")),
        frozenset(rules) if rules else None,
        Action(doc.get("action", "block")),
    )


def parse_gate_policy(doc: Any, base: Path) -> GatePolicy:
    """Validate ``doc`` against the schema and build the policy; empty is an error."""
    if not isinstance(doc, dict) or not any(doc.get(s) for s in _SECTIONS):
        raise PolicyError(
            "the gate policy is empty",
            hint=f"set at least one of: {', '.join(_SECTIONS)} (see docs/policy.md)",
        )
    import jsonschema  # slow to import: only when a policy is read

    try:
        jsonschema.validate(doc, gate_schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise PolicyError(
            f"gate policy is invalid at {where}: {exc.message}", hint="see docs/policy.md"
        ) from exc
    return GatePolicy(
        vulnerabilities=_vulns(doc["vulnerabilities"]) if doc.get("vulnerabilities") else None,
        secrets=_secrets(doc["secrets"]) if "secrets" in doc else None,
        images=_images(doc["images"]) if doc.get("images") else None,
        signatures=_signatures(doc["signatures"], base) if doc.get("signatures") else None,
        runtime=_runtime(doc["runtime"]) if "runtime" in doc else None,
        unscanned=UNSCANNED[doc.get("unscanned", "review")],
    )


def load_gate_policy(path: Path) -> GatePolicy:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"cannot read gate policy {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"gate policy {path} is not valid YAML: {exc}") from exc
    return parse_gate_policy(doc, path.parent)
