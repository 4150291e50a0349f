"""What counts as a secret at build time: sensitive file names and secret-looking values.

Shared by the COPY/ADD rule, the removed-too-late rule and the .dockerignore
rule. Pure data plus small classifiers; no I/O.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SensitiveKind:
    """A family of sensitive files and the .dockerignore lines that exclude it."""

    label: str
    #: basename globs of sensitive files
    files: tuple[str, ...] = ()
    #: directory names whose whole content is sensitive
    dirs: tuple[str, ...] = ()
    #: lines to add to .dockerignore
    ignore_lines: tuple[str, ...] = ()
    #: basename globs that look sensitive but are not (templates, public keys)
    except_files: tuple[str, ...] = ()


KINDS: tuple[SensitiveKind, ...] = (
    SensitiveKind(
        "environment file",
        files=(".env", ".env.*", "*.env"),
        ignore_lines=("**/.env", "**/.env.*"),
        except_files=(".env.example", ".env.sample", ".env.template", ".env.dist", "*.example"),
    ),
    SensitiveKind(
        "SSH key or config",
        files=("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_rsa_*", "id_ed25519_*"),
        dirs=(".ssh",),
        ignore_lines=("**/.ssh", "**/id_rsa*", "**/id_dsa*", "**/id_ecdsa*", "**/id_ed25519*"),
        except_files=("*.pub",),
    ),
    SensitiveKind("AWS credentials", dirs=(".aws",), ignore_lines=("**/.aws",)),
    SensitiveKind("npm credentials", files=(".npmrc",), ignore_lines=("**/.npmrc",)),
    SensitiveKind("PyPI credentials", files=(".pypirc",), ignore_lines=("**/.pypirc",)),
    SensitiveKind(
        "git or netrc credentials",
        files=(".git-credentials", ".netrc", "_netrc"),
        ignore_lines=("**/.git-credentials", "**/.netrc"),
    ),
    SensitiveKind(
        "private key or certificate store",
        files=("*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.ppk"),
        ignore_lines=("**/*.pem", "**/*.key", "**/*.p12", "**/*.pfx", "**/*.jks"),
    ),
    SensitiveKind(
        "cloud or cluster credentials",
        files=("credentials.json", "service-account*.json", "kubeconfig", "*.tfstate"),
        dirs=(".kube", ".docker", ".gcloud", ".azure", ".gnupg"),
        ignore_lines=("**/credentials.json", "**/.kube", "**/.docker", "**/*.tfstate"),
    ),
    SensitiveKind("htpasswd file", files=(".htpasswd",), ignore_lines=("**/.htpasswd",)),
    SensitiveKind(
        "git metadata (history may hold secrets)", dirs=(".git",), ignore_lines=(".git",)
    ),
)


def _glob(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def classify(path: str) -> tuple[SensitiveKind, str] | None:
    """The kind of a sensitive path and the unit to report (file, or sensitive dir)."""
    parts = [p for p in path.strip("/").split("/") if p not in ("", ".")]
    for index, part in enumerate(parts):
        for kind in KINDS:
            if part in kind.dirs:
                return kind, "/".join(parts[: index + 1])
    if not parts:
        return None
    base = parts[-1]
    for kind in KINDS:
        if _glob(base, kind.files) and not _glob(base, kind.except_files):
            return kind, "/".join(parts)
    return None


_SECRET_NAME = re.compile(
    r"(?i)(?:^|_)(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|"
    r"PRIVATE_?KEY|SECRET_?KEY|CLIENT_?SECRET|CREDENTIALS?|AUTH_?TOKEN|PASS)(?:_|$)"
)
_NOT_SECRET_SUFFIX = re.compile(
    r"(?i)_(?:FILE|PATH|DIR|FOLDER|LOCATION|URL|URI|ENDPOINT|HEADER|NAME|ID_FILE|LENGTH|TTL|"
    r"TIMEOUT|EXPIRY|TYPE|MODE|SIZE|VERSION)$"
)
_SECRET_VALUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{36}\b|github_pat_\w{22,}")),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20}\b")),
    ("Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("Stripe key", re.compile(r"\b[sr]k_live_[A-Za-z0-9]{16,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("password in URL", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@$]+:[^/\s@$]+@", re.I)),
)


def secret_name(name: str) -> bool:
    """True when an ARG/ENV name suggests it holds a secret."""
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET_SUFFIX.search(name)


def secret_value(value: str) -> str | None:
    """Label of a well-known credential format found in ``value``, if any."""
    for label, pattern in _SECRET_VALUES:
        if pattern.search(value):
            return label
    return None
