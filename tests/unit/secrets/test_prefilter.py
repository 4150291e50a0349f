"""The keyword indexes and RE2 path checks give the answers of the plain computations.

Both keyword indexes (hyperscan over raw bytes, Aho-Corasick over lowered bytes)
must report every overlapping occurrence of every keyword, case-insensitively
with ``str.lower()`` semantics over latin-1; RE2 path checks must answer like
``re.search``, and fall back to it where RE2 would mean something else.
"""

from __future__ import annotations

import pickle
import random
import re

import pytest
from secret_reference import occurrences, reference_candidates
from test_anchors import SNIPPETS

from hullguard.secrets import SecretScanner
from hullguard.secrets.anchors import LOWER, Lowered, anchor_positions
from hullguard.secrets.interface import Scope
from hullguard.secrets.prefilter import (
    PrefilterKind,
    available,
    build,
    choose,
    literal_search,
)
from hullguard.secrets.re2path import PathRegex, re2_equivalent
from hullguard.secrets.textlines import Lines, windows, windows_general

KEYWORDS = sorted({b"aws", b"secret", b"pass", b"password", b"aa", b"://", b"_auth"})


def _reference_hits(raw: bytes, keywords: list[bytes]) -> list[tuple[int, int]]:
    text = raw.translate(LOWER).decode("latin-1")
    return sorted(
        (i, s + len(kw))
        for i, kw in enumerate(keywords)
        for s in occurrences(text, kw.decode("latin-1"))
    )


@pytest.mark.parametrize("kind", list(PrefilterKind))
def test_index_reports_every_overlapping_hit_in_any_case(kind: PrefilterKind) -> None:
    index = build(KEYWORDS, kind)
    rng = random.Random(5)
    samples = [b"", b"AAAA", b"PassWord aWs SECRET://x", "ÀWS Àws_AUTH".encode("latin-1")]
    samples += [rng.choice(SNIPPETS).encode("latin-1") * rng.randint(1, 9) for _ in range(50)]
    for raw in samples:
        assert sorted(index.hits(raw)) == _reference_hits(raw, KEYWORDS), raw


def test_non_ascii_keywords_use_aho_corasick() -> None:
    assert choose([b"caf\xe9"]) is PrefilterKind.AHOCORASICK
    assert choose(KEYWORDS) is available()[0]
    index = build([b"caf\xe9"])
    assert index.hits("CAFÉ café".encode("latin-1")) == [(0, 4), (0, 9)]


@pytest.mark.parametrize("kind", list(PrefilterKind))
def test_scanner_candidates_equal_reference(kind: PrefilterKind) -> None:
    scanner = SecretScanner(prefilter_kind=kind)
    raw = "\n".join(SNIPPETS * 60).encode("latin-1").upper()  # past the window cap too
    for scope in Scope:
        for data in (raw, raw[:500], b"nothing here"):
            assert scanner._candidates(data, scope) == reference_candidates(scanner, data, scope)


def test_scanner_pickles_without_its_compiled_index() -> None:
    scanner = SecretScanner()
    text = b"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    before = scanner.scan_bytes("app/.env.txt", text)
    copy = pickle.loads(pickle.dumps(scanner))
    assert copy.scan_bytes("app/.env.txt", text) == before


@pytest.mark.parametrize("native", [False, True])
def test_anchor_positions_equal_whole_lowering(native: bool) -> None:
    raw = "\n".join(SNIPPETS * 20).encode("latin-1").swapcase()
    whole = raw.translate(LOWER)
    search = literal_search() if native else None
    assert (search is not None) == native
    rng = random.Random(9)
    for lits in ((b"api", b"secret", b"token", b"pass"), (b"ss", b"sss"), (b"\xe0pi",)):
        lazy = Lowered(raw, search=search)
        for _ in range(200):
            lo = rng.randrange(len(raw))
            hi = min(len(raw), lo + rng.randrange(1, 400))
            assert lazy.positions(lits, lo, hi) == anchor_positions(whole, lits, lo, hi)
        assert lazy.positions(lits, 0, len(raw)) == anchor_positions(whole, lits, 0, len(raw))
        cuts = sorted(rng.sample(range(len(raw) + 1), 40))
        spans = [(0, len(raw)), *zip(cuts[::2], cuts[1::2], strict=True), (5, 5)]
        want = [anchor_positions(whole, lits, lo, hi) for lo, hi in spans]
        assert lazy.positions_many(lits, spans) == want


PATHS = [
    "usr/lib/python3/dist-packages/foo/tests/key.pem",
    "srv/node_modules/a/b/README.md",
    "srv/node_modules/a/b/README.md\n",  # re's $ matches before a final newline
    "srv/node_modules/a/b/docs/x\x0b",
    "usr/share/doc/İx/README",
    "usr/share/doc/x/examples/a.txt",
    "app/site-packages-not/tests/x",
    "",
]


def test_re2_path_checks_equal_re_search() -> None:
    scanner = SecretScanner()
    assert any(p.re2 is not None for p in scanner._path_allow)
    for p in scanner._path_allow:
        for path in PATHS:
            assert p.search(path) == (p.regex.search(path) is not None), path
    dollar = PathRegex.of(re.compile(r"\.md$", re.ASCII))
    assert dollar.re2 is not None and dollar.search("a.md\n") is True


@pytest.mark.parametrize(
    "pattern",
    [r"(?<=a)b", r"(a)\1", r"a\Z", r"a[:]", r"a{,3}", r"\s", r"(?i)x", r"(?#c)x"],
)
def test_re2_refuses_what_it_would_read_otherwise(pattern: str) -> None:
    assert re2_equivalent(re.compile(pattern, re.ASCII)) is None


def test_one_line_windows_equal_the_general_computation() -> None:
    rng = random.Random(11)
    for text in (
        "",
        "\n",
        "a",
        "\n\n\nx\n",
        "no newline at all",
        *(_random_text(rng) for _ in range(60)),
    ):
        lines = Lines(text)
        for _ in range(5):
            offsets = sorted(rng.randrange(len(text) + 1) for _ in range(rng.randrange(1, 30)))
            assert windows(offsets, lines, 1) == windows_general(offsets, lines, 1), (text, offsets)


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice("ab\n") for _ in range(rng.randrange(1, 80)))


def test_sensitive_path_screen_changes_no_answer() -> None:
    from hullguard.secrets import sensitive

    def slow(path: str) -> str | None:
        keep = sensitive._cannot_be_sensitive
        sensitive._cannot_be_sensitive = lambda _p: False  # type: ignore[assignment]
        try:
            return sensitive.classify(path)
        finally:
            sensitive._cannot_be_sensitive = keep  # type: ignore[assignment]

    names = [".env", ".env.local", ".envrc", "id_rsa", "id_ed25519_sk", "x.PEM", "a.key", "b.p12",
             "c.pfx", "kubeconfig", "prod.kubeconfig", "terraform.tfstate", "x.tfstate", ".npmrc",
             "_netrc", "config", "credentials", "config.json", "k.conf", "README", "a.", "..pem",
             "id_rsa.pub", "known_hosts", "plain.txt", ".git"]  # fmt: skip
    dirs = ["", "app/", "/app/", "home/u/.ssh/", ".ssh/", "x/.git/", ".aws/", "r/.docker/",
            "u/.kube/", "etc/kubernetes/", "a\\b\\", "app//", "id_rsa/"]  # fmt: skip
    checked = 0
    for d in dirs:
        for n in names:
            for path in (d + n, d + n + "/"):
                assert sensitive.classify(path) == slow(path), path
                checked += sensitive.classify(path) is not None
    assert checked > 100
