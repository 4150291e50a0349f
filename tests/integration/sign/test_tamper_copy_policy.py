"""Tampering rejected by hullguard, cosign and skopeo alike; copy; policies; skopeo signing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hullguard.image.registry import RegistryOptions, RegistryPusher
from hullguard.model.image import Digest
from hullguard.sign.attachments import (
    AttachmentKind,
    attachment_manifest,
    attachment_tag,
    blob_digest,
    parse_layers,
)

Registry = Any  # the conftest's Registry (importlib mode: conftests are not importable)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)


def hg(registry: Registry, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if registry.creds:
        env = {**env, "HULLGUARD_PASSWORD": registry.creds[1]}
    return run(sys.executable, "-m", "hullguard", *args, *registry.hg_flags(), env=env)


def _keys(tmp_path: Path, env: dict[str, str], name: str = "hg") -> tuple[Path, Path]:
    done = run(sys.executable, "-m", "hullguard", "key", "generate", "--output-key-prefix",
               str(tmp_path / name), env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return tmp_path / f"{name}.key", tmp_path / f"{name}.pub"


def _digest(registry: Registry, image: str) -> Digest:
    done = run(
        "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", f"docker://{image}"
    )
    assert done.returncode == 0, done.stderr
    return Digest(done.stdout.strip())


def _cosign_verify(
    trixie: Path, pub: Path, image: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return run(str(trixie / "cosign"), "verify", "--key", str(pub), "--insecure-ignore-tlog",
               "--allow-insecure-registry", image, env=env)  # fmt: skip


def _skopeo_accepts(
    trixie: Path, tmp_path: Path, registry: Registry, pub: Path, image: str
) -> subprocess.CompletedProcess[str]:
    regd = tmp_path / "registries.d"
    regd.mkdir(exist_ok=True)
    (regd / "default.yaml").write_text("default-docker:\n  use-sigstore-attachments: true\n")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({
        "default": [{"type": "reject"}],
        "transports": {"docker": {registry.host: [{"type": "sigstoreSigned", "keyPath": str(pub),
            "signedIdentity": {"type": "matchRepoDigestOrExact"}}]}},
    }))  # fmt: skip
    return run(str(trixie / "skopeo"), "--policy", str(policy), "--registries.d", str(regd),
               "copy", "--remove-signatures", "--src-tls-verify=false", f"docker://{image}",
               f"oci:{tmp_path / 'skopeo-out'}:x")  # fmt: skip


def test_edited_payload_is_rejected_by_all_three(
    plain_registry: Registry, oci_layout: Path, tmp_path: Path, key_env: dict[str, str],
    trixie_bin: Path,
) -> None:  # fmt: skip
    plain_registry.push(oci_layout, "one", "team/t:v1")
    image = f"{plain_registry.host}/team/t:v1"
    key, pub = _keys(tmp_path, key_env)
    assert hg(plain_registry, "sign", image, "--key", str(key), env=key_env).returncode == 0
    accepted = _skopeo_accepts(trixie_bin, tmp_path, plain_registry, pub, image)
    assert accepted.returncode == 0, accepted.stderr
    digest = _digest(plain_registry, image)
    tag = attachment_tag(digest, AttachmentKind.SIGNATURE)
    with RegistryPusher(plain_registry.host, RegistryOptions(insecure=True)) as client:
        pusher: Any = client
        layer = parse_layers(pusher.get_manifest("team/t", tag).data, "sig")[0]
        payload = pusher.get_blob("team/t", layer.digest, max_bytes=1 << 20)
        edited = payload.replace(b'"optional":null', b'"optional":{"approved":"yes"}')
        assert edited != payload
        pusher.upload_blob("team/t", edited)
        forged = type(layer)(layer.media_type, blob_digest(edited), len(edited), layer.annotations)
        manifest, config = attachment_manifest([forged])
        pusher.upload_blob("team/t", config)
        pusher.put_manifest("team/t", tag, manifest, "application/vnd.oci.image.manifest.v1+json")
    bad = hg(plain_registry, "verify", image, "--key", str(pub), env=key_env)
    assert bad.returncode == 1
    assert "does not verify with hg.pub" in bad.stderr and "payload was modified" in bad.stderr
    assert _cosign_verify(trixie_bin, pub, image, key_env).returncode != 0
    assert _skopeo_accepts(trixie_bin, tmp_path, plain_registry, pub, image).returncode != 0


def test_skopeo_signed_image_verifies_with_hullguard(
    plain_registry: Registry, oci_layout: Path, tmp_path: Path, key_env: dict[str, str],
    trixie_bin: Path,
) -> None:  # fmt: skip
    key, pub = _keys(tmp_path, key_env)
    regd = tmp_path / "registries.d"
    regd.mkdir()
    (regd / "default.yaml").write_text("default-docker:\n  use-sigstore-attachments: true\n")
    passphrase = tmp_path / "pass"
    passphrase.write_text(key_env["COSIGN_PASSWORD"])
    image = f"{plain_registry.host}/team/s:v1"
    done = run(str(trixie_bin / "skopeo"), "--registries.d", str(regd), "copy", "-q",
               "--dest-tls-verify=false", "--sign-by-sigstore-private-key", str(key),
               "--sign-passphrase-file", str(passphrase),
               f"oci:{oci_layout}:one", f"docker://{image}")  # fmt: skip
    assert done.returncode == 0, done.stderr
    ok = hg(plain_registry, "verify", image, "--key", str(pub), "-f", "json", env=key_env)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)[0]["critical"]["identity"]["docker-reference"] == image
    # and a key generated by hullguard signs with cosign too
    cosign = run(str(trixie_bin / "cosign"), "sign", "--key", str(key), "--tlog-upload=false",
                 "--allow-insecure-registry", "-y", image, env=key_env)  # fmt: skip
    assert cosign.returncode == 0, cosign.stderr
    ok = hg(plain_registry, "verify", image, "--key", str(pub), env=key_env)
    assert "Verified 2 signature" in ok.stdout


def test_copy_keeps_signatures_and_policy_decides(
    plain_registry: Registry, tls_registry: Registry, oci_layout: Path, tmp_path: Path,
    key_env: dict[str, str], trixie_bin: Path,
) -> None:  # fmt: skip
    key, pub = _keys(tmp_path, key_env)
    plain_registry.push(oci_layout, "two", "team/src:v1")
    src = f"{plain_registry.host}/team/src:v1"
    assert (
        hg(
            plain_registry, "sign", src, "--key", str(key), "--storage", "both", env=key_env
        ).returncode
        == 0
    )
    predicate = tmp_path / "p.json"
    predicate.write_text(json.dumps({"runDetails": {"builder": {"id": "https://ci.example/b"}}}))
    assert hg(plain_registry, "attest", src, "--key", str(key), "--type", "slsaprovenance1",
              "--predicate", str(predicate), env=key_env).returncode == 0  # fmt: skip
    # copy from plain HTTP to TLS+auth
    env = {**key_env, "HULLGUARD_PASSWORD": tls_registry.creds[1]}
    dst = f"{tls_registry.host}/mirror/app:v1"
    done = run(sys.executable, "-m", "hullguard", "copy", src, dst, "--src-insecure",
               *tls_registry.hg_flags(), env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert ".sig" in done.stdout and ".att" in done.stdout
    ok = hg(tls_registry, "verify", dst, "--key", str(pub), "-f", "json", env=key_env)
    assert ok.returncode == 0, ok.stderr
    assert sorted(v["storage"] for v in json.loads(ok.stdout)) == ["referrer", "tag"]
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"""apiVersion: hullguard/v1
kind: VerificationPolicy
policies:
  - name: mirror
    images: ["{tls_registry.host}/mirror/*"]
    authorities: [{{key: hg.pub}}]
    attestations:
      - type: slsaprovenance1
        conditions: [{{path: runDetails.builder.id, equals: "https://ci.example/b"}}]
