"""hullguard sign/verify against the real docker-registry and trixie's cosign 2.5 + skopeo 1.18."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

Registry = Any  # the conftest's Registry (importlib mode: conftests are not importable)


def run(
    *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def hg(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hullguard", *args],
        capture_output=True, text=True, timeout=120, env=env, input=stdin,
    )  # fmt: skip


def hg_reg(registry: Registry, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if registry.creds:
        env = {**env, "HULLGUARD_PASSWORD": registry.creds[1]}
    return hg(*args, *registry.hg_flags(), env=env)


@pytest.fixture
def keys(tmp_path: Path, key_env: dict[str, str]) -> tuple[Path, Path]:
    done = hg("key", "generate", "--output-key-prefix", str(tmp_path / "hg"), env=key_env)
    assert done.returncode == 0, done.stderr
    return tmp_path / "hg.key", tmp_path / "hg.pub"


def _cosign(trixie: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run(str(trixie / "cosign"), *args, env=env, check=False)


def test_hullguard_sign_verifies_with_hullguard_and_cosign(
    plain_registry: Registry, oci_layout: Path, keys: tuple[Path, Path],
    key_env: dict[str, str], trixie_bin: Path,
) -> None:  # fmt: skip
    plain_registry.push(oci_layout, "one", "team/a:v1", fmt="docker")
    image = f"{plain_registry.host}/team/a:v1"
    done = hg_reg(
        plain_registry, "sign", image, "--key", str(keys[0]), "-a", "env=prod", env=key_env
    )
    assert done.returncode == 0, done.stderr
    assert "is a tag" in done.stderr
    done = hg_reg(plain_registry, "verify", image, "--key", str(keys[1]), "-f", "json", env=key_env)
    assert done.returncode == 0, done.stderr
    claims = json.loads(done.stdout)
    assert (
        claims[0]["critical"]["identity"]["docker-reference"] == f"{plain_registry.host}/team/a:v1"
    )
    assert claims[0]["optional"] == {"env": "prod"}
    cosign = _cosign(trixie_bin, "verify", "--key", str(keys[1]), "--insecure-ignore-tlog",
                     "--allow-insecure-registry", "-a", "env=prod", image, env=key_env)  # fmt: skip
    assert cosign.returncode == 0, cosign.stderr
    assert json.loads(cosign.stdout)[0]["optional"] == {"env": "prod"}


def test_cosign_sign_verifies_with_hullguard(
    plain_registry: Registry, oci_layout: Path, tmp_path: Path,
    key_env: dict[str, str], trixie_bin: Path,
) -> None:  # fmt: skip
    plain_registry.push(oci_layout, "two", "team/b:v1")
    image = f"{plain_registry.host}/team/b:v1"
    done = run(str(trixie_bin / "cosign"), "generate-key-pair", "--output-key-prefix",
               str(tmp_path / "co"), env=key_env)  # fmt: skip
    done = _cosign(trixie_bin, "sign", "--key", str(tmp_path / "co.key"), "--tlog-upload=false",
                   "--allow-insecure-registry", "-y", image, env=key_env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    ok = hg_reg(plain_registry, "verify", image, "--key", str(tmp_path / "co.pub"), env=key_env)
    assert ok.returncode == 0, ok.stderr
    assert "Verified 1 signature" in ok.stdout
    # the cosign key also signs with hullguard (key interop), appending a layer
    again = hg_reg(plain_registry, "sign", image, "--key", str(tmp_path / "co.key"), env=key_env)
    assert again.returncode == 0, again.stderr
    ok = hg_reg(plain_registry, "verify", image, "--key", str(tmp_path / "co.pub"), env=key_env)
    assert "Verified 2 signature" in ok.stdout
    # a key that did not sign fails closed
    hg("key", "generate", "--output-key-prefix", str(tmp_path / "other"), env=key_env)
    bad = hg_reg(plain_registry, "verify", image, "--key", str(tmp_path / "other.pub"), env=key_env)
    assert bad.returncode == 1
    assert "does not verify with other.pub" in bad.stderr
    cosign_bad = _cosign(
        trixie_bin, "verify", "--key", str(tmp_path / "other.pub"), "--insecure-ignore-tlog",
        "--allow-insecure-registry", image, env=key_env,
    )  # fmt: skip
    assert cosign_bad.returncode != 0


def test_skopeo_sigstore_policy_accepts_hullguard_signature(
    plain_registry: Registry, oci_layout: Path, keys: tuple[Path, Path],
    key_env: dict[str, str], trixie_bin: Path, tmp_path: Path,
) -> None:  # fmt: skip
    plain_registry.push(oci_layout, "one", "team/c:v1", fmt="docker")
    image = f"{plain_registry.host}/team/c:v1"
    assert hg_reg(plain_registry, "sign", image, "--key", str(keys[0]), env=key_env).returncode == 0
    regd = tmp_path / "registries.d"
    regd.mkdir()
    (regd / "default.yaml").write_text("default-docker:\n  use-sigstore-attachments: true\n")

    def skopeo_with(pub: Path) -> subprocess.CompletedProcess[str]:
        policy = tmp_path / "policy.json"
        policy.write_text(json.dumps({
            "default": [{"type": "reject"}],
            "transports": {"docker": {plain_registry.host: [
                {"type": "sigstoreSigned", "keyPath": str(pub),
                 "signedIdentity": {"type": "matchRepoDigestOrExact"}}]}},
        }))  # fmt: skip
        return run(str(trixie_bin / "skopeo"), "--policy", str(policy), "--registries.d", str(regd),
                   "copy", "--remove-signatures", "--src-tls-verify=false", f"docker://{image}",
                   f"oci:{tmp_path / 'out'}:x", check=False)  # fmt: skip

    accepted = skopeo_with(keys[1])
    assert accepted.returncode == 0, accepted.stderr
    hg("key", "generate", "--output-key-prefix", str(tmp_path / "wrong"), env=key_env)
    rejected = skopeo_with(tmp_path / "wrong.pub")
    assert rejected.returncode != 0


def test_retagged_image_and_tampered_payload_fail_everywhere(
    plain_registry: Registry, oci_layout: Path, keys: tuple[Path, Path],
    key_env: dict[str, str], trixie_bin: Path,
) -> None:  # fmt: skip
    plain_registry.push(oci_layout, "one", "team/d:v1")
    image = f"{plain_registry.host}/team/d:v1"
    assert hg_reg(plain_registry, "sign", image, "--key", str(keys[0]), env=key_env).returncode == 0
    # copy the .sig of image one onto image two's .sig tag: a signature of another digest
    one = run(
        "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", f"docker://{image}"
    ).stdout.strip()
    plain_registry.push(oci_layout, "two", "team/d:v1")
    retagged = hg_reg(plain_registry, "verify", image, "--key", str(keys[1]), env=key_env)
    assert retagged.returncode == 1
    assert "no signatures found" in retagged.stderr
    two = run(
        "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", f"docker://{image}"
    ).stdout.strip()
    run("skopeo", "copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false",
        f"docker://{plain_registry.host}/team/d:{one.replace(':', '-')}.sig",
        f"docker://{plain_registry.host}/team/d:{two.replace(':', '-')}.sig")  # fmt: skip
    bad = hg_reg(plain_registry, "verify", image, "--key", str(keys[1]), env=key_env)
    assert bad.returncode == 1
    assert f"signature is for {one}, not for this image ({two})" in bad.stderr
    cosign = _cosign(trixie_bin, "verify", "--key", str(keys[1]), "--insecure-ignore-tlog",
                     "--allow-insecure-registry", image, env=key_env)  # fmt: skip
    assert cosign.returncode != 0
    ok = hg_reg(
        plain_registry,
        "verify",
        f"{plain_registry.host}/team/d@{one}",
        "--key",
        str(keys[1]),
        env=key_env,
    )
    assert ok.returncode == 0, ok.stderr


def test_tls_auth_registry_sign_attest_verify(
    tls_registry: Registry, oci_layout: Path, keys: tuple[Path, Path],
    key_env: dict[str, str], tmp_path: Path, trixie_bin: Path,
) -> None:  # fmt: skip
    tls_registry.push(oci_layout, "one", "team/e:v1")
    image = f"{tls_registry.host}/team/e:v1"
    assert (
        hg_reg(
            tls_registry, "sign", image, "--key", str(keys[0]), "--storage", "both", env=key_env
        ).returncode
        == 0
    )
    ok = hg_reg(tls_registry, "verify", image, "--key", str(keys[1]), "-f", "json", env=key_env)
    assert ok.returncode == 0, ok.stderr
    assert sorted(v["storage"] for v in json.loads(ok.stdout)) == ["referrer", "tag"]
    predicate = tmp_path / "prov.json"
    predicate.write_text(json.dumps({"runDetails": {"builder": {"id": "https://ci.example/b"}}}))
    done = hg_reg(tls_registry, "attest", image, "--key", str(keys[0]), "--type", "slsaprovenance1",
                  "--predicate", str(predicate), env=key_env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    ok = hg_reg(
        tls_registry,
        "verify-attestation",
        image,
        "--key",
        str(keys[1]),
        "--type",
        "slsaprovenance1",
        env=key_env,
    )
    assert ok.returncode == 0, ok.stderr
    assert "Verified 2 attestation" in ok.stdout
    wrong = hg_reg(
        tls_registry,
        "verify-attestation",
        image,
        "--key",
        str(keys[1]),
        "--type",
        "cyclonedx",
        env=key_env,
    )
    assert wrong.returncode == 1
    assert "not 'https://cyclonedx.org/bom'" in wrong.stderr
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"""policies:
  - name: ci
    images: ["{tls_registry.host}/team/**"]
    authorities: [{{key: {keys[1]}}}]
    attestations:
      - type: slsaprovenance1
        conditions: [{{path: runDetails.builder.id, equals: "https://ci.example/other"}}]
