"""The web dashboard: server-rendered HTML pages (Jinja2, autoescaped; no JavaScript).

Overview (images with severity counts, deployments), package search (who-has),
CVE lookup (who-is-affected), one image (packages, findings with their layer),
deployments and trends. Errors render as a page with the message, never a traceback.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from hullguard.api import readmodel
from hullguard.api.errors import ApiError, status_for
from hullguard.api.routes import get_store, open_vulndb
from hullguard.api.trend_chart import chart
from hullguard.errors import HullguardError
from hullguard.inventory.store import InventoryStore

router = APIRouter(include_in_schema=False)
#: pages need no script, no frame and no third-party resource; inline CSS only
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
Store = Annotated[InventoryStore, Depends(get_store)]


def make_environment() -> Environment:
    """Templates from the package; every value is HTML-escaped unless marked safe."""
    env = Environment(
        loader=PackageLoader("hullguard.api", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["short"] = lambda text: str(text)[:19]
    env.globals["severities"] = readmodel.SEVERITIES
    return env


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    env: Environment = request.app.state.templates
    settings = request.app.state.settings
    values = {"settings": settings, "q": "", "vuln": ""} | context
    html = env.get_template(name).render(values)
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _error(request: Request, exc: HullguardError | ApiError, **context: Any) -> HTMLResponse:
    status = exc.status if isinstance(exc, ApiError) else status_for(exc)
    return _page(request, "error.html", status, error=exc, **context)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, store: Store) -> HTMLResponse:
    return _page(
        request, "overview.html", images=readmodel.overview(store), deployments=store.deployments()
    )


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request, store: Store, q: Annotated[str, Query(max_length=500)] = ""
) -> HTMLResponse:
    from hullguard.inventory.fleet import who_has
    from hullguard.inventory.query import parse_query

    q = q.strip()
    if not q:
        return _page(request, "search.html", result=None)
    try:
        result = who_has(store, parse_query(q))
    except HullguardError as exc:
        return _error(request, exc, q=q)
    return _page(request, "search.html", result=result, q=q)


@router.get("/cve", response_class=HTMLResponse)
def cve(
    request: Request, store: Store, id: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    from hullguard.inventory.affected import who_is_affected

    vuln = id.strip()
    if not vuln:
        return _page(request, "cve.html", result=None)
    try:
        with open_vulndb(request.app.state.settings) as db:
            result = who_is_affected(store, db, vuln)
    except (HullguardError, ApiError) as exc:
        return _error(request, exc, vuln=vuln)
    return _page(request, "cve.html", result=result, vuln=vuln)


@router.get("/images/{image:path}", response_class=HTMLResponse)
def image(request: Request, store: Store, image: str) -> HTMLResponse:
    try:
        detail = readmodel.image_detail(store, image)
    except HullguardError as exc:
        return _error(request, exc)
    return _page(request, "image.html", image=detail)


@router.get("/deployments", response_class=HTMLResponse)
def deployments(request: Request, store: Store) -> HTMLResponse:
    return _page(request, "deployments.html", deployments=store.deployments())


@router.get("/trends", response_class=HTMLResponse)
def trends(request: Request, store: Store) -> HTMLResponse:
    data = readmodel.trends(store)
    return _page(request, "trends.html", trends=data, chart=chart(data))
