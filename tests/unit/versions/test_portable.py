"""Portable version keys and stored OSV bounds: hand cases (real data: tests/integration/vulndb)."""

from __future__ import annotations

import itertools
import json

import pytest
from packaging.version import Version

from hullguard.versions import InvalidVersion, VersionScheme
from hullguard.versions.osv import compile_affected
from hullguard.versions.osv_bounds import encode_bounds, load_bounds
from hullguard.versions.portable import ENCODERS, pep440_key, sortable

PEP440 = ["1.0.dev1", "1.0a1.dev1", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.0", "1.0+abc",
          "1.0+abc.1", "1.0+1", "1.0+1.abc", "1.0.post1.dev1", "1.0.post1", "1!0.5", "2",
          "1.0.post1+local", "0.9.9.9", "1.1a1"]  # fmt: skip


def test_pep440_key_orders_like_packaging() -> None:
    for a, b in itertools.product(PEP440, repeat=2):
        ka, kb = pep440_key(Version(a)), pep440_key(Version(b))
        assert (ka < kb) == (Version(a) < Version(b)), (a, b)
        assert (ka == kb) == (Version(a) == Version(b)), (a, b)


SORTABLE = [(), (0,), (0, 0), (0, 1), (0, 9), (0, 10), (0, 10**45), (0, 10**50), (0, -1),
            (0, -9), (0, -10), (0, -(10**45)), (0, -(10**50)), (1,), (1, ""), (1, "a"),
            (1, "a-b"), (1, "ab"), (1, "b"), (2, (0, 1)), (2, (0, 1, 2)), (2, (1,)),
            (3, [4, "x"]), (3, [4, "x", 0]), (-(10**3), 5)]  # fmt: skip


def test_sortable_strings_order_like_the_keys() -> None:
    for a, b in itertools.product(SORTABLE, repeat=2):
        try:
            expected = (a > b) - (a < b)
        except TypeError:
            continue  # keys of one scheme never compare these
        got = (sortable(a) > sortable(b)) - (sortable(a) < sortable(b))
        assert got == expected, (a, b)
    assert json.loads(json.dumps(sortable((1, "a")))) == sortable((1, "a"))
    with pytest.raises(ValueError):
        sortable((1, "a#b"))  # characters at or below the terminator are refused
    with pytest.raises(ValueError):
        sortable((1.5,))


def test_schemes_without_a_total_order_key_have_no_encoder() -> None:
    assert VersionScheme.RPM not in ENCODERS and VersionScheme.MAVEN not in ENCODERS


AFFECTED = {
    "ranges": [
        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.3-1"}]},
        {
            "type": "ECOSYSTEM",
            "events": [{"introduced": "2.0-1"}, {"last_affected": "2.1-1"}, {"limit": "3.0"}],
        },
        {"type": "GIT", "events": [{"introduced": "abc"}]},
    ],
    "versions": ["9.9-1"],
}


@pytest.mark.parametrize(
    "version", ["0.1", "1.2.3-1", "1.2.3", "1:0.1", "2.0-1", "2.1-1", "2.1-2", "9.9-1", "3.0"]
)
def test_stored_bounds_match_the_runtime_compile(version: str) -> None:
    text = encode_bounds(AFFECTED, VersionScheme.DPKG)
    assert text.startswith("[1,") and "abc" not in text  # GIT range dropped
    stored = load_bounds(text, VersionScheme.DPKG)
    assert stored.affects(version) == compile_affected(AFFECTED, VersionScheme.DPKG).affects(
        version
    )


def test_invalid_installed_version_raises_like_the_runtime_compile() -> None:
    stored = load_bounds(encode_bounds(AFFECTED, VersionScheme.DPKG), VersionScheme.DPKG)
    with pytest.raises(InvalidVersion) as caught:
        stored.affects("not a version")
    assert caught.value.version == "not a version"


@pytest.mark.parametrize(
    ("affected", "scheme"),
    [
        ({"ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "bad version"}]}]}, "dpkg"),
        ({"ranges": [{"type": "SVN", "events": [{"fixed": "1"}]}]}, "dpkg"),
        ({"npm_range": "<1.2.3"}, "npm"),
        ({"ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1.0-1"}]}]}, "rpm"),
    ],
)
def test_entries_that_cannot_be_stored_get_no_bounds(
    affected: dict[str, object], scheme: str
) -> None:
    # compiled at match time instead, which reports the problem as before
    assert encode_bounds(affected, VersionScheme(scheme)) == ""
