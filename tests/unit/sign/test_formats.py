"""Payload, DSSE PAE, attachment manifests and tamper detection (sans-I/O)."""

from __future__ import annotations

import base64
import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from hullguard.errors import UsageError, VerificationError
from hullguard.model.image import Digest
from hullguard.sign import attachments, dsse, simplesigning
from hullguard.sign.authority import KeyAuthority
from hullguard.sign.verify import check_attestations, check_signatures

D1 = Digest("sha256:" + "a" * 64)
D2 = Digest("sha256:" + "b" * 64)


def test_pae_matches_the_dsse_spec_example() -> None:
    # the worked example of the DSSE v1 protocol document
    assert dsse.pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert dsse.pae("", b"") == b"DSSEv1 0  0 "


def test_payload_has_optional_even_without_annotations() -> None:
    doc = json.loads(simplesigning.build_payload("h/r:t", D1))
    assert doc == {
        "critical": {
            "identity": {"docker-reference": "h/r:t"},
            "image": {"docker-manifest-digest": D1},
            "type": "cosign container image signature",
        },
        "optional": None,
    }


def test_attachment_manifest_is_oci_and_appends() -> None:
    layers = [attachments.Layer(attachments.SIMPLESIGNING_MEDIA_TYPE, D1, 3, {"k": "v"})]
    manifest, config = attachments.attachment_manifest(layers)
    doc = json.loads(manifest)
    assert doc["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert doc["config"]["digest"] == attachments.blob_digest(config)
    assert attachments.parse_layers(manifest, "m") == layers
    assert (
        attachments.attachment_tag(D1, attachments.AttachmentKind.SIGNATURE)
        == f"sha256-{'a' * 64}.sig"
    )


def _signed_layer(
    key: ec.EllipticCurvePrivateKey, digest: Digest, **ann: str
) -> tuple[attachments.Layer, bytes]:
    payload = simplesigning.build_payload("h/r", digest, ann or None)
    sig = base64.b64encode(simplesigning.sign_bytes(key, payload)).decode()
    layer = attachments.Layer(
        attachments.SIMPLESIGNING_MEDIA_TYPE,
        attachments.blob_digest(payload),
        len(payload),
        {attachments.SIGNATURE_ANNOTATION: sig},
    )
    return layer, payload


def test_tampered_payload_other_digest_wrong_key_and_annotations_fail() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    auth = KeyAuthority(key.public_key(), "k.pub")
    layer, payload = _signed_layer(key, D1, env="prod")
    assert check_signatures(D1, [auth], [(layer, payload)], [])[0].annotations == {"env": "prod"}
    edited = payload.replace(D1.encode(), D2.encode())
    with pytest.raises(VerificationError, match=re.escape("does not verify with k.pub")):
        check_signatures(D2, [auth], [(layer, edited)], [])
    with pytest.raises(VerificationError, match=f"signature is for {D1}, not for this image"):
        check_signatures(D2, [auth], [(layer, payload)], [])
    other = KeyAuthority(ec.generate_private_key(ec.SECP256R1()).public_key(), "other.pub")
    with pytest.raises(VerificationError, match=re.escape("does not verify with other.pub")):
        check_signatures(D1, [other], [(layer, payload)], [])
    with pytest.raises(VerificationError, match="annotation env=dev is not in the signed payload"):
        check_signatures(D1, [auth], [(layer, payload)], [], {"env": "dev"})
    with pytest.raises(VerificationError, match="no signatures found"):
        check_signatures(D1, [auth], [], [])


def _attestation(
    key: ec.EllipticCurvePrivateKey, digest: Digest, ptype: str
) -> tuple[attachments.Layer, bytes]:
    statement = dsse.build_statement("h/r", digest, ptype, {"x": 1})
    data = dsse.sign_envelope(key, dsse.IN_TOTO_PAYLOAD_TYPE, statement).to_json()
    return attachments.Layer(
        attachments.DSSE_MEDIA_TYPE, attachments.blob_digest(data), len(data)
    ), data


def test_attestation_checks_subject_type_and_truncation() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    auth = KeyAuthority(key.public_key(), "k.pub")
    uri = dsse.predicate_uri("slsaprovenance1")
    layer, data = _attestation(key, D1, uri)
    found = check_attestations(D1, [auth], [(layer, data)], [], uri)
    assert found[0].statement.predicate == {"x": 1}
    with pytest.raises(VerificationError, match=re.escape("not 'https://cyclonedx.org/bom'")):
        check_attestations(D1, [auth], [(layer, data)], [], dsse.predicate_uri("cyclonedx"))
    with pytest.raises(VerificationError, match=f"is not this image \\({D2}\\)"):
        check_attestations(D2, [auth], [(layer, data)], [], uri)
    with pytest.raises(VerificationError, match="not valid JSON \\(truncated or damaged\\)"):
        check_attestations(D1, [auth], [(layer, data[: len(data) // 2])], [], uri)
    envelope = json.loads(data)
    envelope["payload"] = base64.b64encode(dsse.build_statement("h/r", D1, uri, {"x": 2})).decode()
    with pytest.raises(VerificationError, match=re.escape("does not verify with k.pub")):
        check_attestations(D1, [auth], [(layer, json.dumps(envelope).encode())], [], uri)


def test_predicate_type_names() -> None:
    assert dsse.predicate_uri("vuln") == "https://cosign.sigstore.dev/attestation/vuln/v1"
    assert dsse.predicate_uri("https://example.com/p") == "https://example.com/p"
    with pytest.raises(UsageError, match="unknown predicate type"):
        dsse.predicate_uri("nonsense")
