"""Fast construction of frozen dataclasses on hot paths.

A frozen dataclass's ``__init__`` assigns each field through
``object.__setattr__``: ~10 µs for an 11-field record, which is most of the
cost of reading 30,000 advisory entries in a cold scan. :func:`from_fields`
builds the same instance by installing its ``__dict__`` in one step. The
caller passes *every* field (defaults are not applied) already of the right
type; tests compare the result with the normal constructor.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")

_new = object.__new__
_set = object.__setattr__


def from_fields(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of frozen dataclass ``cls`` whose fields are ``values`` (owned by it)."""
    obj = _new(cls)
    _set(obj, "__dict__", values)
    return obj
