"""Every API error is JSON ``{"error": {"code", "message", "hint"}}``, never a traceback.

:class:`HullguardError` families map to HTTP statuses through :data:`STATUS_BY_ERROR`
(the nearest class in the exception's MRO wins); framework errors (404 routes,
validation, auth) and anything unexpected get the same body shape.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hullguard.catalog.interface import CatalogError
from hullguard.errors import (
    AuthError,
    DatabaseError,
    HullguardError,
    ReferenceError_,
    SourceError,
    UsageError,
)
from hullguard.inventory.interface import NotInInventory

log = logging.getLogger("hullguard.api")

#: error family -> HTTP status (checked along the exception's MRO)
STATUS_BY_ERROR: dict[type[HullguardError], int] = {
    NotInInventory: 404,
    ReferenceError_: 400,
    UsageError: 400,
    CatalogError: 400,
    AuthError: 502,
    SourceError: 502,
    DatabaseError: 503,
    HullguardError: 500,
}


class ApiError(Exception):
    """An error the API raises itself: an HTTP status, a message and a hint."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint
        self.headers = headers


def status_for(exc: HullguardError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_body(status: int, message: str, hint: str | None = None) -> dict[str, Any]:
    code = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    body: dict[str, Any] = {"code": code, "message": message}
    if hint:
        body["hint"] = hint
    return {"error": body}


def error_response(
    status: int, message: str, hint: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(status, message, hint), status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        if err.get("type") == "json_invalid":
            return f"the request body is not valid JSON ({err.get('ctx', {}).get('error', '')})"
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def install_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""

    async def on_api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message, exc.hint, exc.headers)

    async def on_hullguard(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HullguardError)
        return error_response(status_for(exc), exc.message, exc.hint)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(422, _validation_message(exc))

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return error_response(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))

    async def on_anything(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s: %s", type(exc).__name__, exc)
        return error_response(500, "internal error", "see the server log")

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(HullguardError, on_hullguard)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_anything)
