"""What one API server needs: inventory and vulnerability database paths, token, mode."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hullguard.errors import UsageError
from hullguard.inventory.dialect import DatabaseTarget

TOKEN_ENV = "HULLGUARD_API_TOKEN"  # noqa: S105 - the variable's name, not a token
#: a token shorter than this is refused: it could be guessed
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class ApiSettings:
    """Configuration of one application instance (see :func:`hullguard.api.app.create_app`)."""

    #: the inventory (``resolve_database()``: SQLite file or PostgreSQL URL; a Path is SQLite)
    database: DatabaseTarget | Path
    vulndb: Path | None = None
    token: str | None = None
    read_only: bool = False
    cache_dir: Path | None = None
    #: allow ``POST /api/v1/scans`` of local paths (oci:, oci-archive:, docker-archive:)
    scan_local: bool = False
    scan_workers: int = 2
    #: registry connection settings for scans (``RegistryOptions``; None: defaults)
    registry: object | None = None
    #: largest request body accepted (an SBOM upload)
    max_body_bytes: int = 64 * 1024 * 1024


def load_token(token_file: str | None) -> str | None:
    """The API token from ``--token-file`` (first line), else ``$HULLGUARD_API_TOKEN``."""
    if token_file:
        try:
            text = Path(token_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read --token-file {token_file}: {exc}") from None
        token = text.strip().splitlines()[0].strip() if text.strip() else ""
        if not token:
            raise UsageError(f"--token-file {token_file} is empty")
    else:
        token = os.environ.get(TOKEN_ENV, "").strip()
        if not token:
            return None
    if len(token) < MIN_TOKEN_CHARS:
        raise UsageError(
            f"the API token is shorter than {MIN_TOKEN_CHARS} characters",
            hint="generate one: python -c 'import secrets; print(secrets.token_urlsafe(32))'",
        )
    return token
