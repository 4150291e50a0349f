"""Sensitive files are flagged by path, with content deciding where it must."""

from __future__ import annotations

import pytest

from hullguard.secrets import SecretScanner
from hullguard.secrets.sensitive import NOT_INSPECTED_NOTE

PRIVATE = b"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
CERT = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.mark.parametrize(
    ("path", "data", "rule"),
    [
        ("app/.env", b"DB_HOST=db\n", "sensitive-file-env"),
        ("app/.env.production", b"A=1\n", "sensitive-file-env"),
        ("srv/tls/server.key", PRIVATE, "sensitive-file-key"),
        ("srv/tls/server.pem", PRIVATE + CERT, "sensitive-file-key"),
        ("srv/tls/server.key", b"\x30\x82\x04\xa4", "sensitive-file-key"),
        ("root/id_ed25519", PRIVATE, "sensitive-file-key"),
        ("root/.ssh/deploy", b"anything", "sensitive-file-ssh"),
        ("certs/client.p12", b"\x30\x82", "sensitive-file-keystore"),
        ("home/u/.aws/credentials", b"[default]\n", "sensitive-file-aws-credentials"),
        ("root/.npmrc", b"//r.example/:_authToken=abc\n", "sensitive-file-npmrc"),
        ("root/.pypirc", b"[pypi]\npassword = x\n", "sensitive-file-pypirc"),
        ("root/.git-credentials", b"https://u:p@h\n", "sensitive-file-git-credentials"),
        ("root/.netrc", b"machine h login u password p\n", "sensitive-file-netrc"),
        (
            "root/.docker/config.json",
            b'{"auths": {"r": {"auth": "dTpw"}}}',
            "sensitive-file-docker-config",
        ),
        ("root/.kube/config", b"users:\n- user:\n    token: abc\n", "sensitive-file-kubeconfig"),
        ("etc/kubernetes/admin.conf", b"    client-key-data: LS0t\n", "sensitive-file-kubeconfig"),
        ("infra/terraform.tfstate", b"{}", "sensitive-file-tfstate"),
        ("src/app/.git/config", b"[core]\n", "sensitive-file-git-repo"),
        ("root/.vault-token", b"hvs.x", "sensitive-file-credentials"),
    ],
)
def test_sensitive_files(scanner: SecretScanner, path: str, data: bytes, rule: str) -> None:
    m = scanner.is_sensitive_path(path, data)
    assert m is not None and m.rule_id == rule
    assert (m.line, m.column, m.category.value) == (0, 0, "sensitive-file")
    assert m.redacted == f"[whole file, {len(data)} bytes]"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("app/.env.example", b"DB_PASSWORD=changeme\n"),
        ("app/.env", b""),
        ("etc/ssl/certs/ca.pem", CERT),
        ("root/.ssh/id_ed25519.pub", b"ssh-ed25519 AAAA"),
        ("root/.ssh/known_hosts", b"h ssh-ed25519 AAAA"),
        ("root/.ssh/authorized_keys", b"ssh-ed25519 AAAA"),
        ("root/.npmrc", b"registry=https://r.example/\n"),
        ("root/.docker/config.json", b'{"credsStore": "pass"}'),
        ("src/app/.git/HEAD", b"ref: x"),
        ("etc/fakechroot/chroot.env", b"A=1\n"),
        ("app/main.py", b"x = 1"),
    ],
)
def test_not_sensitive(scanner: SecretScanner, path: str, data: bytes) -> None:
    assert scanner.is_sensitive_path(path, data) is None


def test_path_alone_when_content_was_not_read(scanner: SecretScanner) -> None:
    m = scanner.is_sensitive_path("root/.npmrc", None)
    assert m is not None and m.note == NOT_INSPECTED_NOTE
    tf = scanner.is_sensitive_path("x/terraform.tfstate", None)
    assert tf is not None and tf.note == ""


def test_scan_bytes_includes_the_path_finding_for_binary_files(scanner: SecretScanner) -> None:
    assert [m.rule_id for m in scanner.scan_bytes("a/b.pfx", b"\x30\x00\x01")] == [
        "sensitive-file-keystore"
    ]