""")
    allowed = hg(tls_registry, "verify", dst, "--policy", str(policy), env=key_env)
    assert allowed.returncode == 0, allowed.stderr
    assert "allowed" in allowed.stdout
    _, other = _keys(tmp_path, key_env, "other")
    policy.write_text(policy.read_text().replace("hg.pub", "other.pub"))
    denied = hg(tls_registry, "verify", dst, "--policy", str(policy), env=key_env)
    assert denied.returncode == 1
    assert "policy mirror failed" in denied.stderr
    assert other.exists()


def test_keyless_bundle_found_as_referrer_and_checked(
    plain_registry: Registry, oci_layout: Path, cosign_fixtures: Path, key_env: dict[str, str]
) -> None:
    """cosign's real keyless bundle on another image: it verifies, but names another subject."""
    from hullguard.image.reference import parse_registry_reference
    from hullguard.sign.store import attach_referrer, resolve

    plain_registry.push(oci_layout, "one", "team/k:v1")
    image = f"{plain_registry.host}/team/k:v1"
    testdata = cosign_fixtures / "pkg" / "cosign" / "testdata"
    with RegistryPusher(plain_registry.host, RegistryOptions(insecure=True)) as client:
        pusher: Any = client
        target = resolve(pusher, parse_registry_reference(image), lambda _m: None)
        attach_referrer(
            pusher, target, (testdata / "oci-attestation.sigstore.json").read_bytes(), {}
        )
    args = ["verify-attestation", image, "--trusted-root", str(testdata / "trusted_root_pgi.json"),
            "--certificate-oidc-issuer", "https://github.com/login/oauth"]  # fmt: skip
    good = hg(plain_registry, *args, "--certificate-identity", "cody@soyland.com", env=key_env)
    assert good.returncode == 1
    assert "attestation subject (sha256:732112270d7e" in good.stderr
    assert f"is not this image ({target.digest})" in good.stderr
    wrong = hg(plain_registry, *args, "--certificate-identity", "eve@example.com", env=key_env)
    assert wrong.returncode == 1
    assert "certificate identities ['cody@soyland.com'] do not match" in wrong.stderr


