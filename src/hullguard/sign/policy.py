"""Verification policies: image globs -> authorities + required attestations.

Loading (YAML, JSON Schema check, key files) is the I/O edge; :func:`evaluate`
is a pure function over already-fetched :class:`Evidence`, so the admission
webhook can reuse it. Semantics: every policy whose globs match the image must
pass; within a policy any one authority suffices, and that same authority must
have signed the image and every required attestation (with its conditions).
No matching policy is a denial (fail closed); an empty policy is an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hullguard.errors import HullguardError, PolicyError, VerificationError
from hullguard.model.image import Digest
from hullguard.sign.attachments import Layer
from hullguard.sign.authority import Authority, KeyAuthority, KeylessAuthority
from hullguard.sign.bundle import IdentityMatcher
from hullguard.sign.dsse import predicate_uri
from hullguard.sign.keys import load_public_key
from hullguard.sign.verify import VerifiedAttestation, check_attestations, check_signatures

_MISSING = object()


@dataclass(frozen=True)
class Condition:
    path: str
    equals: Any = _MISSING
    matches: str | None = None

    def problem(self, predicate: Any) -> str | None:
        value: Any = predicate
        for part in self.path.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return f"predicate has no {self.path}"
        if self.equals is not _MISSING and value != self.equals:
            return f"{self.path} is {value!r}, not {self.equals!r}"
        if self.matches is not None and not re.fullmatch(self.matches, str(value)):
            return f"{self.path} ({value!r}) does not match /{self.matches}/"
        return None


@dataclass(frozen=True)
class AttestationRequirement:
    predicate_type: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class ImagePolicy:
    name: str
    images: tuple[str, ...]
    authorities: tuple[Authority, ...]
    attestations: tuple[AttestationRequirement, ...] = ()

    def applies_to(self, image: str) -> bool:
        return any(glob_match(g, image) for g in self.images)


@dataclass(frozen=True)
class PolicySet:
    policies: tuple[ImagePolicy, ...]

    def __post_init__(self) -> None:
        if not self.policies:
            raise PolicyError("the verification policy is empty", hint="add at least one policy")


@dataclass(frozen=True)
class Evidence:
    """Everything fetched about one image (untrusted until evaluated)."""

    image: str  # host/repo[:tag]
    digest: Digest
    signatures: tuple[tuple[Layer, bytes | None], ...]
    attestations: tuple[tuple[Layer, bytes | None], ...]
    bundles: tuple[bytes, ...]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[str, ...]


def glob_match(pattern: str, image: str) -> bool:
    """``*`` stays within one path segment, ``**`` crosses ``/``; the tag is optional."""
    regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    regex = regex.replace(r"\?", "[^/]")
    name = image.split("@", 1)[0]
    bare = re.sub(r":[^/:]+$", "", name)
    return any(re.fullmatch(regex, candidate) for candidate in (name, bare))


def conditions_problem(
    requirement: AttestationRequirement, found: Sequence[VerifiedAttestation]
) -> str | None:
    """``None`` when one attestation of the type meets every condition."""
    problems: list[str] = []
    candidates = [a for a in found if a.predicate_type == requirement.predicate_type]
    if not candidates:
        return f"no verified {requirement.predicate_type} attestation"
    for attestation in candidates:
        failed = [
            p for c in requirement.conditions if (p := c.problem(attestation.statement.predicate))
        ]
        if not failed:
            return None
        problems.extend(failed)
    return "; ".join(dict.fromkeys(problems))


def _authority_problem(policy: ImagePolicy, authority: Authority, evidence: Evidence) -> str | None:
    try:
        check_signatures(evidence.digest, [authority], evidence.signatures, evidence.bundles)
        for requirement in policy.attestations:
            found = check_attestations(
                evidence.digest, [authority], evidence.attestations, evidence.bundles,
                requirement.predicate_type,
            )  # fmt: skip
            problem = conditions_problem(requirement, found)
            if problem:
                return problem
    except HullguardError as exc:
        return exc.message
    return None


def evaluate(policy_set: PolicySet, evidence: Evidence) -> Decision:
    """Pure decision: every matching policy passes with at least one of its authorities."""
    matching = [p for p in policy_set.policies if p.applies_to(evidence.image)]
    if not matching:
        return Decision(False, (f"no policy matches {evidence.image} (denied by default)",))
    reasons: list[str] = []
    allowed = True
    for policy in matching:
        problems = []
        for authority in policy.authorities:
            problem = _authority_problem(policy, authority, evidence)
            if problem is None:
                reasons.append(f"policy {policy.name}: satisfied by {authority.name}")
                break
            problems.append(f"{authority.name}: {problem}")
        else:
            allowed = False
            reasons.append(f"policy {policy.name} failed: " + " | ".join(problems))
    return Decision(allowed, tuple(reasons))


def enforce(decision: Decision) -> None:
    if not decision.allowed:
        raise VerificationError(
            "; ".join(r for r in decision.reasons if "failed" in r or "no policy" in r)
        )


# -- loading (the I/O edge) ---------------------------------------------


def policy_schema() -> dict[str, Any]:
    text = resources.files("hullguard.sign").joinpath("policy.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _authority(item: dict[str, Any], base: Path) -> Authority:
    if "key" in item:
        path = base / item["key"]
        try:
            return KeyAuthority(load_public_key(path.read_bytes()), Path(item["key"]).name)
        except OSError as exc:
            raise PolicyError(f"policy key {path} cannot be read: {exc.strerror}") from exc
    if "keyPem" in item:
        return KeyAuthority(load_public_key(item["keyPem"].encode()), "inline key")
    spec = item["keyless"]
    matcher = IdentityMatcher(
        spec.get("identity"), spec.get("identityRegexp"),
        spec.get("issuer"), spec.get("issuerRegexp"),
    )  # fmt: skip
    return KeylessAuthority(matcher, base / spec["trustedRoot"])


def parse_policy(doc: Any, base: Path) -> PolicySet:
    if not doc:
        raise PolicyError("the verification policy is empty", hint="add at least one policy")
    import jsonschema  # slow to import (~1.5 s): only when a policy is read

    try:
        jsonschema.validate(doc, policy_schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise PolicyError(f"verification policy is invalid at {where}: {exc.message}") from exc
    policies = []
    for item in doc["policies"]:
        requirements = tuple(
            AttestationRequirement(
                predicate_uri(a["type"]),
                tuple(
                    Condition(c["path"], c.get("equals", _MISSING), c.get("matches"))
                    for c in a.get("conditions", [])
                ),
            )
            for a in item.get("attestations", [])
        )
        authorities = tuple(_authority(a, base) for a in item["authorities"])
        policies.append(ImagePolicy(item["name"], tuple(item["images"]), authorities, requirements))
    return PolicySet(tuple(policies))


def load_policy(path: Path) -> PolicySet:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"cannot read policy {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"policy {path} is not valid YAML: {exc}") from exc
    return parse_policy(doc, path.parent)


def check_conditions_file(path: Path, image: str, found: Sequence[VerifiedAttestation]) -> None:
    """Apply the attestation conditions of every policy matching ``image`` to ``found``."""
    policy_set = load_policy(path)
    problems = [
        p
        for policy in policy_set.policies
        if policy.applies_to(image)
        for requirement in policy.attestations
        if (p := conditions_problem(requirement, found))
    ]
    if problems:
        raise VerificationError("attestation policy failed: " + "; ".join(problems))
