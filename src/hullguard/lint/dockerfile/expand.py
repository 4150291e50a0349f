"""Variable substitution in Dockerfile words, as BuildKit's shell lexer does it.

Supports ``$VAR``, ``${VAR}``, ``${VAR:-word}``, ``${VAR-word}``, ``${VAR:+word}``,
``${VAR+word}``, ``${VAR:?msg}``, ``${VAR?msg}``, single and double quotes
(removed, like BuildKit) and the escape character. Pure function, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Expansion:
    """Result of expanding one word."""

    text: str
    #: False when a variable had no value and no default (expanded to "")
    resolved: bool


class _Lexer:
    def __init__(self, word: str, env: Mapping[str, str], escape: str) -> None:
        self.word = word
        self.env = env
        self.escape = escape
        self.pos = 0
        self.resolved = True

    def peek(self) -> str:
        return self.word[self.pos] if self.pos < len(self.word) else ""

    def take(self) -> str:
        ch = self.peek()
        self.pos += 1
        return ch

    def run(self, stop: str = "") -> str:
        out: list[str] = []
        while self.pos < len(self.word):
            ch = self.peek()
            if stop and ch == stop:
                break
            self.pos += 1
            if ch == self.escape:
                out.append(self.take())
            elif ch == "'":
                out.append(self._single_quoted())
            elif ch == '"':
                out.append(self._double_quoted())
            elif ch == "$":
                out.append(self._dollar())
            else:
                out.append(ch)
        return "".join(out)

    def _single_quoted(self) -> str:
        end = self.word.find("'", self.pos)
        end = len(self.word) if end < 0 else end
        text = self.word[self.pos : end]
        self.pos = end + 1
        return text

    def _double_quoted(self) -> str:
        out: list[str] = []
        while self.pos < len(self.word):
            ch = self.take()
            if ch == '"':
                break
            if ch == self.escape and self.peek() in ('"', "$", self.escape):
                out.append(self.take())
            elif ch == "$":
                out.append(self._dollar())
            else:
                out.append(ch)
        return "".join(out)

    def _dollar(self) -> str:
        if self.peek() == "{":
            self.pos += 1
            return self._braced()
        match = _NAME.match(self.word, self.pos)
        if not match:
            return "$"
        self.pos = match.end()
        return self._lookup(match.group(0))

    def _lookup(self, name: str) -> str:
        if name in self.env:
            return self.env[name]
        self.resolved = False
        return ""

    def _braced(self) -> str:
        match = _NAME.match(self.word, self.pos)
        if not match:
            self.run(stop="}")
            self.pos += 1
            self.resolved = False
            return ""
        name = match.group(0)
        self.pos = match.end()
        op = self._operator()
        word = self.run(stop="}") if op else ""
        if op or self.peek() == "}":
            self.pos += 1
        else:  # unsupported modifier (${VAR#pat}...): value unknown
            self.run(stop="}")
            self.pos += 1
            self.resolved = False
            return ""
        return self._apply(name, op, word)

    def _operator(self) -> str:
        for op in (":-", ":+", ":?", "-", "+", "?"):
            if self.word.startswith(op, self.pos):
                self.pos += len(op)
                return op
        return ""

    def _apply(self, name: str, op: str, word: str) -> str:
        value = self.env.get(name)
        if not op:
            return self._lookup(name)
        if op in (":-", "-"):
            use_default = value is None or (op == ":-" and value == "")
            return word if use_default else str(value)
        if op in (":+", "+"):
            is_set = value is not None and (op == "+" or value != "")
            return word if is_set else ""
        if value is None or (op == ":?" and value == ""):
            self.resolved = False
            return ""
        return value


def expand(word: str, env: Mapping[str, str], escape: str = "\\") -> Expansion:
    """Expand variables in ``word`` and remove quotes, like BuildKit does for FROM/ARG."""
    lexer = _Lexer(word, env, escape)
    text = lexer.run()
    return Expansion(text=text, resolved=lexer.resolved)
