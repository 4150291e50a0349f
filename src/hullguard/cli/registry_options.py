"""Registry connection flags shared by every command that reads images.

``@registry_options`` adds ``--username``, ``--password-stdin``,
``--insecure``, ``--insecure-registry HOST``, ``--ca-cert FILE`` and
``--registry-timeout SECONDS``; :func:`registry_options_from_kwargs` turns the
command's kwargs into one :class:`RegistryOptions`. Without ``--password-stdin`` the
password of ``--username`` comes from ``HULLGUARD_PASSWORD`` (never a flag:
flags end up in shell history and process lists). ``--platform`` belongs to
the image loader, not here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from hullguard.errors import UsageError
from hullguard.image.registry.options import RegistryOptions
from hullguard.limits import DEFAULT_LIMITS, Limits

F = TypeVar("F", bound=Callable[..., Any])


def build_registry_options(
    *,
    username: str | None = None,
    password_stdin: bool = False,
    insecure: bool = False,
    insecure_registry: Iterable[str] = (),
    ca_cert: str | Path | None = None,
    timeout: float | None = None,
    limits: Limits = DEFAULT_LIMITS,
    stdin: IO[str] | None = None,
    password: str | None = None,
) -> RegistryOptions:
    """``RegistryOptions`` from flag values; reads the password from stdin when asked."""
    if password_stdin:
        if not username:
            raise UsageError("--password-stdin needs --username", hint="e.g. --username ci-bot")
        password = (stdin or sys.stdin).read().rstrip("\r\n")
        if not password:
            raise UsageError("--password-stdin read an empty password", hint="pipe it in: echo")
    if timeout is not None and timeout <= 0:
        raise UsageError(f"--registry-timeout must be positive, not {timeout:g}")
    return RegistryOptions(
        insecure=insecure,
        insecure_registries=frozenset(h.strip() for h in insecure_registry if h.strip()),
        ca_cert=Path(ca_cert) if ca_cert else None,
        username=username or None,
        password=password if username else None,
        timeout=timeout,
        limits=limits,
    )


def registry_options_from_kwargs(
    kwargs: Mapping[str, Any], limits: Limits = DEFAULT_LIMITS
) -> RegistryOptions:
    """``RegistryOptions`` from the click kwargs of a command using ``@registry_options``."""
    return build_registry_options(
        username=kwargs.get("username"),
        password_stdin=bool(kwargs.get("password_stdin")),
        insecure=bool(kwargs.get("insecure")),
        insecure_registry=kwargs.get("insecure_registry") or (),
        ca_cert=kwargs.get("ca_cert"),
        timeout=kwargs.get("registry_timeout"),
        limits=limits,
        password=os.environ.get("HULLGUARD_PASSWORD"),
    )


def registry_options(command: F) -> F:
    """Add the registry flags to a click command (values land in its kwargs)."""
    decorators = [
        click.option(
            "--username",
            envvar="HULLGUARD_USERNAME",
            metavar="USER",
            help="Registry user name; password from --password-stdin or $HULLGUARD_PASSWORD "
            "(default: credentials from docker login / config.json).",
        ),
        click.option(
            "--password-stdin",
            is_flag=True,
            help="Read the registry password or token from stdin (needs --username).",
        ),
        click.option(
            "--insecure",
            is_flag=True,
            help="Use plain HTTP for a registry on localhost / 127.0.0.0/8 / ::1.",
        ),
        click.option(
            "--insecure-registry",
            multiple=True,
            metavar="HOST",
            help="Allow plain HTTP to this non-loopback registry (repeatable; warns).",
        ),
        click.option(
            "--ca-cert",
            type=click.Path(exists=True, dir_okay=False),
            help="Extra CA certificate (PEM) to trust for registry TLS.",
        ),
        click.option(
            "--registry-timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help=f"Registry network timeout (default {DEFAULT_LIMITS.http_timeout:g}).",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command
