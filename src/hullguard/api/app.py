"""The application factory: one FastAPI app per :class:`ApiSettings`, nothing global."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hullguard import __version__
from hullguard.api import dashboard, routes
from hullguard.api.errors import install_handlers
from hullguard.api.scans import ScanJobs
from hullguard.api.settings import ApiSettings

DESCRIPTION = """\
The hullguard fleet inventory over HTTP: stored images with their packages and
findings, who runs package X, who is affected by a CVE, deployments, trends.
Write endpoints need `Authorization: Bearer <token>` and are disabled in read-only
mode. Every error is JSON: `{"error": {"code", "message", "hint"}}`.
"""


def create_app(settings: ApiSettings) -> FastAPI:
    """A new application serving the API, its OpenAPI document and the dashboard."""
    jobs = ScanJobs(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(
        title="hullguard",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "health", "description": "Liveness."},
            {"name": "inventory", "description": "Stored images and deployments."},
            {"name": "queries", "description": "Fleet questions."},
            {"name": "scans", "description": "Submitting scans (write endpoints)."},
        ],
    )
    app.state.settings = settings
    app.state.scans = jobs
    app.state.templates = dashboard.make_environment()
    install_handlers(app)
    app.include_router(routes.router)
    app.include_router(dashboard.router)
    return app
