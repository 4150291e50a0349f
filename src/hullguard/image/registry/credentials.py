"""Registry credentials: command line, Docker's config.json and credential helpers.

Resolution order, as the Docker CLI does it: ``--username/--password-stdin``,
then ``credHelpers[registry]``, then ``credsStore``, then the ``auths`` entry
of ``config.json`` (``auth`` = base64 ``user:pass``, or ``identitytoken``).
Helpers are run with the docker-credential-helpers protocol: ``get`` as the
argument, the server URL on stdin, JSON ``{"Username", "Secret"}`` on stdout.
A helper that is missing or fails is reported as a warning and the lookup
continues (anonymous access may still work).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullguard.errors import UsageError
from hullguard.image.registry.options import (
    DOCKER_HUB,
    DOCKER_HUB_ALIASES,
    Endpoint,
    RegistryOptions,
)

#: what a helper returns as Username when Secret is an identity (refresh) token
IDENTITY_TOKEN_USER = "<token>"  # noqa: S105 (a protocol marker, not a secret)
_MAX_CONFIG_BYTES = 4 * 1024 * 1024
_HELPER_TIMEOUT = 30.0


@dataclass(frozen=True)
class Credentials:
    """A username/password pair or an OAuth2 identity (refresh) token."""

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)
    #: where they came from, for messages ("config.json", "docker-credential-pass", ...)
    source: str = ""

    @property
    def has_basic(self) -> bool:
        return bool(self.username) and not self.identity_token


@dataclass(frozen=True)
class DockerConfig:
    """The parts of ``config.json`` that name credentials."""

    auths: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    cred_helpers: Mapping[str, str] = field(default_factory=dict)
    creds_store: str = ""
    path: Path | None = None


def docker_config_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$DOCKER_CONFIG`` or ``~/.docker``."""
    env = os.environ if env is None else env
    configured = env.get("DOCKER_CONFIG")
    return Path(configured) if configured else Path.home() / ".docker"


def load_docker_config(directory: Path) -> DockerConfig:
    """Read ``DIR/config.json``; a missing file is an empty config."""
    path = directory / "config.json"
    try:
        with path.open("rb") as fh:
            raw = fh.read(_MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return DockerConfig(path=path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", hint="check permissions") from exc
    if len(raw) > _MAX_CONFIG_BYTES:
        raise UsageError(f"{path} is larger than 4 MiB", hint="is it really a Docker config?")
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}", hint="fix or remove it") from exc
    if not isinstance(doc, dict):
        raise UsageError(f"{path} is not a JSON object", hint="fix or remove it")
    auths = doc.get("auths") if isinstance(doc.get("auths"), dict) else {}
    helpers = doc.get("credHelpers") if isinstance(doc.get("credHelpers"), dict) else {}
    store = doc.get("credsStore") if isinstance(doc.get("credsStore"), str) else ""
    return DockerConfig(
        auths={str(k): v for k, v in (auths or {}).items() if isinstance(v, dict)},
        cred_helpers={str(k): v for k, v in (helpers or {}).items() if isinstance(v, str)},
        creds_store=store or "",
        path=path,
    )


def normalize_key(key: str) -> str:
    """Docker's ``ConvertToHostname``: drop the scheme and any path."""
    for prefix in ("https://", "http://"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    return key.split("/", 1)[0]


def _candidates(registry: str) -> list[str]:
    """Hostnames a registry's credentials may be stored under, best first."""
    if registry == DOCKER_HUB:
        return ["index.docker.io", *sorted(DOCKER_HUB_ALIASES - {"index.docker.io"})]
    return [registry]


def _lookup(table: Mapping[str, Any], registry: str) -> Any:
    normalized = {normalize_key(k): v for k, v in sorted(table.items())}
    for candidate in _candidates(registry):
        if candidate in normalized:
            return normalized[candidate]
    return None


def _from_auth_entry(entry: Mapping[str, Any], source: str) -> Credentials | None:
    token = entry.get("identitytoken")
    if isinstance(token, str) and token:
        return Credentials(identity_token=token, source=source)
    encoded = entry.get("auth")
    if isinstance(encoded, str) and encoded:
        try:
            user, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise UsageError(
                f"the auth entry in {source} is not base64 user:password",
                hint="run docker login again",
            ) from exc
        if not sep:
            raise UsageError(f"an auth entry in {source} lacks ':'", hint="run docker login again")
        return Credentials(user, password, source=source)
    name, secret = entry.get("username"), entry.get("password")
    if isinstance(name, str) and name and isinstance(secret, str):
        return Credentials(name, secret, source=source)
    return None


def run_credential_helper(
    helper: str,
    server_url: str,
    warn: Callable[[str], None],
    timeout: float = _HELPER_TIMEOUT,
) -> Credentials | None:
    """Ask ``docker-credential-HELPER get`` for ``server_url``'s credentials."""
    program = f"docker-credential-{helper}"
    executable = shutil.which(program)
    if executable is None:
        warn(f"credential helper {program} (from config.json) is not on PATH; trying without it")
        return None
    try:
        done = subprocess.run(
            [executable, "get"],
            input=server_url.encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        warn(f"credential helper {program} failed: {exc}")
        return None
    if done.returncode != 0:
        text = (done.stdout or done.stderr).decode(errors="replace").strip()
        if "credentials not found" not in text.lower():
            warn(f"credential helper {program} failed: {text.splitlines()[0] if text else ''}")
        return None
    return _parse_helper_output(done.stdout, program, warn)


def _parse_helper_output(
    output: bytes, program: str, warn: Callable[[str], None]
) -> Credentials | None:
    try:
        doc = json.loads(output)
    except (ValueError, UnicodeDecodeError):
        warn(f"credential helper {program} printed something that is not JSON")
        return None
    if not isinstance(doc, dict):
        warn(f"credential helper {program} printed something that is not a JSON object")
        return None
    user, secret = doc.get("Username"), doc.get("Secret")
    if not isinstance(user, str) or not isinstance(secret, str) or not secret:
        return None
    if user == IDENTITY_TOKEN_USER:
        return Credentials(identity_token=secret, source=program)
    return Credentials(user, secret, source=program)


def resolve_credentials(
    endpoint: Endpoint,
    options: RegistryOptions,
    warn: Callable[[str], None],
    env: Mapping[str, str] | None = None,
) -> Credentials | None:
    """Credentials for ``endpoint`` following Docker's order, or ``None`` (anonymous)."""
    if options.username:
        return Credentials(options.username, options.password or "", source="the command line")
    directory = options.docker_config or docker_config_dir(env)
    config = load_docker_config(directory)
    source = str(config.path)
    helper = _lookup(config.cred_helpers, endpoint.registry)
    if isinstance(helper, str) and helper:
        return run_credential_helper(helper, endpoint.config_key, warn)
    if config.creds_store:
        found = run_credential_helper(config.creds_store, endpoint.config_key, warn)
        if found is not None:
            return found
    entry = _lookup(config.auths, endpoint.registry)
    return _from_auth_entry(entry, source) if isinstance(entry, Mapping) else None
