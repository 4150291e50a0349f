"""Keyless verification of cosign's real Sigstore bundle against its real trusted root."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hullguard.errors import UsageError, VerificationError
from hullguard.model.image import Digest
from hullguard.sign.authority import KeylessAuthority
from hullguard.sign.bundle import IdentityMatcher, parse_bundle
from hullguard.sign.verify import check_attestations

SUBJECT = Digest("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4")
CUSTOM = "https://cosign.sigstore.dev/attestation/v1"


def _authority(testdata: Path, **kw: str | None) -> KeylessAuthority:
    args = {"identity": "cody@soyland.com", "issuer": "https://github.com/login/oauth"} | kw
    return KeylessAuthority(IdentityMatcher(**args), testdata / "trusted_root_pgi.json")


def _bundle(testdata: Path) -> bytes:
    return (testdata / "oci-attestation.sigstore.json").read_bytes()


def test_real_bundle_verifies_offline(cosign_testdata: Path) -> None:
    found = check_attestations(
        SUBJECT, [_authority(cosign_testdata)], [], [_bundle(cosign_testdata)], CUSTOM
    )
    assert found[0].statement.predicate["Data"] == '{"foo": "bar"}\n'
    regexp = _authority(
        cosign_testdata,
        identity=None,
        identity_regexp=r".*@soyland\.com",
        issuer=None,
        issuer_regexp=r"https://github\.com/.*",
    )
    assert check_attestations(SUBJECT, [regexp], [], [_bundle(cosign_testdata)], CUSTOM)


def test_wrong_identity_or_issuer_fails(cosign_testdata: Path) -> None:
    with pytest.raises(
        VerificationError,
        match=re.escape("certificate identities ['cody@soyland.com'] do not match"),
    ):
        check_attestations(
            SUBJECT,
            [_authority(cosign_testdata, identity="eve@example.com")],
            [],
            [_bundle(cosign_testdata)],
            CUSTOM,
        )
    with pytest.raises(
        VerificationError,
        match=re.escape("OIDC issuer 'https://github.com/login/oauth' does not match"),
    ):
        check_attestations(
            SUBJECT,
            [_authority(cosign_testdata, issuer="https://accounts.google.com")],
            [],
            [_bundle(cosign_testdata)],
            CUSTOM,
        )


def test_bundle_for_another_image_fails(cosign_testdata: Path) -> None:
    other = Digest("sha256:" + "0" * 64)
    with pytest.raises(VerificationError, match="is not this image"):
        check_attestations(
            other, [_authority(cosign_testdata)], [], [_bundle(cosign_testdata)], CUSTOM
        )


def test_certificate_outside_its_validity_or_untrusted_fails(
    cosign_testdata: Path, tmp_path: Path
) -> None:
    doc = json.loads(_bundle(cosign_testdata))
    # the certificate was valid for ten minutes on 2025-02-28; claim a log time a year later
    doc["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = "1772300000"
    with pytest.raises(VerificationError, match="keyless bundle does not verify"):
        check_attestations(
            SUBJECT, [_authority(cosign_testdata)], [], [json.dumps(doc).encode()], CUSTOM
        )
    root = json.loads((cosign_testdata / "trusted_root_pgi.json").read_text())
    root["certificateAuthorities"] = root["certificateAuthorities"][:0]
    empty = tmp_path / "root.json"
    empty.write_text(json.dumps(root))
    authority = KeylessAuthority(
        IdentityMatcher("cody@soyland.com", None, "https://github.com/login/oauth"), empty
    )
    with pytest.raises(VerificationError, match="keyless bundle does not verify"):
        authority.verify_bundle(parse_bundle(_bundle(cosign_testdata)), SUBJECT)


def test_matcher_needs_identity_and_issuer() -> None:
    with pytest.raises(UsageError, match="--certificate-identity"):
        IdentityMatcher(None, None, "https://issuer")
    with pytest.raises(UsageError, match="invalid regular expression"):
        IdentityMatcher(None, "(", "https://issuer")