""")
    denied = hg_reg(
        tls_registry,
        "verify-attestation",
        image,
        "--key",
        str(keys[1]),
        "--policy",
        str(policy),
        env=key_env,
    )
    assert denied.returncode == 1
    assert (
        "runDetails.builder.id is 'https://ci.example/b', not 'https://ci.example/other'"
        in denied.stderr
    )


def test_cosign_verifies_hullguard_attestation(
    plain_registry: Registry, oci_layout: Path, keys: tuple[Path, Path],
    key_env: dict[str, str], trixie_bin: Path, cosign_fixtures: Path,
) -> None:  # fmt: skip
    plain_registry.push(oci_layout, "two", "team/f:v1")
    image = f"{plain_registry.host}/team/f:v1"
    vuln = cosign_fixtures / "test" / "testdata" / "attestations" / "vuln-predicate.json"
    done = hg_reg(plain_registry, "attest", image, "--key", str(keys[0]), "--type", "vuln",
                  "--predicate", str(vuln), "--storage", "tag", env=key_env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    cosign = _cosign(
        trixie_bin, "verify-attestation", "--key", str(keys[1]), "--type", "vuln",
        "--insecure-ignore-tlog", "--allow-insecure-registry", image, env=key_env,
    )  # fmt: skip
    assert cosign.returncode == 0, cosign.stderr


def _sigstore_trusted_root() -> Path:
    """sigstore-python's bundled production trusted_root.json (cosign needs one for bundles)."""
    import sigstore

    store = Path(sigstore.__file__).parent / "_store"
    return next(store.glob("*tuf-repo-cdn.sigstore.dev/trusted_root.json"))


