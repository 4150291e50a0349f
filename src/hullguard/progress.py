"""Progress reporting seam: the core calls an observer, the CLI draws bars.

The core never imports a terminal library.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives coarse progress events. All methods must be cheap."""

    def start(self, task: str, total: int | None) -> None: ...

    def advance(self, task: str, amount: int) -> None: ...

    def finish(self, task: str) -> None: ...

    def warn(self, message: str) -> None: ...


class NullProgress:
    """Progress observer that ignores everything (library default)."""

    def start(self, task: str, total: int | None) -> None:
        return None

    def advance(self, task: str, amount: int) -> None:
        return None

    def finish(self, task: str) -> None:
        return None

    def warn(self, message: str) -> None:
        return None


NULL_PROGRESS = NullProgress()
