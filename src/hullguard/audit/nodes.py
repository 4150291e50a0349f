"""Typed access to parsed YAML nodes and their source positions.

ruamel.yaml's round-trip containers are ``dict``/``list`` subclasses that remember
where each key and item started (``.lc``). These helpers read values defensively
(a manifest is untrusted: any field may have any type) and turn positions into
1-based ``(line, column)`` pairs relative to the whole file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Pos = tuple[int, int]


def as_map(value: Any) -> Mapping[str, Any] | None:
    """``value`` when it is a mapping, else ``None``."""
    return value if isinstance(value, Mapping) else None


def as_seq(value: Any) -> Sequence[Any] | None:
    """``value`` when it is a list (never a string), else ``None``."""
    return value if isinstance(value, list) else None


def get_map(parent: Any, key: str) -> Mapping[str, Any] | None:
    m = as_map(parent)
    return as_map(m.get(key)) if m is not None else None


def get_seq(parent: Any, key: str) -> Sequence[Any]:
    m = as_map(parent)
    seq = as_seq(m.get(key)) if m is not None else None
    return seq if seq is not None else ()


def get_str(parent: Any, key: str) -> str | None:
    m = as_map(parent)
    value = m.get(key) if m is not None else None
    return str(value) if isinstance(value, str) else None


def is_true(parent: Any, key: str) -> bool:
    m = as_map(parent)
    return m is not None and m.get(key) is True


def is_false(parent: Any, key: str) -> bool:
    m = as_map(parent)
    return m is not None and m.get(key) is False


def get_int(parent: Any, key: str) -> int | None:
    m = as_map(parent)
    value = m.get(key) if m is not None else None
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return None


def has_key(parent: Any, key: str) -> bool:
    m = as_map(parent)
    return m is not None and key in m and m[key] is not None


@dataclass(frozen=True)
class Locator:
    """Turns node positions of one document into 1-based file positions."""

    line_offset: int = 0

    def node(self, node: Any, fallback: Pos = (1, 1)) -> Pos:
        lc = getattr(node, "lc", None)
        line = getattr(lc, "line", None)
        col = getattr(lc, "col", None)
        if isinstance(line, int) and isinstance(col, int):
            return (line + self.line_offset + 1, col + 1)
        return fallback

    def key(self, node: Any, key: str, fallback: Pos | None = None) -> Pos:
        """Position of ``key`` in mapping ``node``; the mapping's own start when absent."""
        base = self.node(node, fallback or (self.line_offset + 1, 1))
        lc = getattr(node, "lc", None)
        if lc is None or not isinstance(node, Mapping) or key not in node:
            return base
        try:
            line, col = lc.key(key)
        except (KeyError, TypeError, AttributeError):
            return base
        return (int(line) + self.line_offset + 1, int(col) + 1)

    def item(self, node: Any, index: int, fallback: Pos | None = None) -> Pos:
        """Position of item ``index`` of sequence ``node``."""
        base = self.node(node, fallback or (self.line_offset + 1, 1))
        lc = getattr(node, "lc", None)
        if lc is None:
            return base
        try:
            line, col = lc.item(index)
        except (KeyError, TypeError, AttributeError, IndexError):
            return base
        return (int(line) + self.line_offset + 1, int(col) + 1)
