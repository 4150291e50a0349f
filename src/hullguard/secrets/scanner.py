"""The secret-detection engine (sans-I/O): bytes and strings in, matches out.

One Aho-Corasick automaton (ahocorasick_rs, a DFA in Rust) over every rule's
lowercased keywords runs first, over the lowercased bytes; only rules whose
keywords occur in the input have their regex evaluated, near the keywords
(jumping between the regex's literal anchors, see :mod:`.anchors`). Hits pass
the rule's entropy threshold and checks, then the allow rules; overlapping
hits keep the earlier (more specific) rule. Values are turned into a redacted
excerpt and a fingerprint before they leave this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from hullguard.secrets import checks as chk
from hullguard.secrets import gate as rule_gate
from hullguard.secrets import prefilter, sensitive
from hullguard.secrets.anchors import Anchored, Lowered
from hullguard.secrets.config import SecretConfig, builtin_rules
from hullguard.secrets.imageconfig import env_text, history_assignments, labels_text
from hullguard.secrets.interface import (
    HEAD_BYTES,
    AllowRule,
    Scope,
    SecretCategory,
    SecretMatch,
    SecretRule,
)
from hullguard.secrets.re2path import PathRegex
from hullguard.secrets.textlines import Lines
from hullguard.secrets.textlines import windows as line_windows

#: chars of a key name looked at left of a generic rule's keyword
_KEY_LOOKBACK = 64


@dataclass(frozen=True)
class _Hit:
    rule: SecretRule
    start: int
    end: int
    value: str
    note: str


def _combine(patterns: Iterable[re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    """Many path patterns as one regex when they combine (a global inline flag prevents it)."""
    listed = tuple(patterns)
    if len(listed) < 2:
        return listed
    try:
        return (re.compile("|".join(f"(?:{p.pattern})" for p in listed), re.ASCII),)
    except re.error:
        return listed


def is_binary(head: bytes) -> bool:
    """A NUL byte in the first :data:`HEAD_BYTES` bytes marks a binary file (like git)."""
    return head.find(b"\0", 0, HEAD_BYTES) >= 0  # no copy of the head


class SecretScanner:
    """Evaluates the built-in rules plus a user config over files, config and history."""

    def __init__(
        self,
        config: SecretConfig | None = None,
        prefilter_kind: prefilter.PrefilterKind | None = None,
        *,
        gate: bool = True,
    ) -> None:
        """``prefilter_kind``: force a keyword index (tests); default: the fastest that fits.
        ``gate``: skip rules that cannot match a file (:mod:`.gate`; off only in tests)."""
        self.config = config or SecretConfig()
        self.prefilter_kind = prefilter_kind
        self.use_gate = gate and rule_gate.available()
        #: built on first use (compiled databases do not pickle)
        self._gate: rule_gate.RuleGate | None = None
        base_rules, base_allow = builtin_rules()
        user_ids = {r.id for r in self.config.rules}
        rules = list(self.config.rules) + [r for r in base_rules if r.id not in user_ids]
        self.rules: tuple[SecretRule, ...] = tuple(
            r for r in rules if r.id not in self.config.disable
        )
        self.allow: tuple[AllowRule, ...] = tuple(
            a for a in base_allow + self.config.allow if a.id not in self.config.disable
        )
        self.max_file_bytes = self.config.max_file_bytes
        path_only = (p for a in self.allow if not a.rules and not a.regexes for p in a.paths)
        self._path_allow = tuple(PathRegex.of(p) for p in _combine(path_only))
        #: the last path_allowed() answer: the walk asks for each file twice in a row
        self._last_path: tuple[str, bool] = ("", self._allowed(""))
        #: built on first use per scope (and again after unpickling: compiled indexes do
        #: not pickle)
        self._prefilters: dict[Scope, prefilter.RulePrefilter] = {}
        self._literal_search = prefilter.literal_search()
        self._search = tuple(
            (Anchored.of(r.regex), Anchored.of(r.context) if r.context else None)
            for r in self.rules
        )

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_prefilters": {}, "_literal_search": None, "_gate": None}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._literal_search = prefilter.literal_search()

    def _prefilter(self, scope: Scope) -> prefilter.RulePrefilter:
        found = self._prefilters.get(scope)
        if found is None:
            found = prefilter.RulePrefilter.of(self.rules, scope, self.prefilter_kind)
            self._prefilters[scope] = found
        return found

    def _rule_gate(self) -> rule_gate.RuleGate:
        if self._gate is None:
            self._gate = rule_gate.RuleGate(self.rules)
        return self._gate

    # ------------------------------------------------------------ public API
    def prepare(self, *, gate: bool = True) -> None:
        """Build the file scope's native indexes now (before forking workers that share
        them), instead of on first use in each process; ``gate=False`` leaves the rule
        gate to be built on first use or installed (:meth:`install_gate`)."""
        self._prefilter(Scope.FILE)
        if self.use_gate and gate:
            self._rule_gate()

    def has_gate(self) -> bool:
        """Whether the rule gate is built (or not used at all)."""
        return self._gate is not None or not self.use_gate

    def build_gate(self) -> rule_gate.RuleGate | None:
        """The rule gate, built now if it is not yet (``None``: gates are not used)."""
        return self._rule_gate() if self.use_gate else None

    def install_gate(self, gate: rule_gate.RuleGate) -> None:
        """Use ``gate`` (built from these rules, e.g. by another process of this run)."""
        self._gate = gate

    def wants(self, path: str, size: int, head: bytes) -> bool:
        """Whether the content of ``path`` is worth reading for :meth:`scan_bytes`.

        False over the size cap, for paths every finding of which is allowed,
        and for binary files (NUL in ``head``) unless the path is sensitive.
        """
        if size > self.max_file_bytes:
            return False
        # cheapest test first: most binary files are decided without the path regexes
        if is_binary(head) and sensitive.classify(path) is None:
            return False
        return not self.path_allowed(path)

    def wants_path(self, path: str, size: int) -> bool:
        """The decision :meth:`wants` can make before any byte is read (for a layer walk's
        ``WantFn``): under the size cap and not covered by a path-only allow rule. Binary
        content read anyway is then skipped by :meth:`scan_bytes`.
        """
        return size <= self.max_file_bytes and not self.path_allowed(path)

    def path_allowed(self, path: str) -> bool:
        """True when a path-only allow rule covers every rule for ``path``."""
        last, allowed = self._last_path
        if path != last:
            allowed = self._allowed(path)
            self._last_path = (path, allowed)
        return allowed

    def _allowed(self, path: str) -> bool:
        return any(p.search(path) for p in self._path_allow)

    def scan_bytes(self, path: str, data: bytes) -> list[SecretMatch]:
        """Content rules over ``data`` plus the sensitive-path check, sorted."""
        if self.path_allowed(path):
            return []
        out: list[SecretMatch] = []
        flagged = self.is_sensitive_path(path, data)
        if flagged is not None:
            out.append(flagged)
        if len(data) <= self.max_file_bytes and not is_binary(data):
            out.extend(self._scan(path, None, Scope.FILE, data))
        return sorted(out)

    def is_sensitive_path(self, path: str, data: bytes | None) -> SecretMatch | None:
        """A whole-file finding (line 0) when ``path`` is a sensitive file, else ``None``."""
        found = sensitive.check(path, data)
        if found is None:
            return None
        kind, note = found
        if any(a.applies_to(kind.rule_id) and a.allows_path(path) for a in self.allow) or (
            kind.rule_id in self.config.disable
        ):
            return None
        digest = chk.fingerprint(kind.rule_id, path, data if data is not None else b"")
        size = f"{len(data)} bytes" if data is not None else "size unknown"
        return SecretMatch(
            path=path,
            line=0,
            column=0,
            rule_id=kind.rule_id,
            category=SecretCategory.SENSITIVE_FILE,
            severity=kind.severity,
            title=kind.title,
            redacted=f"[whole file, {size}]",
            fingerprint=digest,
            length=len(data) if data is not None else 0,
            note=note,
        )

    def scan_text(self, path: str, text: str, scope: Scope = Scope.FILE) -> list[SecretMatch]:
        """Rules of ``scope`` over a string (UTF-8 semantics for offsets and values)."""
        return sorted(self._scan(path, _latin1(text), scope))

    def scan_env(self, env: Sequence[str], *, source: str = "config:Env") -> list[SecretMatch]:
        """Image config ``Env`` entries (``KEY=value``); ``line`` is the entry's 1-based index."""
        return self.scan_text(source, env_text(env), Scope.CONFIG)

    def scan_labels(
        self,
        labels: Mapping[str, str] | Iterable[tuple[str, str]],
        *,
        source: str = "config:Labels",
    ) -> list[SecretMatch]:
        """Image config ``Labels`` as ``key=value`` lines."""
        return self.scan_text(source, labels_text(labels), Scope.CONFIG)

    def scan_history(self, created_by: str, *, source: str = "history") -> list[SecretMatch]:
        """A build step (``created_by``, or an ``OnBuild`` instruction).

        Finds provider tokens, ``curl -u``, credentials in URLs, ``--password``
        options, and secret-named ``ENV``/``ARG``/``--build-arg`` assignments.
        """
        raw = _latin1(created_by)
        lines = Lines(raw)
        hits = self._hits(source, raw, Scope.HISTORY, lines)
        assigns = history_assignments(created_by)
        if assigns:
            seen = {h.value for h in hits}
            for h in self._hits(source, _latin1(env_text(assigns)), Scope.CONFIG):
                if h.value not in seen:
                    pos = max(raw.find(h.value), 0)
                    hits.append(_Hit(h.rule, pos, pos + len(h.value), h.value, h.note))
        return sorted(self._to_matches(source, hits, lines))

    # ------------------------------------------------------------- internals
    def _scan(
        self, path: str, text: str | None, scope: Scope, raw: bytes | None = None
    ) -> Iterator[SecretMatch]:
        """Matches in ``raw`` (decoded as latin-1 into ``text`` only when a keyword occurs)."""
        data = raw if raw is not None else (text or "").encode("latin-1")
        if scope is Scope.FILE and self.use_gate:
            passed = self._rule_gate().passed(data)
            if not passed:
                return iter(())
            candidates = {i: o for i, o in self._candidates(data, scope).items() if i in passed}
        else:
            candidates = self._candidates(data, scope)
        if not candidates:
            return iter(())
        text = data.decode("latin-1") if text is None else text
        lines = Lines(text)
        hits = self._hits(path, text, scope, lines, data, candidates)
        return self._to_matches(path, hits, lines)

    def _candidates(self, raw: bytes, scope: Scope) -> dict[int, list[int] | None]:
        """Rules whose keywords occur in ``raw`` (case-insensitively, as in the input
        through :data:`.anchors.LOWER`), with the offsets of the keywords' last
        characters (``None``: search everything)."""
        return self._prefilter(scope).candidates(raw, self.rules)

    def _hits(
        self,
        path: str,
        text: str,
        scope: Scope,
        lines: Lines | None = None,
        raw: bytes | None = None,
        candidates: dict[int, list[int] | None] | None = None,
    ) -> list[_Hit]:
        lines = lines or Lines(text)
        kept: list[_Hit] = []
        data = raw if raw is not None else text.encode("latin-1")
        lowered = Lowered(data, search=self._literal_search)
        if candidates is None:
            candidates = self._candidates(data, scope)
        for idx in sorted(candidates):
            rule = self.rules[idx]
            if rule.path and not rule.path.search(path):
                continue
            regex, context = self._search[idx]
            found = _finditer(regex, context, rule, text, lowered, lines, candidates[idx])
            for hit in self._rule_hits(rule, path, text, lines, found):
                if not any(hit.start < k.end and k.start < hit.end for k in kept):
                    kept.append(hit)
        return kept

    def _rule_hits(
        self,
        rule: SecretRule,
        path: str,
        text: str,
        lines: Lines,
        found: Iterable[re.Match[str]],
    ) -> Iterator[_Hit]:
        seen: set[int] = set()
        for m in found:
            if m.start() in seen:
                continue
            seen.add(m.start())
            hit = self._evaluate(rule, m, path, text, lines)
            if hit is not None:
                yield hit

    def _evaluate(
        self, rule: SecretRule, m: re.Match[str], path: str, text: str, lines: Lines
    ) -> _Hit | None:
        group = rule.secret_group if rule.secret_group is not None else 0
        start, end = m.span(group)
        if start < 0 or end <= start:
            return None
        value = text[start:end]
        if rule.entropy and chk.shannon_entropy(value) < rule.entropy:
            return None
        cand = chk.Candidate(value, m.group(0), m.groupdict(), _key(m, text))
        if not all(chk.CHECKS[c](cand) for c in rule.checks):
            return None
        note = ""
        if chk.is_documented_example(value):
            if self.config.allow_documented_examples:
                return None
            note = chk.DOCUMENTED_EXAMPLE_NOTE
        line = lines.line_at(start, end)
        for allow in self.allow + rule.allow:
            if allow.applies_to(rule.id) and allow.allows(path, value, m.group(0), line):
                return None
        return _Hit(rule, start, end, value, note)

    def _to_matches(self, path: str, hits: list[_Hit], lines: Lines) -> Iterator[SecretMatch]:
        for h in hits:
            raw = h.value.encode("latin-1")
            shown = raw.decode("utf-8", "replace")
            line, column = lines.position(h.start)
            yield SecretMatch(
                path=path,
                line=line,
                column=column,
                rule_id=h.rule.id,
                category=h.rule.category,
                severity=h.rule.severity,
                title=h.rule.title,
                redacted=chk.redact(shown),
                fingerprint=chk.fingerprint(h.rule.id, path, raw),
                length=len(shown),
                note=h.note,
            )


