"""Write endpoints: refused in read-only mode (403), else a bearer token is required (401).

The token is compared with :func:`hmac.compare_digest` (constant time). With no
token configured, writes are refused too: the server fails closed.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hullguard.api.errors import ApiError
from hullguard.api.settings import TOKEN_ENV, ApiSettings

#: documents the scheme in OpenAPI; errors are raised by :func:`require_writer`
bearer_scheme = HTTPBearer(auto_error=False, description="The API token (--token-file)")

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="hullguard"'}


def check_writer(settings: ApiSettings, credentials: HTTPAuthorizationCredentials | None) -> None:
    """Raise :class:`ApiError` unless a write is allowed with ``credentials``."""
    if settings.read_only:
        raise ApiError(403, "this server is read-only", hint="restart it without --read-only")
    if settings.token is None:
        raise ApiError(
            403,
            "writes are disabled: the server has no API token",
            hint=f"restart it with --token-file FILE or ${TOKEN_ENV}",
        )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            401, "this endpoint needs 'Authorization: Bearer <token>'", headers=_CHALLENGE
        )
    given = credentials.credentials.encode("utf-8")
    if not hmac.compare_digest(given, settings.token.encode("utf-8")):
        raise ApiError(401, "the API token is wrong", headers=_CHALLENGE)


def require_writer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> None:
    """FastAPI dependency for every write endpoint."""
    check_writer(request.app.state.settings, credentials)
