"""The engine's speed-ups change nothing: anchors, the keyword automaton, path checks.

Each fast path is compared with the plain computation it replaces (``re``
``finditer``/``search``, and every overlapping keyword occurrence found with
``str.find``) on texts built to hit its edge cases.
"""

from __future__ import annotations

import random
import re

import pytest
from secret_fakes import ALNUM, fake
from secret_reference import reference_candidates, reference_scanner

from hullguard.secrets import SecretScanner
from hullguard.secrets.anchors import LOWER, Anchored, anchors
from hullguard.secrets.interface import Scope

KEY = fake(ALNUM, 32, "anchors")
FILLER = "filler line without any hit\n"
SNIPPETS = [
    f"api_key = '{KEY}'",
    f"API.KEY={KEY}",
    f"private-key: {KEY}",
    f"Secretoken={KEY}",
    f"dbPassword: '{KEY}'",
    f"AWS_SECRET_ACCESS_KEY={fake(ALNUM, 40, 'aws')}",
    f"curl -u admin:{KEY} https://x",
    f"https://user:{KEY}@db.example",
    "xoxe.xoxe.xoxb-1234567890-abcdef",
    "_authtoken=_auth=npmAuthToken",
    "ÀPI_KEY=ÿÿÿ token É secret ß",
    "tokentokentoken secretsecret passpass",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz",
    "no keyword on this line at all",
]


def _text(seed: int, lines: int) -> str:
    rng = random.Random(seed)
    return "\n".join(rng.choice(SNIPPETS) for _ in range(lines)) + "\n"


def _lowered(text: str) -> bytes:
    return text.encode("latin-1").translate(LOWER)


def _spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


def test_anchors_of_the_generic_rules(scanner: SecretScanner) -> None:
    by_id = {r.id: anchors(r.regex) for r in scanner.rules}
    assert by_id["generic-password"] == (b"pass", b"pwd")
    assert by_id["aws-secret-access-key"] == (b"aws", b"secret")
    assert by_id["github-pat"] == (b"ghp_",)
    assert by_id["stripe-live-secret-key"] is None  # starts with a class: plain search


@pytest.mark.parametrize(
    ("pattern", "want"),
    [
        (r"a?bc", None),  # may start with b
        (r"[ab]cd", None),  # a class: not expanded
        (r"x", None),  # too short to pay off
        (r"(?=ab)", None),  # matches the empty string
        (r"(?:ab|)cd", (b"abcd", b"cd")),
        (r"(?i)\bFoo|bar\d", (b"bar", b"foo")),
        (r"(?:pass|password)", (b"pass",)),  # nested: the shorter covers both
    ],
)
def test_anchor_analysis(pattern: str, want: tuple[bytes, ...] | None) -> None:
    assert anchors(re.compile(pattern)) == want


@pytest.mark.parametrize("seed", range(6))
def test_anchored_finditer_equals_re_finditer(scanner: SecretScanner, seed: int) -> None:
    text = _text(seed, 80)
    lowered = _lowered(text)
    rng = random.Random(seed)
    ranges = [(0, len(text))] + [
        tuple(sorted(rng.randrange(len(text) + 1) for _ in range(2))) for _ in range(20)
    ]
    patterns = [r.regex for r in scanner.rules] + [r.context for r in scanner.rules if r.context]
    checked = 0
    for pattern in patterns:
        fast = Anchored.of(pattern)
        for lo, hi in ranges:
            want = _spans(pattern.finditer(text, lo, hi))
            assert _spans(fast.finditer(text, lowered, lo, hi)) == want, (pattern.pattern, lo, hi)
            checked += bool(want) and fast.literals is not None
    assert checked > 20  # anchored patterns really matched


def test_anchored_search_equals_re_search(scanner: SecretScanner) -> None:
    paths = [
        "usr/lib/python3/dist-packages/foo/tests/key.pem",
        "USR/LIB/PYTHON3/DIST-PACKAGES/FOO/TESTS/key.pem",
        "srv/node_modules/a/b/README.md",
        "srv/node_modules/a/b/README.MD",
        "usr/\u017fhare/doc/x/README",  # long s folds to s, but only without re.ASCII
        "usr/share/doc/İx/README",  # lower() lengthens İ: offsets would shift
        "app/site-packages-not/tests/x",
        "",
    ]
    for a in scanner._path_allow:
        for path in paths:
            assert a.search(path) == (a.regex.search(path) is not None), path
    plain = Anchored.of(re.compile(r"(?i)(?:^|/)share/doc/"))  # no re.ASCII: plain search
    long_s = "usr/\u017fhare/doc/x"
    assert plain.search(long_s) == bool(plain.regex.search(long_s)) is True


@pytest.mark.parametrize("scope", list(Scope))
def test_keyword_automaton_reports_every_overlapping_hit(
    scanner: SecretScanner, scope: Scope
) -> None:
    for seed, lines in ((1, 40), (2, 400), (3, 2000)):  # 2000 lines: past the window cap
        lowered = _lowered(_text(seed, lines))
        assert scanner._candidates(lowered, scope) == reference_candidates(scanner, lowered, scope)


def test_fast_engine_equals_reference_engine(scanner: SecretScanner) -> None:
    ref = reference_scanner()
    far = "\n" + FILLER * 5 + f"private.key = '{KEY}'\n"
    texts = [_text(seed, n) for seed, n in ((4, 30), (5, 300), (6, 1500))]
    texts.append("token: x\n" * 600 + far)  # > 512 hits: the rule searches everywhere
    for i, text in enumerate(texts):
        data = text.encode("latin-1")
        fast = scanner.scan_bytes(f"srv/app{i}.cfg", data)
        assert [repr(m) for m in fast] == [repr(m) for m in ref.scan_bytes(f"srv/app{i}.cfg", data)]
    assert any(m.line == 607 for m in scanner.scan_bytes("srv/far.cfg", texts[-1].encode()))
