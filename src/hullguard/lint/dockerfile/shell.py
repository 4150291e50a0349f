"""A small POSIX shell reader for RUN lines: split a script into simple commands.

Only what the rules need: words (quotes removed) of each simple command and the
operator linking it to the next one (``|``, ``&&``, ``||``, ``;``, ``&``, newline).
Redirections are dropped from the words. The standard library's ``shlex`` does the
quoting; a full bash parser (``bashlex``) cannot read many real-world RUN lines
and is not needed for these checks.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

_SEPARATORS = frozenset({"|", "&&", "||", ";", "&", "\n", "(", ")", ";;", "|&", "{", "}"})
_REDIRECT = re.compile(r"^\d*(?:[<>]+&?|&>>?)$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = frozenset({"sudo", "env", "time", "nice", "exec", "command", "nohup", "xargs"})


@dataclass(frozen=True)
class Command:
    """One simple command and the operators around it."""

    argv: tuple[str, ...]
    prev_op: str
    next_op: str

    @property
    def name(self) -> str:
        """Basename of the program (``/usr/bin/apt-get`` -> ``apt-get``)."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""

    @property
    def args(self) -> tuple[str, ...]:
        return self.argv[1:]

    def has_flag(self, *flags: str) -> bool:
        """True when any of ``flags`` is present (``--opt`` or ``--opt=value``)."""
        return any(arg in flags or arg.split("=", 1)[0] in flags for arg in self.args)


@dataclass(frozen=True)
class Script:
    """The simple commands of one RUN, in order."""

    commands: tuple[Command, ...]

    def named(self, *names: str) -> tuple[Command, ...]:
        """Commands running one of ``names``, unwrapping ``sudo``/``env`` prefixes."""
        return tuple(c for c in self.unwrapped() if c.name in names)

    def unwrapped(self) -> tuple[Command, ...]:
        """Every command with leading ``sudo``, ``env X=1``, ``time``... removed."""
        return tuple(_unwrap(c) for c in self.commands)

    def pipes(self) -> bool:
        """True when a command's output is piped into another."""
        return any(c.next_op in ("|", "|&") for c in self.commands)

    def pipelines(self) -> tuple[tuple[Command, ...], ...]:
        """Groups of commands joined by ``|``."""
        groups: list[list[Command]] = []
        for cmd in self.unwrapped():
            if groups and cmd.prev_op in ("|", "|&"):
                groups[-1].append(cmd)
            else:
                groups.append([cmd])
        return tuple(tuple(g) for g in groups)


def _unwrap(cmd: Command) -> Command:
    argv = list(cmd.argv)
    while argv:
        head = argv[0].rsplit("/", 1)[-1]
        if _ASSIGNMENT.match(argv[0]):
            argv.pop(0)
        elif head in _WRAPPERS and len(argv) > 1:
            argv.pop(0)
            while argv and (argv[0].startswith("-") or _ASSIGNMENT.match(argv[0])):
                argv.pop(0)
        else:
            break
    return Command(argv=tuple(argv), prev_op=cmd.prev_op, next_op=cmd.next_op)


def _tokens(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars="();<>|&\n")
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: fall back to a plain split
        return re.findall(r"&&|\|\||[;|&\n]|[^\s;|&]+", text)


def parse_script(text: str) -> Script:
    """Split ``text`` (a RUN command line or heredoc script) into simple commands."""
    commands: list[Command] = []
    words: list[str] = []
    prev = ""
    tokens = _tokens(text.replace("\\\n", " "))
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
            continue
        if token in _SEPARATORS:
            if words:
                commands.append(Command(tuple(words), prev, token))
                words = []
            prev = token
        elif _REDIRECT.match(token):
            skip_next = True
            if words and words[-1].isdigit():  # the fd of ``2>&1``
                words.pop()
        else:
            words.append(token)
    if words:
        commands.append(Command(tuple(words), prev, ""))
    for token in tokens:
        for inner in substitutions(token):
            commands.extend(parse_script(inner).commands)
    return Script(tuple(commands))


def substitutions(word: str) -> list[str]:
    """Bodies of ``$( ... )`` and backtick command substitutions inside ``word``."""
    found: list[str] = []
    start = word.find("$(")
    while start >= 0:
        depth, i = 1, start + 2
        while i < len(word) and depth:
            depth += {"(": 1, ")": -1}.get(word[i], 0)
            i += 1
        found.append(word[start + 2 : i - 1] if depth == 0 else word[start + 2 :])
        start = word.find("$(", i)
    found.extend(re.findall(r"`([^`]+)`", word))
    return found