def test_attestation_bundles_interoperate_with_cosign_new_bundle_format(
    plain_registry: Registry, oci_layout: Path, tmp_path: Path, key_env: dict[str, str],
    trixie_bin: Path,
) -> None:  # fmt: skip
    run(str(trixie_bin / "cosign"), "generate-key-pair", "--output-key-prefix",
        str(tmp_path / "co"), env=key_env)  # fmt: skip
    key, pub = tmp_path / "co.key", tmp_path / "co.pub"
    predicate = tmp_path / "pred.json"
    predicate.write_text('{"scanner": "hullguard-test"}')
    # cosign writes a Sigstore bundle referrer (fallback tag on distribution 2.8) ...
    plain_registry.push(oci_layout, "one", "team/nb:v1")
    image = f"{plain_registry.host}/team/nb:v1"
    done = _cosign(trixie_bin, "attest", "--key", str(key), "--new-bundle-format",
                   "--tlog-upload=false", "--allow-insecure-registry", "-y", "--type", "custom",
                   "--predicate", str(predicate), image, env=key_env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    ok = hg_reg(plain_registry, "verify-attestation", image, "--key", str(pub), "--type", "custom",
                "-f", "json", env=key_env)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    found = json.loads(ok.stdout)
    assert [a["storage"] for a in found] == ["referrer"]
    assert found[0]["statement"]["predicate"]["Data"].strip() == predicate.read_text()
    # ... and cosign reads the bundle referrer hullguard writes
    plain_registry.push(oci_layout, "two", "team/nb:v2")
    image2 = f"{plain_registry.host}/team/nb:v2"
    done = hg_reg(plain_registry, "attest", image2, "--key", str(key), "--type", "custom",
                  "--predicate", str(predicate), "--storage", "referrer", env=key_env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    cosign = _cosign(
        trixie_bin, "verify-attestation", "--key", str(pub), "--new-bundle-format",
        "--trusted-root", str(_sigstore_trusted_root()), "--insecure-ignore-tlog",
        "--allow-insecure-registry", "--type", "custom", image2, env=key_env,
    )  # fmt: skip
    assert cosign.returncode == 0, cosign.stderr
    statement = json.loads(base64.b64decode(json.loads(cosign.stdout.splitlines()[0])["payload"]))
    assert statement["predicate"] == {"scanner": "hullguard-test"}