def _finditer(
    regex: Anchored,
    context: Anchored | None,
    rule: SecretRule,
    text: str,
    lowered: Lowered,
    lines: Lines,
    offsets: list[int] | None,
) -> Iterator[re.Match[str]]:
    """Regex matches of ``rule``: near keyword ``offsets``, near context hits, or anywhere."""
    windows: list[tuple[int, int]]
    if context is not None:
        regions = line_windows(offsets, lines, 1) if offsets is not None else [(0, len(text))]
        starts = [m.start() for lo, hi in regions for m in context.finditer(text, lowered, lo, hi)]
        windows = line_windows(starts, lines, rule.context_lines)
    elif offsets is not None:
        windows = line_windows(offsets, lines, 1)
    else:
        windows = [(0, len(text))]
    return regex.finditer_windows(text, lowered, windows)


def _key(m: re.Match[str], text: str) -> str:
    """The full key name left of a generic rule's keyword (``db_password`` ...)."""
    if "key" not in m.re.groupindex or m.start("key") < 0:
        return ""
    start = m.start("key")
    lo = start
    while (
        lo > 0 and start - lo < _KEY_LOOKBACK and (text[lo - 1].isalnum() or text[lo - 1] in "_.-")
    ):
        lo -= 1
    return text[lo : m.end("key")]


def _latin1(text: str) -> str:
    """A str as its UTF-8 bytes seen through latin-1: offsets are byte offsets."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")
