"""Entry point and top-level command group (``hullguard --help``)."""

from __future__ import annotations

import gc
import sys

import click

from hullguard import __version__
from hullguard.errors import HullguardError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: commands that run until stopped: they keep the cyclic garbage collector on
LONG_RUNNING = frozenset({"serve", "worker"})

#: how ``--help`` groups the command families (like Trivy's help)
SECTIONS: dict[str, tuple[str, ...]] = {
    "Scanning Commands": ("image", "sbom", "scan", "lint", "audit"),
    "Supply-chain Commands": (
        "sign",
        "verify",
        "attest",
        "verify-attestation",
        "provenance",
        "key",
        "copy",
    ),
    "Management Commands": ("db", "inventory", "worker", "serve", "gate"),
}


class SectionedGroup(click.Group):
    """A group that imports command modules lazily and lists them by section in help.

    Running one command imports only its module (start-up stays fast); ``--help``
    and unknown names import them all.
    """

    _loaded = False

    def _load_all(self) -> None:
        if not self._loaded:
            from hullguard.cli import commands

            for command in commands.all_commands():
                if command.name not in self.commands:
                    self.add_command(command)
            self._loaded = True

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_all()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            from hullguard.cli import commands

            found = commands.command_for(cmd_name)
            if found is not None:
                self.add_command(found)
            else:
                self._load_all()
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = {
            name: cmd
            for name in self.list_commands(ctx)
            if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden
        }
        placed: set[str] = set()
        for title, names in SECTIONS.items():
            rows = [(n, commands[n].get_short_help_str(70)) for n in names if n in commands]
            placed.update(n for n, _ in rows)
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        rest = [(n, c.get_short_help_str(70)) for n, c in commands.items() if n not in placed]
        if rest:
            with formatter.section("Other Commands"):
                formatter.write_dl(rest)


EXAMPLES = """
\b
Examples:
  # Scan an image for secrets (every layer, deleted files, history)
  $ hullguard scan alpine:3.19
\b
  # SBOM of an image as CycloneDX, or of a root filesystem
  $ hullguard sbom -o sbom.cdx.json oci:./layout:1.0
  $ hullguard sbom -f spdx-json dir:/mnt/rootfs
\b
  # What is in each layer, including files a later layer deleted
  $ hullguard image files --all-layers docker-archive:app.tar
\b
  # Lint a Dockerfile and harden Kubernetes manifests
  $ hullguard lint --context . Dockerfile
  $ hullguard audit --diff k8s/
"""


@click.group(cls=SectionedGroup, context_settings=CONTEXT_SETTINGS, epilog=EXAMPLES)
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
    if ctx.invoked_subcommand in LONG_RUNNING:
        gc.enable()  # see `main`: only one-shot commands run without the collector
    ctx.obj["debug"] = debug
    ctx.obj["quiet"] = quiet
    ctx.obj["cache_dir"] = cache_dir


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map hullguard errors to one line on stderr and an exit code."""
    # One-shot commands run without the cyclic garbage collector (ADR 0211): a layer
    # walk allocates hundreds of thousands of acyclic objects (rows, records, view
    # nodes) and the collector's repeated passes over them were 5-10% of a cold
    # `image files`; reference counting still frees every acyclic object, and the
    # process ends soon. Commands that run until stopped (LONG_RUNNING) turn it back on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _main(argv)
    finally:
        if collecting:  # for callers that run the CLI in their own process (tests)
            gc.enable()


def _main(argv: list[str] | None) -> None:
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
