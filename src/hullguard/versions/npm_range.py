"""npm version ranges, evaluated exactly as node-semver's ``satisfies`` (strict mode).

Owns a port of node-semver's ``Range`` (classes/range.js, semver 7): ``||``
alternatives, hyphen ranges (``1.2 - 2``), ``~``/``~>`` and ``^`` ranges,
x-ranges (``1.x``, ``*``, ``""``), primitive comparators, and the
pre-release rule: a version with a pre-release tag satisfies a comparator set
only if some comparator of that set names a pre-release of the same
``major.minor.patch``. The range text is rewritten with the same regular
expressions and replacement steps node-semver uses, then parsed into
comparators. A range node-semver rejects raises :class:`InvalidVersion`.
Verified against the ``semver`` npm package on the Node security advisories.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from hullguard.versions.interface import InvalidVersion, VersionScheme
from hullguard.versions.semver import MAX_LENGTH, SemverKey, parse_npm

_SCHEME = VersionScheme.NPM
_LDN = "[a-zA-Z0-9-]"
_NUM = "0|[1-9][0-9]*"
_NUM_LOOSE = "[0-9]+"
_NON_NUM = f"[0-9]*[a-zA-Z-]{_LDN}*"
_PRE_ID = f"(?:{_NON_NUM}|{_NUM})"
_PRE_ID_LOOSE = f"(?:{_NON_NUM}|{_NUM_LOOSE})"
_PRERELEASE = rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))"
_PRERELEASE_LOOSE = rf"(?:-?({_PRE_ID_LOOSE}(?:\.{_PRE_ID_LOOSE})*))"
_BUILD = rf"(?:\+({_LDN}+(?:\.{_LDN}+)*))"
_FULLPLAIN = rf"v?({_NUM})\.({_NUM})\.({_NUM}){_PRERELEASE}?{_BUILD}?"
_LOOSEPLAIN = rf"[v=\s]*({_NUM_LOOSE})\.({_NUM_LOOSE})\.({_NUM_LOOSE}){_PRERELEASE_LOOSE}?{_BUILD}?"
_GTLT = "((?:<|>)?=?)"
_XID = rf"{_NUM}|x|X|\*"
_XRANGEPLAIN = rf"[v=\s]*({_XID})(?:\.({_XID})(?:\.({_XID})(?:{_PRERELEASE})?{_BUILD}?)?)?"
_XRANGE = re.compile(rf"^{_GTLT}\s*{_XRANGEPLAIN}$")
_TILDE = re.compile(rf"^(?:~>?){_XRANGEPLAIN}$")
_CARET = re.compile(rf"^(?:\^){_XRANGEPLAIN}$")
_TILDE_TRIM = re.compile(r"(\s*)(?:~>?)\s+")
_CARET_TRIM = re.compile(r"(\s*)(?:\^)\s+")
_COMPARATOR_TRIM = re.compile(rf"(\s*){_GTLT}\s*({_LOOSEPLAIN}|{_XRANGEPLAIN})")
_COMPARATOR = re.compile(rf"^{_GTLT}\s*({_FULLPLAIN})$|^$")
_HYPHEN = re.compile(rf"^\s*({_XRANGEPLAIN})\s+-\s+({_XRANGEPLAIN})\s*$")
_BUILD_STRIP = re.compile(_BUILD)
_STAR = re.compile(r"(<|>)?=?\s*\*")
_GTE0 = re.compile(r"^\s*>=\s*0\.0\.0\s*$")
_WS = re.compile(r"\s+")
_NULL_SET = "<0.0.0-0"
_Repl = Callable[[re.Match[str]], str]


def _is_x(ident: str | None) -> bool:
    return not ident or ident.lower() == "x" or ident == "*"


def _hyphen(m: re.Match[str]) -> str:
    # without includePrerelease, node-semver treats a 'from' pre-release like any other
    frm, f_maj, f_min, f_pat = m[1], m[2], m[3], m[4]
    to, t_maj, t_min, t_pat, t_pre = m[7], m[8], m[9], m[10], m[11]
    if _is_x(f_maj):
        frm = ""
    elif _is_x(f_min):
        frm = f">={f_maj}.0.0"
    elif _is_x(f_pat):
        frm = f">={f_maj}.{f_min}.0"
    else:
        frm = f">={frm}"
    if _is_x(t_maj):
        to = ""
    elif _is_x(t_min):
        to = f"<{int(t_maj) + 1}.0.0-0"
    elif _is_x(t_pat):
        to = f"<{t_maj}.{int(t_min) + 1}.0-0"
    elif t_pre:
        to = f"<={t_maj}.{t_min}.{t_pat}-{t_pre}"
    else:
        to = f"<={to}"
    return f"{frm} {to}".strip()


def _tilde(m: re.Match[str]) -> str:
    major, minor, patch, pre = m[1], m[2], m[3], m[4]
    if _is_x(major):
        return ""
    if _is_x(minor):
        return f">={major}.0.0 <{int(major) + 1}.0.0-0"
    if _is_x(patch):
        return f">={major}.{minor}.0 <{major}.{int(minor) + 1}.0-0"
    low = f"{major}.{minor}.{patch}" + (f"-{pre}" if pre else "")
    return f">={low} <{major}.{int(minor) + 1}.0-0"


def _caret(m: re.Match[str]) -> str:
    major, minor, patch, pre = m[1], m[2], m[3], m[4]
    if _is_x(major):
        return ""
    if _is_x(minor):
        return f">={major}.0.0 <{int(major) + 1}.0.0-0"
    if _is_x(patch):
        upper = f"{major}.{int(minor) + 1}.0-0" if major == "0" else f"{int(major) + 1}.0.0-0"
        return f">={major}.{minor}.0 <{upper}"
    low = f"{major}.{minor}.{patch}" + (f"-{pre}" if pre else "")
    if major != "0":
        return f">={low} <{int(major) + 1}.0.0-0"
    if minor != "0":
        return f">={low} <{major}.{int(minor) + 1}.0-0"
    return f">={low} <{major}.{minor}.{int(patch) + 1}-0"


def _xrange(m: re.Match[str]) -> str:
    gtlt, major, minor, patch = m[1], m[2], m[3], m[4]
    if (_is_x(major) and not _is_x(minor)) or (_is_x(minor) and patch and not _is_x(patch)):
        return m.group(0)  # invalidXRangeOrder: left unchanged
    x_major = _is_x(major)
    x_minor = x_major or _is_x(minor)
    any_x = x_minor or _is_x(patch)
    if gtlt == "=" and any_x:
        gtlt = ""
    if x_major:
        return "<0.0.0-0" if gtlt in (">", "<") else "*"
    if gtlt and any_x:
        return _xrange_bound(gtlt, int(major), 0 if x_minor else int(minor), x_minor)
    if x_minor:
        return f">={major}.0.0 <{int(major) + 1}.0.0-0"
    if any_x:
        return f">={major}.{minor}.0 <{major}.{int(minor) + 1}.0-0"
    return m.group(0)


def _xrange_bound(gtlt: str, major: int, minor: int, x_minor: bool) -> str:
    if gtlt == ">":
        gtlt = ">="
        major, minor = (major + 1, 0) if x_minor else (major, minor + 1)
    elif gtlt == "<=":
        gtlt = "<"
        major, minor = (major + 1, minor) if x_minor else (major, minor + 1)
    pre = "-0" if gtlt == "<" else ""
    return f"{gtlt}{major}.{minor}.0{pre}"


def _per_word(words: list[str], regex: re.Pattern[str], repl: _Repl) -> str:
    return " ".join(regex.sub(repl, word, count=1) for word in words)


def _parse_comparator_text(comp: str) -> str:
    """node-semver ``parseComparator``: carets, tildes, x-ranges, stars."""
    comp = _BUILD_STRIP.sub("", comp, count=1)
    comp = _per_word(_WS.split(comp.strip()), _CARET, _caret)
    comp = _per_word(_WS.split(comp.strip()), _TILDE, _tilde)
    comp = _per_word([w.strip() for w in _WS.split(comp)], _XRANGE, _xrange)
    return _STAR.sub("", comp.strip(), count=1)


def _semver_text(key: SemverKey) -> str:
    text = f"{key[0]}.{key[1]}.{key[2]}"
    if key[3] == (1,):
        return text
    ids = [str(i[1]) if i[0] == 0 else i[2] for i in key[3][1:]]  # type: ignore[index]
    return text + "-" + ".".join(ids)


@dataclass(frozen=True)
class NpmComparator:
    """One primitive comparator: operator (``""`` means ``=``) and version."""

    operator: str
    key: SemverKey | None  # None means ANY (matches everything)

    @property
    def value(self) -> str:
        """node-semver's ``comparator.value`` (``""`` for ANY)."""
        return "" if self.key is None else self.operator + _semver_text(self.key)

    def test(self, key: SemverKey) -> bool:
        """Whether ``key`` satisfies this comparator alone."""
        return self.key is None or _OPS[self.operator](key, self.key)


