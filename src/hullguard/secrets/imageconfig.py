"""Turn image-config fields and build-history steps into text the rules can scan.

``Env`` entries and ``Labels`` become ``KEY=value`` lines. A history step's
``created_by`` is scanned as it is (curl -u, tokens in URLs, --password ...)
and, in addition, its ``ENV``/``ARG`` assignments and the build arguments that
BuildKit and Buildah record in front of ``RUN`` steps (``|2 TOKEN=... NPM=...``)
are extracted as ``KEY=value`` lines: that is how ``--build-arg`` values leak.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping, Sequence

_NOP = re.compile(r"^/bin/sh\s+-c\s+#\(nop\)\s*")
_RUN_ARGS = re.compile(r"^(?:RUN\s+)?\|(\d+)\s+(.*)$", re.DOTALL)
_ENV_ARG = re.compile(r"^(ENV|ARG)\s+(.*)$", re.DOTALL | re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def env_text(env: Sequence[str]) -> str:
    """One ``KEY=value`` per line (newlines inside a value become spaces)."""
    return "\n".join(e.replace("\r", " ").replace("\n", " ") for e in env)


def labels_text(labels: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """Labels as ``key=value`` lines, in the order given."""
    items = labels.items() if isinstance(labels, Mapping) else labels
    return env_text([f"{k}={v}" for k, v in items])


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return text.split()


def history_assignments(created_by: str) -> list[str]:
    """``KEY=value`` assignments a history step records (ENV, ARG, RUN build args)."""
    text = _NOP.sub("", created_by.strip())
    run = _RUN_ARGS.match(text)
    if run:
        count = int(run.group(1))
        tokens = text[run.start(2) :].split(None, count)[:count]
        return [t for t in tokens if "=" in t and _NAME.match(t.split("=", 1)[0])]
    env = _ENV_ARG.match(text)
    if not env:
        return []
    tokens = _split(env.group(2))
    if tokens and all("=" in t for t in tokens):
        return [t for t in tokens if _NAME.match(t.split("=", 1)[0])]
    if env.group(1).upper() == "ENV" and len(tokens) >= 2 and _NAME.match(tokens[0]):
        return [f"{tokens[0]}={' '.join(tokens[1:])}"]  # legacy `ENV KEY value` form
    return []
