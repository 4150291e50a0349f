"""Entry point and top-level command group (``hullguard --help``)."""

from __future__ import annotations

import sys

import click

from hullguard import __version__
from hullguard.errors import HullguardError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-v", "--version", prog_name="hullguard")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("-q", "--quiet", is_flag=True, help="Suppress progress bars and warnings.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    envvar="HULLGUARD_CACHE_DIR",
    help="Cache directory (default: the user cache dir).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool, cache_dir: str | None) -> None:
    """Scanner for container images, Dockerfiles and Kubernetes workloads.

    \b
    Exit codes:
      0  success, nothing over the threshold
      1  findings over --fail-on / policy failed / verification failed
      2  usage error (bad flag, bad reference)
      3  operational error (unreadable image, registry down, corrupt data)
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["quiet"] = quiet
    ctx.obj["cache_dir"] = cache_dir


def _register() -> None:
    """Attach every command family (imported lazily to keep start-up fast)."""
    from hullguard.cli import commands

    for command in commands.all_commands():
        cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map hullguard errors to one line on stderr and an exit code."""
    _register()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        # with standalone_mode=False click *returns* the code of ``ctx.exit(n)``
        rc = cli.main(args=argv, prog_name="hullguard", standalone_mode=False)
    except HullguardError as exc:
        if debug:
            raise
        click.echo(f"hullguard: error: {exc.diagnostics()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("hullguard: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        click.echo("hullguard: interrupted", err=True)
        sys.exit(130)
    sys.exit(rc if isinstance(rc, int) else 0)
