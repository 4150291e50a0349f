"""``hullguard lint DOCKERFILE``: lint a Dockerfile, optionally fix it or show the fix diff."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hullguard import __version__
from hullguard.cli.ui import StderrNotes
from hullguard.lint.dockerfile.pinning import RESOLVERS, DigestResolver, ResolverKind
from hullguard.lint.engine import LintResult, all_rules
from hullguard.lint.fix import unified_diff
from hullguard.lint.interface import LintUsageError, Severity
from hullguard.lint.output.common import OutputFormat, Report, renderers
from hullguard.lint.run import (
    LintOptions,
    lint_path,
    load_config,
    plan_fixes,
    read_text_file,
    write_atomically,
)

DEFAULT_FAIL_ON = Severity.HIGH


def _severities(text: str) -> frozenset[Severity]:
    out: set[Severity] = set()
    for part in (p.strip().upper() for p in text.split(",") if p.strip()):
        try:
            out.add(Severity(part))
        except ValueError:
            raise LintUsageError(
                f"unknown severity {part!r}", hint="use CRITICAL, HIGH, MEDIUM, LOW or INFO"
            ) from None
    return frozenset(out)


def _build_args(pairs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq or not name:
            raise LintUsageError(f"--build-arg {pair!r} must be NAME=VALUE")
        out.append((name, value))
    return tuple(out)


def _resolver(kind: str | None, pin_map: Path | None) -> DigestResolver | None:
    if pin_map is not None:
        text = read_text_file(pin_map, "pin map").decode("utf-8", errors="replace")
        return RESOLVERS[ResolverKind.PIN_MAP](text)
    if kind is not None:
        return RESOLVERS[ResolverKind(kind)]("")
    return None


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise LintUsageError(f"cannot write {output}: {exc.strerror}") from None


@click.command(
    name="lint", short_help="Lint a Dockerfile: base image trust, pinning, secrets, USER."
)
@click.argument("dockerfile", type=click.Path(path_type=Path))
@click.option("--context", type=click.Path(path_type=Path), help="Build context directory.")
@click.option("--fix", is_flag=True, help="Rewrite the Dockerfile in place.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--pin-map", type=click.Path(path_type=Path), help="YAML ref -> digest map for pins.")
@click.option(
    "--resolver",
    type=click.Choice([k.value for k in ResolverKind]),
    help="Where --fix gets digests (default: pin-map when --pin-map is given).",
)
@click.option(
    "-f", "--format", "fmt", type=click.Choice([f.value for f in OutputFormat]), default="table"
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report here.")
@click.option("-s", "--severity", default="", help="Severities to show, e.g. CRITICAL,HIGH.")
@click.option("--fail-on", default=None, help="Exit 1 at or above this severity (default HIGH).")
@click.option("--trusted-registry", multiple=True, help="Trusted registry or registry/namespace.")
@click.option("--ignore", multiple=True, help="Rule id, name or hadolint code to ignore.")
@click.option("--config", type=click.Path(path_type=Path), help="YAML config with a lint section.")
@click.option("--build-arg", multiple=True, help="NAME=VALUE used to resolve ARGs in FROM.")
@click.pass_context
def lint(
    ctx: click.Context,
    dockerfile: Path,
    context: Path | None,
    fix: bool,
    diff: bool,
    pin_map: Path | None,
    resolver: str | None,
    fmt: str,
    output: Path | None,
    severity: str,
    fail_on: str | None,
    trusted_registry: tuple[str, ...],
    ignore: tuple[str, ...],
    config: Path | None,
    build_arg: tuple[str, ...],
) -> None:
    """Lint a Dockerfile: base image trust and pinning, secrets, USER, .dockerignore.

    \b
    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 usage error, 3 unreadable or unparsable input.
    """
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    progress = StderrNotes(quiet)
    cfg = load_config(config)
    threshold = _severities(fail_on) if fail_on else frozenset()
    if len(threshold) > 1:
        raise LintUsageError("--fail-on takes one severity")
    options = LintOptions(
        dockerfile=dockerfile,
        context=context,
        config=cfg,
        ignore=ignore,
        trusted=trusted_registry,
        build_args=_build_args(build_arg),
    )
    data, result = lint_path(options, progress)
    if fix or diff:
        result = _fix(
            options,
            data,
            result,
            fix and not diff,
            diff,
            output,
            _resolver(resolver, pin_map),
            progress,
        )
    report = Report(
        results=(result,),
        rules=all_rules(),
        fail_on=next(iter(threshold), None) or cfg.fail_on or DEFAULT_FAIL_ON,
        tool_version=__version__,
        shown=_severities(severity),
        color=output is None and sys.stdout.isatty(),
    )
    if not diff:
        _emit(renderers()[OutputFormat(fmt)](report), output)
    if not report.passed:
        sys.exit(1)  # SystemExit passes through click's non-standalone mode


def _fix(
    options: LintOptions,
    data: bytes,
    result: LintResult,
    write: bool,
    diff: bool,
    output: Path | None,
    resolver: DigestResolver | None,
    progress: StderrNotes,
) -> LintResult:
    plan = plan_fixes(data, result, options, resolver)
    for ref in plan.unresolved:
        progress.warn(f"no digest known for {ref}; left unpinned")
    if resolver is None:
        progress.warn("no digest source: pass --pin-map FILE to pin FROM images")
    for skipped in plan.outcome.skipped:
        progress.warn(f"fix skipped (overlaps another or breaks parsing): {skipped.description}")
    for applied in plan.outcome.applied:
        progress.note(f"{'would apply' if diff else 'applied'}: {applied.description}")
    if diff:
        _emit(unified_diff(plan.before, plan.outcome.text, str(options.dockerfile)), output)
        return result
    if write and plan.outcome.text != plan.before:
        write_atomically(options.dockerfile, plan.outcome.text)
        return lint_path(options)[1]
    return result
