"""Terminal helpers: rich progress bars on stderr, report output to stdout or --output."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from hullguard.fsutil import write_text
from hullguard.progress import NullProgress


class RichProgress:
    """Progress observer drawing bars on stderr (only on a terminal, never in --quiet)."""

    def __init__(self, enabled: bool) -> None:
        self._console = Console(stderr=True)
        self._enabled = enabled and self._console.is_terminal
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._quiet = not enabled

    def start(self, task: str, total: int | None) -> None:
        if not self._enabled:
            return
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=self._console,
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
            self._console.print(f"[yellow]WARN[/yellow] {message}", highlight=False)

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
    return Console(file=sys.stdout, width=max(100, Console().width), soft_wrap=False)


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
