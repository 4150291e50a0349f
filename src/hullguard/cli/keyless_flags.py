"""The keyless-verification flags, in a module light enough for any command to import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def keyless_options(command: F) -> F:
    """Keyless identity/issuer flags and ``--trusted-root``."""
    decorators = [
        click.option("--certificate-identity", metavar="SAN", help="Exact signer identity."),
        click.option("--certificate-identity-regexp", metavar="RE", help="Signer identity regex."),
        click.option("--certificate-oidc-issuer", metavar="URL", help="Exact OIDC issuer."),
        click.option("--certificate-oidc-issuer-regexp", metavar="RE", help="OIDC issuer regex."),
        click.option(
            "--trusted-root",
            type=click.Path(exists=True, dir_okay=False),
            help="Sigstore trusted_root.json for offline keyless verification.",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command
