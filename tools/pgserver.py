#!/usr/bin/env python3
"""Start a throwaway, real PostgreSQL server for hullguard's tests and benchmarks.

Debian's ``postgresql`` package provides the binaries (``/usr/lib/postgresql/*/bin``).
The server listens on 127.0.0.1 (a free port) and on a Unix socket inside its own
temporary directory, trusts local connections, and is stopped (and its data
removed) by :meth:`PgServer.stop`. PostgreSQL refuses to run as root, so when the
tests run as root the cluster is created and started as the ``postgres`` system user.

Usage from a test: load this file with ``importlib`` (tests run in importlib mode;
register it in ``sys.modules`` before ``exec_module``: it defines a dataclass),
``server = PgServer.start()``, use ``server.url`` (``postgresql://...``), then
``server.stop()``. From a shell: ``python tools/pgserver.py`` starts one, prints
its URL and waits for Ctrl-C.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class PgUnavailable(RuntimeError):
    """PostgreSQL binaries are not installed (apt-get install postgresql)."""


def pg_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/N/bin`` holding ``initdb``."""
    root = Path("/usr/lib/postgresql")
    found = sorted(
        (p for p in root.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not found:
        raise PgUnavailable("PostgreSQL is not installed: apt-get install postgresql")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_user() -> list[str]:
    """Prefix that runs a command as ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class PgServer:
    """One running throwaway cluster."""

    base: Path
    port: int
    bindir: Path
    database: str = "hullguard"

    @property
    def socket_dir(self) -> Path:
        return self.base / "sock"

    @property
    def url(self) -> str:
        """TCP URL on 127.0.0.1 (user ``postgres``, trust auth)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    @property
    def socket_url(self) -> str:
        """The same database through the Unix socket."""
        return f"postgresql://postgres@/{self.database}?host={self.socket_dir}&port={self.port}"

    @classmethod
    def start(cls, database: str = "hullguard") -> PgServer:
        bindir = pg_bindir()
        base = Path(tempfile.mkdtemp(prefix="hullguard-pg-"))
        (base / "sock").mkdir()
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chmod(base, 0o755)
            for path in (base, base / "sock"):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        server = cls(base=base, port=_free_port(), bindir=bindir, database=database)
        server._initdb()
        server._pg_ctl_start()
        server._createdb(database)
        return server

    def _run(self, *args: str) -> None:
        proc = subprocess.run(
            [*_as_user(), *args], capture_output=True, text=True, check=False, cwd="/"
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {proc.stderr.strip() or proc.stdout.strip()}")

    def _initdb(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.base / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )

    def _pg_ctl_start(self) -> None:
        opts = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.socket_dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.base / "data"),
            "-l",
            str(self.base / "server.log"),
            "-o",
            opts,
            "-w",
            "-t",
            "60",
            "start",
        )

    def _createdb(self, name: str) -> None:
        self._run(
            str(self.bindir / "createdb"),
            "-h",
            str(self.socket_dir),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )

    def create_database(self, name: str) -> str:
        """Create another database in this cluster; returns its TCP URL."""
        self._createdb(name)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast", "stop"
            )
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def main() -> int:
    server = PgServer.start()
    print(server.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
