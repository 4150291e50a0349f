"""Fake secrets for tests: made from a seeded PRNG in the published shape of each
provider's tokens (prefix, length, alphabet). None was ever issued by anyone.
"""

from __future__ import annotations

import random
import string

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


def fake(alphabet: str, n: int, seed: int | str = 0) -> str:
    """A deterministic random string: high entropy, mixed case, with digits."""
    rng = random.Random(f"hullguard-fake-{seed}-{n}")
    classes = [
        set(cls) & set(alphabet)
        for cls in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ]
    while True:
        out = "".join(rng.choice(alphabet) for _ in range(n))
        if all(not cls or cls & set(out) for cls in classes):
            return out
