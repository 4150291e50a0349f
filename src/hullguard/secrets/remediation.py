"""What to do about a secret finding: rotate, move to a secret mount, ignore the file.

Text only; the image scan adds where the secret came from (layer, history step).
"""

from __future__ import annotations

import posixpath

from hullguard.secrets import sensitive
from hullguard.secrets.interface import SecretCategory, SecretMatch

_ROTATE = {
    SecretCategory.CLOUD_KEY: "Deactivate and rotate the key with the cloud provider",
    SecretCategory.VCS_TOKEN: "Revoke the token in the Git host's settings and issue a new one",
    SecretCategory.PRIVATE_KEY: (
        "Treat the key as compromised: replace it and revoke what trusts it "
        "(certificates, authorized_keys, deploy keys)"
    ),
    SecretCategory.PASSWORD: "Change the password",
    SecretCategory.API_KEY: "Revoke the key with its provider and issue a new one",
    SecretCategory.TOKEN: "Revoke the token and issue a new one",
    SecretCategory.REGISTRY_TOKEN: "Revoke the registry token and issue a new one",
    SecretCategory.WEBHOOK: "Delete the webhook and create a new URL",
    SecretCategory.CONNECTION_STRING: "Regenerate the access key behind the connection string",
    SecretCategory.SENSITIVE_FILE: "Assume whatever the file holds is exposed and rotate it",
}
_INSTEAD = (
    "at build time pass secrets with a BuildKit secret mount "
    "(RUN --mount=type=secret,id=NAME ...), at run time through the orchestrator's "
    "secret store or environment; never COPY them or bake them into ENV/ARG"
)
_DIR_PATTERNS = {".ssh": "**/.ssh", ".aws": "**/.aws", ".docker": "**/.docker", ".kube": "**/.kube"}


def dockerignore_pattern(path: str) -> str | None:
    """The ``.dockerignore`` line that keeps ``path`` out of a build context."""
    parts = [p for p in path.replace("\\", "/").split("/") if p]
    if not parts or path.startswith(("config:", "history")):
        return None
    for part in parts[:-1]:
        if part == ".git":
            return ".git"
        if part in _DIR_PATTERNS:
            return _DIR_PATTERNS[part]
    name = parts[-1]
    if name.startswith(".env"):
        return "**/.env*"
    ext = posixpath.splitext(name)[1].lower()
    if ext in {".pem", ".key", ".p12", ".pfx", ".jks", ".ppk", ".tfstate"}:
        return f"**/*{ext}"
    return f"**/{name}"


def advice(match: SecretMatch) -> str:
    """One paragraph: rotate, where to keep the secret instead, what to ignore."""
    text = f"{_ROTATE[match.category]}; {_INSTEAD}."
    pattern = dockerignore_pattern(match.path) if sensitive.classify(match.path) else None
    if pattern:
        text += f" Add `{pattern}` to .dockerignore so the file stays out of the build context."
    elif not match.path.startswith(("config:", "history")):
        text += " Remove the value from the file."
    return text
