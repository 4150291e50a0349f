"""Apply fixes to source text and show them as a unified diff (no I/O).

Edits are line-based, so untouched lines (comments, spacing, continuation style)
come back byte for byte. Overlapping fixes are skipped, never merged.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hullguard.lint.interface import Fix, TextEdit


@dataclass(frozen=True)
class FixOutcome:
    """The rewritten text and which fixes made it in."""

    text: str
    applied: tuple[Fix, ...]
    skipped: tuple[Fix, ...]


def _conflicts(edit: TextEdit, taken: list[TextEdit]) -> bool:
    for other in taken:
        if edit.end_line < edit.start_line and other.end_line < other.start_line:
            if edit.start_line == other.start_line:
                return True
            continue
        lo = min(edit.start_line, edit.end_line)
        hi = max(edit.start_line, edit.end_line)
        olo = min(other.start_line, other.end_line)
        ohi = max(other.start_line, other.end_line)
        if lo <= ohi and olo <= hi:
            return True
    return False


def _choose(fixes: Sequence[Fix]) -> tuple[list[Fix], list[Fix]]:
    taken: list[TextEdit] = []
    chosen: list[Fix] = []
    skipped: list[Fix] = []
    for fix in fixes:
        if any(_conflicts(e, taken) for e in fix.edits):
            skipped.append(fix)
            continue
        taken.extend(fix.edits)
        chosen.append(fix)
    return chosen, skipped


def _apply(text: str, fixes: Sequence[Fix]) -> str:
    newline = "\r\n" if "\r\n" in text else "\n"
    had_final_newline = text.endswith(("\n", "\r"))
    lines = text.splitlines(keepends=True)
    if lines and not had_final_newline:
        lines[-1] += newline
    edits = sorted((e for f in fixes for e in f.edits), key=lambda e: e.start_line, reverse=True)
    for edit in edits:
        new = edit.text.replace("\r\n", "\n").replace("\n", newline)
        lines[edit.start_line - 1 : edit.end_line] = new.splitlines(keepends=True)
    out = "".join(lines)
    if not had_final_newline and out.endswith(newline):
        out = out[: -len(newline)]
    return out


def apply_fixes(
    text: str, fixes: Sequence[Fix], valid: Callable[[str], bool] = lambda _: True
) -> FixOutcome:
    """Apply non-overlapping ``fixes``; drop any whose result ``valid`` rejects."""
    chosen, skipped = _choose(fixes)
    result = _apply(text, chosen)
    if valid(result):
        return FixOutcome(result, tuple(chosen), tuple(skipped))
    kept: list[Fix] = []
    for fix in chosen:
        if valid(_apply(text, [*kept, fix])):
            kept.append(fix)
        else:
            skipped.append(fix)
    return FixOutcome(_apply(text, kept), tuple(kept), tuple(skipped))


def unified_diff(before: str, after: str, path: str) -> str:
    """``diff -u`` style text; empty when nothing changed."""
    diff = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path.lstrip('/')}",
        tofile=f"b/{path.lstrip('/')}",
    )
    out = "".join(line if line.endswith("\n") else line + "\n" for line in diff)
    return out
