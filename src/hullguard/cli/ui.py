"""Terminal helpers: rich progress bars on stderr, report output to stdout or --output."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from hullguard.fsutil import write_text
from hullguard.progress import NullProgress

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


class RichProgress:
    """Progress observer drawing bars on stderr (only on a terminal, never in --quiet).

    rich is imported only when a bar or a warning is actually drawn: in CI and
    pipelines (stderr not a terminal) that keeps ~40 ms of imports off every run.
    """

    def __init__(self, enabled: bool) -> None:
        self._console_obj: Console | None = None
        self._enabled = enabled and _maybe_terminal() and self.console.is_terminal
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._quiet = not enabled

    @property
    def console(self) -> Console:
        if self._console_obj is None:
            from rich.console import Console

            self._console_obj = Console(stderr=True)
        return self._console_obj

    def start(self, task: str, total: int | None) -> None:
        if not self._enabled:
            return
        if self._progress is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.start()
        self._tasks[task] = self._progress.add_task(task, total=total)

    def advance(self, task: str, amount: int) -> None:
        if self._progress is not None and task in self._tasks:
            self._progress.advance(self._tasks[task], amount)

    def finish(self, task: str) -> None:
        if self._progress is not None and task in self._tasks:
            self._progress.remove_task(self._tasks.pop(task))
            if not self._tasks:
                self._progress.stop()
                self._progress = None

    def warn(self, message: str) -> None:
        if not self._quiet:
            self.console.print(f"[yellow]WARN[/yellow] {message}", highlight=False)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def write_output(text: str, output: str | None) -> None:
    """Write a report to stdout, or to ``--output`` (atomically for regular files)."""
    if output is None or output == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    write_text(output, text if text.endswith("\n") else text + "\n")


def stdout_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stdout, width=max(100, Console().width), soft_wrap=False)


def _maybe_terminal() -> bool:
    """Whether rich could treat stderr as a terminal (a TTY, or forced by rich's variables)."""
    forced = any(
        os.environ.get(name) for name in ("FORCE_TERMINAL", "FORCE_COLOR", "TTY_COMPATIBLE")
    )
    try:
        return forced or sys.stderr.isatty()
    except (AttributeError, ValueError):  # closed or replaced stderr
        return False


class StderrNotes(NullProgress):
    """Progress observer for quick text-file commands: no bars; warnings and notes on stderr."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def warn(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"hullguard: warning: {message}", err=True)

    def note(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"hullguard: {message}", err=True)
