"""Verification policy: schema, globs, any-authority / all-policies semantics, conditions."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from hullguard.errors import PolicyError
from hullguard.model.image import Digest
from hullguard.sign import attachments, dsse, simplesigning
from hullguard.sign.keys import public_key_pem
from hullguard.sign.policy import Evidence, evaluate, glob_match, load_policy, parse_policy

D = Digest("sha256:" + "c" * 64)
SLSA = "https://slsa.dev/provenance/v1"


def _sig(key: ec.EllipticCurvePrivateKey) -> tuple[attachments.Layer, bytes]:
    payload = simplesigning.build_payload("reg.example/team/app", D)
    sig = base64.b64encode(simplesigning.sign_bytes(key, payload)).decode()
    return attachments.Layer(
        attachments.SIMPLESIGNING_MEDIA_TYPE,
        attachments.blob_digest(payload),
        len(payload),
        {attachments.SIGNATURE_ANNOTATION: sig},
    ), payload


def _att(key: ec.EllipticCurvePrivateKey, builder: str) -> tuple[attachments.Layer, bytes]:
    predicate = {
        "runDetails": {"builder": {"id": builder}},
        "buildDefinition": {
            "externalParameters": {"workflow": {"repository": "https://github.com/acme/app"}}
        },
    }
    data = dsse.sign_envelope(
        key,
        dsse.IN_TOTO_PAYLOAD_TYPE,
        dsse.build_statement("reg.example/team/app", D, SLSA, predicate),
    ).to_json()
    return attachments.Layer(
        attachments.DSSE_MEDIA_TYPE, attachments.blob_digest(data), len(data)
    ), data


def _policy(
    tmp_path: Path,
    pubs: list[ec.EllipticCurvePublicKey],
    builder: str,
    images: str = "reg.example/team/**",
) -> str:
    auths = []
    for i, pub in enumerate(pubs):
        (tmp_path / f"k{i}.pub").write_bytes(public_key_pem(pub))
        auths.append(f"      - key: k{i}.pub")
    text = f"""apiVersion: hullguard/v1
kind: VerificationPolicy
policies:
  - name: team
    images: ["{images}"]
    authorities:
{chr(10).join(auths)}
    attestations:
      - type: slsaprovenance1
        conditions:
          - path: runDetails.builder.id
            equals: {builder}
          - path: buildDefinition.externalParameters.workflow.repository
            matches: "https://github.com/acme/.*"
"""
    (tmp_path / "policy.yaml").write_text(text)
    return text


def test_any_authority_suffices_and_conditions_apply(tmp_path: Path) -> None:
    signer, stranger = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    _policy(tmp_path, [stranger.public_key(), signer.public_key()], "https://ci.example/b")
    policy = load_policy(tmp_path / "policy.yaml")
    evidence = Evidence(
        "reg.example/team/app:v1", D, (_sig(signer),), (_att(signer, "https://ci.example/b"),), ()
    )
    decision = evaluate(policy, evidence)
    assert decision.allowed, decision.reasons
    assert decision.reasons == (
        "policy team: satisfied by k1.pub (sha256 " + decision.reasons[0].split("sha256 ")[1],
    )
    wrong_builder = Evidence(
        evidence.image, D, evidence.signatures, (_att(signer, "https://evil.example"),), ()
    )
    denied = evaluate(policy, wrong_builder)
    assert not denied.allowed
    assert (
        "runDetails.builder.id is 'https://evil.example', not 'https://ci.example/b'"
        in denied.reasons[0]
    )


def test_unmatched_image_and_unsigned_image_are_denied(tmp_path: Path) -> None:
    signer = ec.generate_private_key(ec.SECP256R1())
    _policy(tmp_path, [signer.public_key()], "b", images="reg.example/other/*")
    policy = load_policy(tmp_path / "policy.yaml")
    decision = evaluate(policy, Evidence("reg.example/team/app", D, (), (), ()))
    assert decision == type(decision)(
        False, ("no policy matches reg.example/team/app (denied by default)",)
    )
    _policy(tmp_path, [signer.public_key()], "b")
    denied = evaluate(
        load_policy(tmp_path / "policy.yaml"), Evidence("reg.example/team/app", D, (), (), ())
    )
    assert not denied.allowed and "no signatures found" in denied.reasons[0]


def test_empty_and_invalid_policies_are_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="empty"):
        parse_policy(None, tmp_path)
    with pytest.raises(PolicyError, match="empty"):
        parse_policy({}, tmp_path)
    with pytest.raises(PolicyError, match="invalid at policies"):
        parse_policy({"policies": []}, tmp_path)
    with pytest.raises(PolicyError, match="invalid at policies/0/authorities"):
        parse_policy({"policies": [{"name": "x", "images": ["*"], "authorities": []}]}, tmp_path)


@pytest.mark.parametrize(
    ("pattern", "image", "expected"),
    [
        ("reg.example/team/*", "reg.example/team/app:v1", True),
        ("reg.example/team/*", "reg.example/team/sub/app", False),
        ("reg.example/**", "reg.example/team/sub/app@sha256:" + "c" * 64, True),
        ("reg.example/team/app:v1", "reg.example/team/app:v1", True),
        ("reg.example/team/app:v1", "reg.example/team/app:v2", False),
    ],
)
def test_globs(pattern: str, image: str, expected: bool) -> None:
    assert glob_match(pattern, image) is expected
