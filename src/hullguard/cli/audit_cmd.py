"""``hullguard audit``: runtime hardening of Kubernetes manifests, compose files, docker run."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from hullguard.audit.files import STDIN, audit_inputs, unified_diff, write_atomic, write_fixes
from hullguard.audit.interface import AuditOptions, AuditReport, Profile, Severity
from hullguard.audit.render import RENDERERS, OutputFormat
from hullguard.cli.ui import StderrNotes
from hullguard.errors import AuditError

DEFAULT_FAIL_ON = Severity.HIGH


def _unfixed(report: AuditReport) -> AuditReport:
    files = tuple(dataclasses.replace(fr, remaining=None) for fr in report.files)
    return dataclasses.replace(report, files=files)


@click.command(name="audit")
@click.argument("targets", nargs=-1, required=True, metavar="FILE|DIR|-...")
@click.option("--fix", is_flag=True, help="Write hardened manifests / compose files in place.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fix as a unified diff.")
@click.option(
    "--profile",
    type=click.Choice([p.value for p in Profile]),
    default=Profile.RESTRICTED.value,
    show_default=True,
    help="Pod Security Standards level to enforce.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in OutputFormat]),
    default=OutputFormat.TABLE.value,
    show_default=True,
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of stdout.",
)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    default=DEFAULT_FAIL_ON.value,
    show_default=True,
    help="Exit 1 when findings at or above this severity remain.",
)
@click.pass_context
def audit(
    ctx: click.Context,
    targets: tuple[str, ...],
    fix: bool,
    show_diff: bool,
    profile: str,
    fmt: str,
    output: Path | None,
    fail_on: str,
) -> None:
    """Audit Kubernetes manifests, compose files and docker run lines.

    Checks the Pod Security Standards (baseline/restricted) and hullguard's
    hardening rules (read-only root, limits, runtime sockets, image pinning…).
    Rules: docs/audit.md.

    \b
    --diff alone prints the fix without writing; --fix writes it (for `-`,
    the hardened text goes to stdout). When stdout carries a diff or fixed
    text, the report goes to --output, else to stderr.
    Exit: 0 ok, 1 findings at/above --fail-on remain, 2 usage, 3 unreadable input.
    """
    obj = ctx.find_object(dict) or {}
    progress = StderrNotes(bool(obj.get("quiet")))
    options = AuditOptions(Profile(profile), fix=fix or show_diff)
    report = audit_inputs(list(targets), options, progress=progress)
    stdout_taken = _apply(report, fix, show_diff)
    if not fix:
        report = _unfixed(report)
    _emit_report(report, OutputFormat(fmt), output, to_stderr=stdout_taken)
    if report.at_or_above(Severity(fail_on)):
        ctx.exit(1)


def _apply(report: AuditReport, fix: bool, show_diff: bool) -> bool:
    """Write fixes / print diffs; ``True`` when stdout was used for them."""
    used = False
    if show_diff:
        for fr in report.files:
            diff = unified_diff(fr)
            if diff:
                click.echo(diff, nl=False)
                used = True
    if fix:
        for path in write_fixes(report):
            click.echo(f"hullguard: fixed {path}", err=True)
        for fr in report.files:
            if fr.path == STDIN and fr.fixed_text is not None and not show_diff:
                click.echo(fr.fixed_text, nl=False)
                used = True
    return used


def _emit_report(
    report: AuditReport, fmt: OutputFormat, output: Path | None, to_stderr: bool
) -> None:
    if output is not None:
        try:
            write_atomic(output, RENDERERS[fmt](report, False))
        except OSError as exc:
            raise AuditError(
                f"{output}: cannot write the report ({exc.strerror or exc})",
                hint="check that the directory exists and is writable",
            ) from None
        return
    stream = sys.stderr if to_stderr else sys.stdout
    text = RENDERERS[fmt](report, stream.isatty() and fmt is OutputFormat.TABLE)
    click.echo(text, nl=False, err=to_stderr)