def test_copy_through_an_oci_layout_keeps_signatures(
    plain_registry: Registry, oci_layout: Path, tmp_path: Path, key_env: dict[str, str],
    trixie_bin: Path,
) -> None:  # fmt: skip
    key, pub = _keys(tmp_path, key_env)
    plain_registry.push(oci_layout, "one", "team/lay:v1")
    src = f"{plain_registry.host}/team/lay:v1"
    assert (
        hg(
            plain_registry, "sign", src, "--key", str(key), "--storage", "both", env=key_env
        ).returncode
        == 0
    )
    layout = tmp_path / "saved"
    out = run(
        sys.executable,
        "-m",
        "hullguard",
        "copy",
        src,
        f"oci:{layout}:v1",
        "--insecure",
        env=key_env,
    )
    assert out.returncode == 0, out.stderr
    digest = _digest(plain_registry, src)
    # skopeo (independent reader) sees the image and the .sig tag in the layout
    sig = run("skopeo", "inspect", "--raw", f"oci:{layout}:{digest.replace(':', '-')}.sig")
    assert sig.returncode == 0, sig.stderr
    assert "dev.cosignproject.cosign/signature" in sig.stdout
    back = f"{plain_registry.host}/restored/app:v1"
    out = run(
        sys.executable,
        "-m",
        "hullguard",
        "copy",
        f"oci:{layout}:v1",
        back,
        "--insecure",
        env=key_env,
    )
    assert out.returncode == 0, out.stderr
    ok = hg(plain_registry, "verify", back, "--key", str(pub), "-f", "json", env=key_env)
    assert ok.returncode == 0, ok.stderr
    assert sorted(v["storage"] for v in json.loads(ok.stdout)) == ["referrer", "tag"]
    assert _cosign_verify(trixie_bin, pub, back, key_env).returncode == 0


