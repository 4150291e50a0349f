"""``.dockerignore`` reading and matching, ported from Docker's own code.

Reading follows moby's ``ignorefile.ReadAll`` (comments, BOM, ``!`` exceptions,
``filepath.Clean``, leading ``/`` dropped); matching follows
``moby/patternmatcher`` ``MatchesOrParentMatches`` (``**``, ``*``, ``?``,
character classes, escapes, later patterns win, a matching parent directory
excludes its contents). No Python library implements Docker's variant (it is
not gitignore: no basename matching, ``**`` rules differ), hence this port; the
tests compare it with the Go original where a Go toolchain is present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from hullguard.lint.interface import LintError


class DockerignoreError(LintError):
    """A .dockerignore pattern is invalid (Docker would refuse the build too)."""


_ESCAPE_CHARS = frozenset(".+()|{}$")


def go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` for ``/``-separated paths."""
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    text = "/".join(parts)
    if rooted:
        return "/" + text
    return text or "."


def read_patterns(text: str) -> tuple[str, ...]:
    """Patterns of a .dockerignore file, normalised as ``ignorefile.ReadAll`` does."""
    out: list[str] = []
    for index, raw in enumerate(text.split("\n")):
        line = raw.removesuffix("\r")
        if index == 0:
            line = line.removeprefix("\ufeff")
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = go_clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        out.append("!" + pattern if invert else pattern)
    return tuple(out)


class _Kind(Enum):
    EXACT = 1
    PREFIX = 2
    SUFFIX = 3
    REGEXP = 4


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern."""

    text: str
    exclusion: bool
    kind: _Kind
    regexp: re.Pattern[str] | None

    def match(self, path: str) -> bool:
        if self.kind is _Kind.EXACT:
            return path == self.text
        if self.kind is _Kind.PREFIX:
            return path.startswith(self.text[:-2])
        if self.kind is _Kind.SUFFIX:
            suffix = self.text[2:]
            if path.endswith(suffix):
                return True
            return suffix.startswith("/") and path == suffix[1:]
        assert self.regexp is not None
        return self.regexp.match(path) is not None


def _compile(text: str) -> tuple[_Kind, str]:
    """Translate a pattern into (kind, regexp) exactly as ``Pattern.compile`` does."""
    regex = "^"
    kind = _Kind.EXACT
    i, n, index = 0, len(text), 0
    while i < n:
        ch = text[i]
        i += 1
        if ch == "*":
            if i < n and text[i] == "*":
                i += 1
                if i < n and text[i] == "/":
                    i += 1
                if i >= n:
                    if kind is _Kind.EXACT:
                        kind = _Kind.PREFIX
                    else:
                        regex += ".*"
                        kind = _Kind.REGEXP
                else:
                    regex += "(.*/)?"
                    kind = _Kind.REGEXP
                if index == 0:
                    kind = _Kind.SUFFIX
            else:
                regex += "[^/]*"
                kind = _Kind.REGEXP
        elif ch == "?":
            regex += "[^/]"
            kind = _Kind.REGEXP
        elif ch in _ESCAPE_CHARS:
            regex += "\\" + ch
        elif ch == "\\":
            if i < n:
                regex += "\\" + text[i]
                i += 1
                kind = _Kind.REGEXP
            else:
                regex += "\\\\"
        elif ch in "[]":
            regex += ch
            kind = _Kind.REGEXP
        else:
            regex += ch
        index += 1
    return kind, regex + r"\Z"


def _validate(text: str) -> None:
    """Reject patterns Go's ``filepath.Match`` calls malformed (``ErrBadPattern``)."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 >= n:
                raise DockerignoreError(f"invalid .dockerignore pattern {text!r}: trailing '\\'")
            i += 2
            continue
        if ch == "[":
            end = _class_end(text, i + 1)
            if end < 0:
                raise DockerignoreError(f"invalid .dockerignore pattern {text!r}: unclosed '['")
            i = end
        i += 1


def _class_end(text: str, i: int) -> int:
    if i < len(text) and text[i] == "^":
        i += 1
    first = True
    while i < len(text):
        if text[i] == "]" and not first:
            return i
        if text[i] == "\\":
            i += 1
        first = False
        i += 1
    return -1


class PatternMatcher:
    """Docker's matcher over a list of patterns (``!`` re-includes)."""

    def __init__(self, patterns: tuple[str, ...] | list[str]) -> None:
        self.patterns: list[Pattern] = []
        for raw in patterns:
            text = raw.strip()
            if not text:
                continue
            text = go_clean(text)
            exclusion = text.startswith("!")
            if exclusion:
                if len(text) == 1:
                    raise DockerignoreError('illegal exclusion pattern: "!"')
                text = text[1:]
            _validate(text)
            kind, regex = _compile(text)
            try:
                compiled = re.compile(regex) if kind is _Kind.REGEXP else None
            except re.error as exc:
                raise DockerignoreError(f"invalid .dockerignore pattern {raw!r}: {exc}") from None
            self.patterns.append(Pattern(text, exclusion, kind, compiled))

    def matches(self, path: str) -> bool:
        """True when ``path`` (or one of its parent directories) is excluded."""
        path = go_clean(path)
        if path == ".":
            return False
        parent = path.rsplit("/", 1)[0] if "/" in path else "."
        parent_dirs = parent.split("/")
        matched = False
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            hit = pattern.match(path)
            if not hit and parent != ".":
                hit = any(
                    pattern.match("/".join(parent_dirs[: i + 1])) for i in range(len(parent_dirs))
                )
            if hit:
                matched = not pattern.exclusion
        return matched
