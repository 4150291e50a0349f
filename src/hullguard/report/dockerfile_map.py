"""History ``created_by`` -> Dockerfile line, for SARIF locations (``--dockerfile PATH``).

Image history records what each build step ran, in the builder's own spelling:

* BuildKit: ``RUN /bin/sh -c apt-get install -y curl # buildkit``,
  ``COPY app /srv/app # buildkit`` (``|2 A=1 B=2 /bin/sh -c ...`` with build args);
* classic builder / buildah: ``/bin/sh -c apt-get install -y curl`` for RUN and
  ``/bin/sh -c #(nop) COPY file:<hash> in /srv/app`` for COPY/ADD.

Only instructions of the final stage can have made the image's layers. RUN steps
match on the whitespace-normalised command; COPY/ADD on their destination.
Anything ambiguous or unknown stays unmapped (SARIF then points at the image).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hullguard.lint.dockerfile.model import Instruction
from hullguard.lint.dockerfile.parser import parse

_BUILD_ARGS = re.compile(r"^\|\d+\s+(?:\S+=\S*\s+)*")
_SHELL = "/bin/sh -c "
_NOP = "#(nop) "


def _norm(text: str) -> str:
    return " ".join(text.split())


def _step(created_by: str) -> tuple[str, str] | None:
    """``(keyword, key)`` of a history entry: the RUN command or the COPY/ADD destination."""
    text = created_by.strip().removesuffix("# buildkit").strip()
    if text.startswith("RUN "):
        text = text[4:]
    text = _BUILD_ARGS.sub("", text)
    if text.startswith(_SHELL):
        text = text[len(_SHELL) :].strip()
        if not text.startswith(_NOP):
            return "RUN", _norm(text)
        text = text[len(_NOP) :].strip()
    keyword, _, rest = text.partition(" ")
    keyword = keyword.upper()
    if keyword in ("COPY", "ADD") and rest:
        return keyword, rest.split(" in ")[-1].split()[-1] if " in " in rest else rest.split()[-1]
    return None


def _key(instruction: Instruction) -> tuple[str, str] | None:
    if instruction.keyword == "RUN" and not instruction.json:
        return "RUN", _norm(instruction.script)
    if instruction.keyword in ("COPY", "ADD") and instruction.args:
        return instruction.keyword, instruction.args[-1]
    return None


def map_history(
    dockerfile: bytes, path: str, created_by: Iterable[str]
) -> dict[str, tuple[str, int]]:
    """``created_by`` -> ``(path, line)`` for the history entries that can be placed."""
    parsed = parse(dockerfile, path)
    last_stage = max((i.stage for i in parsed.instructions), default=-1)
    candidates: dict[tuple[str, str], list[int]] = {}
    for instruction in parsed.instructions:
        key = _key(instruction) if instruction.stage == last_stage else None
        if key is not None:
            candidates.setdefault(key, []).append(instruction.line)
    out: dict[str, tuple[str, int]] = {}
    for entry in created_by:
        step = _step(entry)
        lines = candidates.get(step) if step else None
        if lines and len(lines) == 1:
            out[entry] = (path, lines[0])
    return out
