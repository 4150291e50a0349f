"""``rules/builtin.json``: the built-in rules as JSON, with their rule gates' patterns.

``rules/builtin.yaml`` is the source (reviewed, commented). Every secret scan
used to import PyYAML (~20 ms), parse the file and then derive each rule's
hyperscan gate pattern from its regex (``gate.superset``, ~25 ms): 0.05 s spent
before the first layer is read, every run, for a result that only changes when
the YAML or the gate code does. ``builtin.json`` holds that result:

- ``source``: SHA-256 of ``builtin.yaml``. A JSON file that does not match the
  YAML beside it is ignored (the YAML is parsed as before), so an edited YAML
  is never shadowed by a stale JSON; ``tests/unit/secrets/test_compiled_rules.py``
  fails until it is regenerated with ``python -m hullguard.secrets.compiled``
  (``make rules``).
- ``data``: the YAML document as JSON (the same mapping ``yaml.safe_load``
  returns), parsed and validated by the same code as the YAML.
- ``gates``: gate pattern per ``(regex flags, regex pattern)``, valid only for
  the gate algorithm version and the Python minor version that computed them
  (``gate.superset`` asks ``re`` itself which bytes each item accepts); on any
  other, gates are computed as before.

Nothing here is compiled for a machine: hyperscan still compiles the gate
database on every run (its serialized form depends on the CPU and library).
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from importlib import resources
from typing import Any

#: bumped whenever ``gate.superset`` may produce a different pattern for a regex
GATE_VERSION = 1


def _python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def gate_key(flags: int, pattern: str) -> str:
    return f"{flags}:{pattern}"


def yaml_bytes() -> bytes:
    return resources.files("hullguard.secrets").joinpath("rules/builtin.yaml").read_bytes()


@cache
def load() -> dict[str, Any] | None:
    """``builtin.json`` when it was made from the ``builtin.yaml`` beside it, else ``None``."""
    try:
        raw = resources.files("hullguard.secrets").joinpath("rules/builtin.json").read_bytes()
        doc = json.loads(raw)
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("source") != hashlib.sha256(yaml_bytes()).hexdigest():
        return None
    return doc


def rules_data() -> Any | None:
    """The YAML document of the built-in rules, from the JSON (``None``: parse the YAML)."""
    doc = load()
    return doc.get("data") if doc is not None else None


def known_gate(flags: int, pattern: str) -> str | None:
    """The precomputed gate pattern of a regex, when valid for this gate code and Python."""
    doc = load()
    if doc is None or doc.get("gate_version") != GATE_VERSION or doc.get("python") != _python():
        return None
    found = doc.get("gates", {}).get(gate_key(flags, pattern))
    return found if isinstance(found, str) else None


def build() -> str:
    """The text of ``builtin.json`` for the current ``builtin.yaml`` (what ``main`` writes)."""
    import yaml

    from hullguard.secrets import gate
    from hullguard.secrets.config import parse_rule

    source = yaml_bytes()
    data = yaml.safe_load(source)
    gates: dict[str, str] = {}
    for i, raw in enumerate(data.get("rules") or []):
        rule = parse_rule(raw, f"builtin.yaml: rules[{i}]", "builtin")
        for regex in (rule.regex, rule.context):
            if regex is None:
                continue
            try:
                gates[gate_key(regex.flags, regex.pattern)] = gate.compute_superset(regex)
            except gate.Unsupported:
                continue
    doc = {
        "source": hashlib.sha256(source).hexdigest(),
        "gate_version": GATE_VERSION,
        "python": _python(),
        "data": data,
        "gates": dict(sorted(gates.items())),
    }
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=True) + "\n"


def main() -> int:
    from pathlib import Path

    target = Path(__file__).with_name("rules") / "builtin.json"
    target.write_text(build(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