def test_provenance_from_github_env_attested_and_enforced(
    tls_registry: Registry, oci_layout: Path, tmp_path: Path, key_env: dict[str, str]
) -> None:
    key, pub = _keys(tmp_path, key_env)
    tls_registry.push(oci_layout, "one", "base/debian:12")
    tls_registry.push(oci_layout, "two", "team/prov:v1")
    image = f"{tls_registry.host}/team/prov:v1"
    github = {
        "GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/app", "GITHUB_SHA": "ab" * 20, "GITHUB_REF": "refs/heads/main",
        "GITHUB_WORKFLOW_REF": "acme/app/.github/workflows/build.yml@refs/heads/main",
        "GITHUB_RUN_ID": "42", "RUNNER_ENVIRONMENT": "github-hosted",
    }  # fmt: skip
    env = {**key_env, **github}
    out = tmp_path / "prov.json"
    base = f"{tls_registry.host}/base/debian:12"
    done = hg(tls_registry, "provenance", image, "--base-image", base,
              "--attest", "--key", str(key), "-o", str(out), env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    predicate = json.loads(out.read_text())
    deps = predicate["buildDefinition"]["resolvedDependencies"]
    assert deps[0] == {
        "uri": "git+https://github.com/acme/app@refs/heads/main",
        "digest": {"gitCommit": "ab" * 20},
    }
    assert deps[1]["uri"] == f"oci://{tls_registry.host}/base/debian"
    inspected = run("skopeo", "inspect", f"--cert-dir={tls_registry.cert_dir}",
                    f"--creds={tls_registry.creds[0]}:{tls_registry.creds[1]}",
                    "--format", "{{.Digest}}", f"docker://{base}")  # fmt: skip
    assert deps[1]["digest"] == {"sha256": inspected.stdout.strip().removeprefix("sha256:")}
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"""policies:
  - name: prod
    images: ["{tls_registry.host}/team/*"]
    authorities: [{{key: hg.pub}}]
    attestations:
      - type: slsaprovenance1
        conditions:
          - {{path: runDetails.builder.id, equals: "https://github.com/actions/runner/github-hosted"}}
          - {{path: buildDefinition.externalParameters.workflow.repository, matches: "https://github.com/acme/.*"}}
""")
    signed = hg(tls_registry, "sign", image, "--key", str(key), env=key_env)
    assert signed.returncode == 0, signed.stderr
    allowed = hg(tls_registry, "verify", image, "--policy", str(policy), "-f", "json", env=key_env)
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["allowed"] is True
    policy.write_text(policy.read_text().replace("acme/", "other-org/"))
    denied = hg(tls_registry, "verify", image, "--policy", str(policy), env=key_env)
    assert denied.returncode == 1
    assert "does not match /https://github.com/other-org/.*/" in denied.stderr
    assert pub.exists()


def test_sbom_attest_and_read_back(
    plain_registry: Registry, oci_layout: Path, tmp_path: Path, key_env: dict[str, str]
) -> None:
    key, pub = _keys(tmp_path, key_env)
    plain_registry.push(oci_layout, "one", "team/sbom:v1")
    image = f"{plain_registry.host}/team/sbom:v1"
    made = hg(plain_registry, "sbom", image, "--attest", "--key", str(key), "-o",
              str(tmp_path / "bom.json"), env=key_env)  # fmt: skip
    assert made.returncode == 0, made.stderr
    back = hg(plain_registry, "sbom", image, "--from-attestation", "--key", str(pub), env=key_env)
    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout) == json.loads((tmp_path / "bom.json").read_text())
    _, other = _keys(tmp_path, key_env, "other")
    denied = hg(plain_registry, "sbom", image, "--from-attestation", "--key", str(other),
                env=key_env)  # fmt: skip
    assert denied.returncode == 1
    assert "does not verify with other.pub" in denied.stderr