_OPS: dict[str, Callable[[SemverKey, SemverKey], bool]] = {
    "": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _comparator(text: str, whole: str) -> NpmComparator:
    text = " ".join(_WS.split(text.strip()))
    match = _COMPARATOR.match(text)
    if match is None:
        raise InvalidVersion(_SCHEME, whole, f"invalid comparator {text!r}")
    operator = "" if match[1] in (None, "=") else match[1]
    if not match[2]:
        return NpmComparator(operator, None)
    return NpmComparator(operator, parse_npm(match[2]))


def _parse_set(text: str, whole: str) -> tuple[NpmComparator, ...]:
    """node-semver ``Range.parseRange`` for one ``||`` alternative."""
    text = _BUILD_STRIP.sub("", text)
    text = _HYPHEN.sub(_hyphen, text, count=1)
    text = _COMPARATOR_TRIM.sub(r"\1\2\3", text)
    text = _TILDE_TRIM.sub(r"\1~", text)
    text = _CARET_TRIM.sub(r"\1^", text)
    pieces = " ".join(_parse_comparator_text(c) for c in text.split(" "))
    words = [_GTE0.sub("", w.strip(), count=1) for w in _WS.split(pieces)]
    comparators = [_comparator(w, whole) for w in words]
    by_value: dict[str, NpmComparator] = {}
    for comp in comparators:
        if comp.value == _NULL_SET:
            return (comp,)
        by_value[comp.value] = comp
    if len(by_value) > 1:
        by_value.pop("", None)
    return tuple(by_value.values())


def _test_set(comparators: tuple[NpmComparator, ...], key: SemverKey) -> bool:
    if not all(c.test(key) for c in comparators):
        return False
    if key[3] == (1,):
        return True
    # a pre-release matches only if the set names a pre-release of the same x.y.z
    return any(c.key is not None and c.key[3] != (1,) and c.key[:3] == key[:3] for c in comparators)


@dataclass(frozen=True)
class NpmRange:
    """A parsed npm range (``^1.2.0 || >=2.0.0 <2.3.1``)."""

    text: str
    sets: tuple[tuple[NpmComparator, ...], ...]

    @staticmethod
    def parse(text: str) -> NpmRange:
        """Parse like ``new Range(text)``; raises :class:`InvalidVersion`."""
        return _parse_range(text)

    def allows(self, version: str) -> bool:
        """``semver.satisfies(version, range)``; raises on an invalid version."""
        return self.allows_key(parse_npm(version))

    def allows_key(self, key: SemverKey) -> bool:
        """Same as :meth:`allows` for an already parsed version."""
        return any(_test_set(s, key) for s in self.sets)

    def __str__(self) -> str:
        return "||".join(" ".join(c.value for c in s) for s in self.sets) or "*"


@lru_cache(maxsize=4096)
def _parse_range(text: str) -> NpmRange:
    if len(text) > 64 * MAX_LENGTH:
        raise InvalidVersion(_SCHEME, text[:80], "range text is too long")
    raw = _WS.sub(" ", text.strip())
    sets = [s for s in (_parse_set(part.strip(), text) for part in raw.split("||")) if s]
    if len(sets) > 1:
        kept = [s for s in sets if s[0].value != _NULL_SET]
        sets = kept or [sets[0]]
        for candidate in sets if len(sets) > 1 else ():
            if len(candidate) == 1 and candidate[0].key is None:
                sets = [candidate]
                break
    return NpmRange(text, tuple(sets))
