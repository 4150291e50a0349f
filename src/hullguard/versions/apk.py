"""Alpine package versions, ordered as apk-tools does.

Owns the port of apk-tools' ``src/version.c`` (the token-state rewrite used by
apk-tools 2.14 and 3.x): ``digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}``.
Pre-release suffixes (``_alpha``, ``_beta``, ``_pre``, ``_rc``) sort before the
plain version, post-release ones (``_cvs``, ``_svn``, ``_git``, ``_hg``,
``_p``) after it; a dotted number with a leading zero compares as a string.

Each token becomes ``(rank, value)`` where the rank encodes apk's rule for
tokens of different kinds (pre-release suffix < end < ``-r`` < ``~hash`` <
suffix number < post suffix < letter < digit), so tuple comparison gives the
same answer as ``apk_version_compare``. No apk binary exists on Debian; the
rules are checked against apk-tools' own ``test/version.data`` table.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hullguard.versions.interface import (
    PARSE_CACHE_SIZE,
    InvalidVersion,
    KeyComparator,
    VersionScheme,
)

_SCHEME = VersionScheme.APK
# token kinds, in apk-tools' enum order
_INITIAL, _DIGIT, _LETTER, _SUFFIX, _SUFFIX_NO, _HASH, _REVISION, _END = range(8)
_SUFFIXES = {"alpha": 1, "beta": 2, "pre": 3, "rc": 4, "cvs": 6, "svn": 7, "git": 8, "hg": 9}
_SUFFIXES["p"] = 10
_SUFFIX_NONE = 5
_PRE_SUFFIX_RANK = -1
_DIGITS = re.compile(r"[0-9]+")
_LOWER = re.compile(r"[a-z]*")
_HEX = re.compile(r"[0-9A-Fa-f]*")

ApkToken = tuple[int, object]
ApkKey = tuple[ApkToken, ...]


def _rank(kind: int) -> int:
    """Tokens of different kinds: the one of the higher kind sorts first."""
    return 10 - kind


class _Tokenizer:
    """Walks a version string the way apk-tools' ``token_next`` does."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.pos = 0
        self.kind = _INITIAL
        self.tokens: list[ApkToken] = []

    def fail(self, reason: str) -> InvalidVersion:
        return InvalidVersion(_SCHEME, self.version, reason)

    def digits(self) -> str:
        match = _DIGITS.match(self.version, self.pos)
        if not match:
            raise self.fail(f"expected a number at offset {self.pos}")
        self.pos = match.end()
        return match.group()

    def run(self) -> ApkKey:
        self.tokens.append((_rank(_INITIAL), int(self.digits())))
        while self.pos < len(self.version):
            self.step(self.version[self.pos])
        self.tokens.append((_rank(_END), 0))
        return tuple(self.tokens)

    def step(self, char: str) -> None:
        if "a" <= char <= "z":
            self.letter(char)
        elif char == "." or char.isdigit():
            self.number(char)
        elif char == "_":
            self.suffix()
        elif char == "~":
            self.commit_hash()
        elif char == "-":
            self.revision()
        else:
            raise self.fail(f"unexpected character {char!r}")

    def letter(self, char: str) -> None:
        if self.kind > _DIGIT:
            raise self.fail("a letter may only follow a number")
        self.kind = _LETTER
        self.pos += 1
        self.tokens.append((_rank(_LETTER), char))

    def number(self, char: str) -> None:
        if char == ".":
            if self.kind > _DIGIT:
                raise self.fail("a dot may only follow a number")
            self.pos += 1
        if self.kind in (_INITIAL, _DIGIT):
            self.kind = _DIGIT
            text = self.digits()
            # a leading zero makes apk compare the component as a string
            value = (0, text) if text[0] == "0" else (1, int(text))
            self.tokens.append((_rank(_DIGIT), value))
        elif self.kind == _SUFFIX:
            self.kind = _SUFFIX_NO
            self.tokens.append((_rank(_SUFFIX_NO), int(self.digits())))
        else:
            raise self.fail("a number may not follow this part")

    def suffix(self) -> None:
        if self.kind > _SUFFIX_NO:
            raise self.fail("a suffix may not follow this part")
        match = _LOWER.match(self.version, self.pos + 1)
        name = match.group() if match else ""
        if name not in _SUFFIXES:
            raise self.fail(f"unknown suffix _{name}")
        self.pos += 1 + len(name)
        self.kind = _SUFFIX
        value = _SUFFIXES[name]
        rank = _PRE_SUFFIX_RANK if value < _SUFFIX_NONE else _rank(_SUFFIX)
        self.tokens.append((rank, value))

    def commit_hash(self) -> None:
        if self.kind >= _HASH:
            raise self.fail("a ~hash may not follow this part")
        match = _HEX.match(self.version, self.pos + 1)
        text = match.group() if match else ""
        if not text:
            raise self.fail("~ must be followed by a hexadecimal commit hash")
        self.pos += 1 + len(text)
        self.kind = _HASH
        self.tokens.append((_rank(_HASH), text))

    def revision(self) -> None:
        if self.kind >= _REVISION or not self.version.startswith("-r", self.pos):
            raise self.fail("'-' must start the -rN package release, once")
        self.pos += 2
        self.kind = _REVISION
        self.tokens.append((_rank(_REVISION), int(self.digits())))


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> ApkKey:
    """Sort key of an apk version; raises :class:`InvalidVersion`."""
    if not version.isascii():
        raise InvalidVersion(_SCHEME, version, "non-ASCII characters")
    return _Tokenizer(version).run()


COMPARATOR = KeyComparator(_SCHEME, parse)
