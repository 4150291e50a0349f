"""The HTTP API and web dashboard of ``hullguard serve`` (FastAPI, server-rendered HTML).

``app.create_app(settings)`` builds one application from an :class:`ApiSettings`;
nothing is global. ``routes`` holds the JSON API, ``dashboard`` the HTML pages,
``readmodel`` the read queries both share, ``scans`` the background scan jobs and
``auth`` the bearer-token and read-only checks on write endpoints.
"""

from hullguard.api.settings import ApiSettings

__all__ = ["ApiSettings"]
