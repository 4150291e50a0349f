"""Line and column bookkeeping for the secret engine: offsets to positions, keyword windows."""

from __future__ import annotations

import bisect
import re


class Lines:
    """Line/column lookup for offsets into one text (built on first use)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        i = bisect.bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1

    def line_at(self, start: int, end: int) -> str:
        lo = self.text.rfind("\n", 0, start) + 1
        hi = self.text.find("\n", end)
        return self.text[lo : hi if hi >= 0 else len(self.text)]

    def window(self, offset: int, lines: int) -> tuple[int, int]:
        """Offsets of the ``lines`` lines before and after the line of ``offset``."""
        size = len(self.text)
        lo = self.text.rfind("\n", 0, offset) + 1
        for _ in range(lines):
            if lo == 0:
                break
            lo = self.text.rfind("\n", 0, lo - 1) + 1
        hi = self.text.find("\n", offset)
        hi = size if hi < 0 else hi
        for _ in range(lines):
            if hi >= size:
                break
            nxt = self.text.find("\n", hi + 1)
            hi = size if nxt < 0 else nxt
        return lo, hi


def windows(offsets: list[int], lines: Lines, around: int) -> list[tuple[int, int]]:
    """Merged ranges covering ``around`` lines either side of each offset (sorted)."""
    if around == 1:
        return _windows_1(offsets, lines.text)
    return windows_general(offsets, lines, around)


def windows_general(offsets: list[int], lines: Lines, around: int) -> list[tuple[int, int]]:
    """:func:`windows` through :meth:`Lines.window` for any ``around`` (the reference
    the inlined one-line version is tested against)."""
    out: list[tuple[int, int]] = []
    for offset in offsets:
        if out and offset <= out[-1][1]:
            continue
        lo, hi = lines.window(offset, around)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


def _windows_1(offsets: list[int], text: str) -> list[tuple[int, int]]:
    """:func:`windows` for one line either side, :meth:`Lines.window` inlined (the
    engine's hot loop: tens of thousands of keyword hits per image)."""
    out: list[tuple[int, int]] = []
    rfind, find, size = text.rfind, text.find, len(text)
    last = -1  # end of the last range
    for offset in offsets:
        if offset <= last and out:
            continue
        lo = rfind("\n", 0, offset) + 1
        if lo:
            lo = rfind("\n", 0, lo - 1) + 1
        hi = find("\n", offset)
        if hi < 0:
            hi = size
        elif hi < size:
            nxt = find("\n", hi + 1)
            hi = size if nxt < 0 else nxt
        if out and lo <= last:
            last = max(hi, last)
            out[-1] = (out[-1][0], last)
        else:
            out.append((lo, hi))
            last = hi
    return out
