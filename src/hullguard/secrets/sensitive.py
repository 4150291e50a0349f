"""Files that are secrets by their path: ``.env``, key files, credential stores.

Such a file is reported even when no content rule matches (a ``.env`` full of
short passwords, a binary ``.p12``). Where a file is sensitive only with certain
content (an ``.npmrc`` with auth, a Docker ``config.json`` with ``auths``), the
content is checked when it is given; without content the path alone decides and
the finding says so.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from hullguard.model.severity import Severity
from hullguard.secrets.interface import RuleId

NOT_INSPECTED_NOTE = "content not inspected (file skipped by size or type)"


@dataclass(frozen=True)
class SensitiveKind:
    """One kind of sensitive file: its rule id, title, severity and content test."""

    rule_id: RuleId
    title: str
    severity: Severity
    #: content test (True: sensitive); ``None``: the path alone decides
    content: Callable[[bytes], bool] | None = None


def _matches(pattern: re.Pattern[bytes]) -> Callable[[bytes], bool]:
    return lambda data: pattern.search(data) is not None


def _private_or_opaque(data: bytes) -> bool:
    """A key/pem file is sensitive unless it only holds certificates or public keys."""
    if not data.strip():
        return False
    if b"-----BEGIN" not in data:
        return True  # DER or another binary/opaque form: assume a key
    return b"PRIVATE KEY" in data


_NPMRC_AUTH = re.compile(rb"(?im)^\s*(?:\S*:)?(?:_authToken|_auth|_password)\s*=\s*\S")
_PYPIRC_AUTH = re.compile(rb"(?im)^\s*password\s*[=:]\s*\S")
_NETRC_AUTH = re.compile(rb"(?m)\bpassword\s+\S")
_DOCKER_AUTH = re.compile(rb'"auths"\s*:\s*\{[\s\S]*"(?:auth|identitytoken)"\s*:\s*"[^"]+"')
_KUBE_AUTH = re.compile(
    rb"(?m)^\s*(?:client-key-data|token|password|client-key|auth-provider)\s*:\s*\S"
)
_ENV_LINE = re.compile(rb"(?m)^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=\s*\S")

KINDS: dict[str, SensitiveKind] = {
    "env": SensitiveKind(
        RuleId("sensitive-file-env"), "Environment file (.env)", Severity.HIGH, _matches(_ENV_LINE)
    ),
    "key": SensitiveKind(
        RuleId("sensitive-file-key"), "Private key file", Severity.HIGH, _private_or_opaque
    ),
    "keystore": SensitiveKind(
        RuleId("sensitive-file-keystore"), "Key store (PKCS#12 / JKS / PuTTY)", Severity.HIGH
    ),
    "ssh": SensitiveKind(RuleId("sensitive-file-ssh"), "File in an .ssh directory", Severity.HIGH),
    "aws": SensitiveKind(
        RuleId("sensitive-file-aws-credentials"), "AWS credentials file", Severity.CRITICAL
    ),
    "npmrc": SensitiveKind(
        RuleId("sensitive-file-npmrc"), "npm config with credentials", Severity.HIGH,
        _matches(_NPMRC_AUTH),
    ),
    "pypirc": SensitiveKind(
        RuleId("sensitive-file-pypirc"), "PyPI config with credentials", Severity.HIGH,
        _matches(_PYPIRC_AUTH),
    ),
    "git-credentials": SensitiveKind(
        RuleId("sensitive-file-git-credentials"), "git credential store", Severity.CRITICAL
    ),
    "netrc": SensitiveKind(
        RuleId("sensitive-file-netrc"), "netrc with passwords", Severity.HIGH, _matches(_NETRC_AUTH)
    ),
    "docker-config": SensitiveKind(
        RuleId("sensitive-file-docker-config"), "Docker config with registry logins",
        Severity.HIGH, _matches(_DOCKER_AUTH),
    ),
    "kubeconfig": SensitiveKind(
        RuleId("sensitive-file-kubeconfig"), "Kubernetes kubeconfig with credentials",
        Severity.CRITICAL, _matches(_KUBE_AUTH),
    ),
    "tfstate": SensitiveKind(
        RuleId("sensitive-file-tfstate"), "Terraform state (holds secrets in plain text)",
        Severity.HIGH,
    ),
    "git": SensitiveKind(
        RuleId("sensitive-file-git-repo"), "Git repository (its history may hold more secrets)",
        Severity.MEDIUM,
    ),
    "credential-file": SensitiveKind(
        RuleId("sensitive-file-credentials"), "Credential file", Severity.HIGH
    ),
}  # fmt: skip

_ENV_NAME = re.compile(r"^(?:\.env(?:\.[\w.-]+)?|\.envrc)$")
_ENV_TEMPLATE = re.compile(r"(?i)\.(?:example|sample|template|tmpl|dist|defaults?|schema|tpl)$")
#: files of an .ssh directory that hold only public data
_SSH_PUBLIC = re.compile(r"^(?:.*\.pub|known_hosts.*|authorized_keys.*|config)$")
_SSH_KEY_NAME = re.compile(r"^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$")
_BY_NAME: dict[str, str] = {
    ".npmrc": "npmrc",
    ".yarnrc.yml": "npmrc",
    ".pypirc": "pypirc",
    ".git-credentials": "git-credentials",
    ".netrc": "netrc",
    "_netrc": "netrc",
    ".dockercfg": "docker-config",
    "terraform.tfstate": "tfstate",
    "terraform.tfstate.backup": "tfstate",
    ".vault-token": "credential-file",
    ".pgpass": "credential-file",
    ".s3cfg": "credential-file",
    ".boto": "credential-file",
    ".htpasswd": "credential-file",
}
_BY_SUFFIX: dict[str, str] = {
    ".pem": "key",
    ".key": "key",
    ".p12": "keystore",
    ".pfx": "keystore",
    ".jks": "keystore",
    ".ppk": "keystore",
    ".kdbx": "keystore",
    ".tfstate": "tfstate",
}


#: first characters of every file name :func:`classify` can flag outside a dot-directory
_NAME_STARTS = ("_", "id_", "kubeconfig", "terraform.tfstate", ".")


def _cannot_be_sensitive(p: str) -> bool:
    """A cheap test that rules out most paths before :func:`classify` splits them:
    no dot-file or dot-directory (``.git``, ``.aws``, ``.ssh``, ``.env`` ...), no
    ``kubernetes/`` directory, no sensitive name start and no sensitive suffix."""
    p = p.rstrip("/")
    if p.startswith(".") or "/." in p or "kubernetes/" in p:
        return False
    name = p[p.rfind("/") + 1 :]
    if name.startswith(_NAME_STARTS) or name.endswith(".kubeconfig"):
        return False
    dot = name.rfind(".")
    return dot <= 0 or name[dot:].lower() not in _BY_SUFFIX


def classify(path: str) -> str | None:
    """The :data:`KINDS` key of a sensitive path, or ``None``."""
    p = path.replace("\\", "/")
    if _cannot_be_sensitive(p):
        return None
    parts = [s for s in p.split("/") if s]
    if not parts:
        return None
    name = parts[-1]
    parent = parts[-2] if len(parts) > 1 else ""
    return (
        _special_dir(parts, name, parent)
        or _BY_NAME.get(name)
        or _by_pattern(name)
        or _BY_SUFFIX.get(posixpath.splitext(name)[1].lower())
    )


def _special_dir(parts: list[str], name: str, parent: str) -> str | None:
    if parent == ".git" and name == "config":
        return "git"
    if parent == ".aws" and name == "credentials":
        return "aws"
    if parent == ".docker" and name == "config.json":
        return "docker-config"
    if (parent == ".kube" and name == "config") or (
        parent == "kubernetes" and name.endswith(".conf")
    ):
        return "kubeconfig"
    if ".ssh" in parts[:-1] and not _SSH_PUBLIC.match(name):
        return "ssh"
    return None


def _by_pattern(name: str) -> str | None:
    if _ENV_NAME.match(name) and not _ENV_TEMPLATE.search(name):
        return "env"
    if _SSH_KEY_NAME.match(name):
        return "key"
    if name.startswith("kubeconfig") or name.endswith(".kubeconfig"):
        return "kubeconfig"
    return None


def check(path: str, data: bytes | None) -> tuple[SensitiveKind, str] | None:
    """``(kind, note)`` when ``path`` (with ``data`` if given) is a sensitive file."""
    key = classify(path)
    if key is None:
        return None
    kind = KINDS[key]
    if data is None:
        return kind, NOT_INSPECTED_NOTE if kind.content else ""
    if kind.content is not None and not kind.content(data):
        return None
    return kind, ""
