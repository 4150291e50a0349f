"""``hullguard serve`` without ``--admission``: the inventory API and dashboard on uvicorn."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import click

from hullguard.cli.options import resolve_db_path
from hullguard.errors import UsageError
from hullguard.inventory import resolve_database

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def _listen(host: str, port: int) -> socket.socket:
    """Bind before serving, so ``--port 0`` can report the port the kernel chose."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve_api(ctx: click.Context, kw: dict[str, Any]) -> None:
    """Build the settings from the options, then serve until interrupted."""
    import uvicorn

    from hullguard.api.app import create_app
    from hullguard.api.settings import ApiSettings, load_token
    from hullguard.cli.registry_options import registry_options_from_kwargs
    from hullguard.inventory import open_inventory

    root = ctx.find_root().obj or {}
    cache_dir = Path(root["cache_dir"]) if root.get("cache_dir") else None
    database = resolve_database(kw["database"], cache_dir)
    open_inventory(database).close()  # fail now, not on the first request
    vulndb = resolve_db_path(ctx.find_root(), kw["vulndb"])
    token = load_token(kw["token_file"])
    settings = ApiSettings(
        database=database,
        vulndb=vulndb,
        token=token,
        read_only=kw["read_only"],
        cache_dir=cache_dir,
        scan_local=kw["scan_local"],
        registry=registry_options_from_kwargs(kw),
    )
    host = kw["host"] or DEFAULT_HOST
    sock = _listen(host, DEFAULT_PORT if kw["port"] is None else kw["port"])
    bound_host, port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    notes = []
    if not vulndb.is_file():
        notes.append(f"no vulnerability database at {vulndb}: CVE lookups disabled")
    if settings.read_only:
        notes.append("read-only")
    elif token is None:
        notes.append("no API token: write endpoints refused (--token-file)")
    click.echo(f"hullguard: API and dashboard on http://{shown}:{port}", err=True)
    for note in notes:
        click.echo(f"hullguard: {note}", err=True)
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, server_header=False
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
