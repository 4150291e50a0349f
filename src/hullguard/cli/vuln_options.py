"""Vulnerability flags for ``scan`` (and any command that matches packages).

``@vuln_options`` adds ``--db``, ``--severity`` (display minimum),
``--fail-on``, ``--ignore-unfixed``, ``--ignorefile`` (default
``.hullguardignore`` when present), ``--vex`` (repeatable), ``--dockerfile``
and ``--stale-after-days``. :func:`vuln_options_from_kwargs` turns them into a
:class:`VulnOptions`; :func:`render_context_from_kwargs` maps the image history
onto the Dockerfile for SARIF locations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hullguard import __version__
from hullguard.errors import UsageError
from hullguard.model.severity import Severity
from hullguard.secrets.redact import redact_command

if TYPE_CHECKING:  # the matcher loads only when a command matches (not for --scanners secret)
    from hullguard.match import VulnOptions
    from hullguard.report.vuln_json import RenderContext

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_IGNOREFILE = ".hullguardignore"
_LEVELS = [s.value for s in Severity]


def vuln_options(command: F) -> F:
    """Add the vulnerability flags to a click command (values land in its kwargs)."""
    decorators = [
        click.option("--db", "db", type=click.Path(dir_okay=False),
                     help="Vulnerability database (default: <cache dir>/db/vuln.db)."),
        click.option("--severity", "severity", type=click.Choice(_LEVELS, case_sensitive=False),
                     default="UNKNOWN", show_default=True,
                     help="Show findings at or above this severity (display only)."),
        click.option("--fail-on", "fail_on", type=click.Choice(_LEVELS, case_sensitive=False),
                     help="Exit 1 when an unsuppressed finding at or above this remains."),
        click.option("--ignore-unfixed", is_flag=True,
                     help="Leave out findings that have no fixed version."),
        click.option("--ignorefile", type=click.Path(dir_okay=False),
                     help=f"Ignore rules (default: ./{DEFAULT_IGNOREFILE} when present)."),
        click.option("--vex", "vex", multiple=True, type=click.Path(exists=True, dir_okay=False),
                     help="OpenVEX or CycloneDX VEX document (repeatable)."),
        click.option("--dockerfile", type=click.Path(exists=True, dir_okay=False),
                     help="Dockerfile the image was built from (SARIF locations)."),
        click.option("--stale-after-days", type=click.IntRange(min=0), default=2,
                     show_default=True, help="Warn when the database is older than this."),
    ]  # fmt: skip
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _ignore_paths(value: str | None) -> list[Path]:
    if value:
        path = Path(value)
        if not path.is_file():
            raise UsageError(f"ignore file {value} does not exist")
        return [path]
    default = Path(DEFAULT_IGNOREFILE)
    return [default] if default.is_file() else []


def vuln_options_from_kwargs(kwargs: Mapping[str, Any], today: date) -> VulnOptions:
    """A :class:`VulnOptions` from the kwargs of a command using ``@vuln_options``."""
    from hullguard.match import VulnOptions, load_ignore_files, load_vex_files

    fail_on = kwargs.get("fail_on")
    return VulnOptions(
        today=today,
        fail_on=Severity(fail_on.upper()) if fail_on else None,
        display_min=Severity(str(kwargs.get("severity") or "UNKNOWN").upper()),
        ignore_unfixed=bool(kwargs.get("ignore_unfixed")),
        stale_after=timedelta(days=int(kwargs.get("stale_after_days", 2))),
        ignore_rules=load_ignore_files(_ignore_paths(kwargs.get("ignorefile"))),
        vex=load_vex_files([Path(p) for p in kwargs.get("vex") or ()]),
    )


def render_context_from_kwargs(
    kwargs: Mapping[str, Any], image_ref: str, history_created_by: Iterable[str]
) -> RenderContext:
    """Renderer context; maps history steps to ``--dockerfile`` lines when given."""
    from hullguard.report.vuln_json import RenderContext

    dockerfile = kwargs.get("dockerfile")
    lines: dict[str, tuple[str, int]] = {}
    if dockerfile:
        from hullguard.report.dockerfile_map import map_history  # the Dockerfile parser

        raw = map_history(Path(dockerfile).read_bytes(), str(dockerfile), history_created_by)
        # findings carry the redacted step (package evidence): key the map the same way
        lines = {redact_command(step): where for step, where in raw.items()}
    return RenderContext(__version__, image_ref, lines)
