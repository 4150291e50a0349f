"""Command families whose implementation lands in later issues.

Each is listed in ``--help`` and exits 2 with a clear message, so scripts fail
loudly instead of silently doing nothing. A family is removed from here when
its real module is registered in ``commands.py``.
"""

from __future__ import annotations

import click

from hullguard.errors import UsageError

_PENDING: dict[str, str] = {}


def _make(name: str, help_text: str) -> click.Command:
    @click.command(
        name=name,
        help=f"{help_text} (not available yet)",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
    def _cmd() -> None:
        raise UsageError(
            f"'hullguard {name}' is not implemented in this version",
            hint="see CHANGELOG.md for what is available",
        )

    return _cmd


PLACEHOLDERS: list[click.Command] = [_make(n, h) for n, h in _PENDING.items()]
