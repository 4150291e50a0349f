"""Comment-safe edits of round-trip YAML mappings (used by the fixers).

ruamel.yaml attaches a comment block that follows a mapping to the *last* scalar
inside it. Appending a key naively would put the new key below that comment, and
deleting the last key would drop it. :func:`put` and :func:`remove` move such
trailing comment blocks so that comments stay where the author wrote them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

#: comment blocks detached from mappings emptied by :func:`remove`, by ``id`` of the
#: mapping (the mapping itself is kept in the value so the id stays valid)
_ORPHANS: dict[int, tuple[Any, str]] = {}


def forget_orphans() -> None:
    """Drop comment blocks that no later edit re-attached (call after a fix)."""
    _ORPHANS.clear()


def new_map(pairs: Iterable[tuple[str, Any]] = ()) -> CommentedMap:
    m = CommentedMap()
    for k, v in pairs:
        m[k] = v
    return m


def new_seq(items: Iterable[Any], flow: bool = False) -> CommentedSeq:
    s = CommentedSeq(list(items))
    if flow:
        s.fa.set_flow_style()
    return s


def _last_slot(node: Any) -> tuple[Any, Any, int] | None:
    """The deepest last (container, key/index, comment index) of ``node``."""
    while True:
        if isinstance(node, CommentedMap) and len(node):
            key = list(node)[-1]
            child = node[key]
            if isinstance(child, (CommentedMap, CommentedSeq)) and len(child):
                node = child
                continue
            return node, key, 2
        if isinstance(node, CommentedSeq) and len(node):
            idx = len(node) - 1
            child = node[idx]
            if isinstance(child, (CommentedMap, CommentedSeq)) and len(child):
                node = child
                continue
            return node, idx, 0
        return None


def _take_trailing(node: Any) -> str:
    """Detach the comment lines following ``node``'s last scalar (keep its EOL comment)."""
    slot = _last_slot(node)
    if slot is None:
        return ""
    holder, key, pos = slot
    entry = holder.ca.items.get(key)
    token = entry[pos] if entry and len(entry) > pos else None
    if not isinstance(token, CommentToken) or "\n" not in token.value:
        return ""
    eol, _, rest = token.value.partition("\n")
    if not rest.strip():
        return ""
    if eol.strip():
        token.value = eol + "\n"
    else:
        entry[pos] = None
    return rest


def _give_trailing(node: Any, rest: str) -> None:
    """Attach detached comment lines after ``node``'s last scalar."""
    slot = _last_slot(node)
    if not rest or slot is None:
        return
    holder, key, pos = slot
    entry = holder.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) <= pos:
        entry.append(None)
    old = entry[pos]
    if isinstance(old, CommentToken):
        old.value = (old.value if old.value.endswith("\n") else old.value + "\n") + rest
    else:
        entry[pos] = CommentToken("\n" + rest, CommentMark(0), None)


def put(
    parent: CommentedMap,
    key: str,
    value: Any,
    after: Iterable[str] = (),
    before: Iterable[str] = (),
) -> None:
    """Set ``parent[key]``.

    A new key goes before the first present ``before`` key, else after the first
    present ``after`` key, else last.
    """
    if key in parent:
        parent[key] = value
        return
    keys = list(parent)
    index = _position(keys, after, before)
    if index >= len(keys):
        rest = _take_trailing(parent) or _ORPHANS.pop(id(parent), (None, ""))[1]
        parent[key] = value
        _give_trailing(parent, rest)
    else:
        parent.insert(index, key, value)


def _position(keys: list[str], after: Iterable[str], before: Iterable[str]) -> int:
    for anchor in before:
        if anchor in keys:
            return keys.index(anchor)
    for anchor in after:
        if anchor in keys:
            return keys.index(anchor) + 1
    return len(keys)


def edit_map(
    parent: CommentedMap,
    key: str,
    fill: Callable[[CommentedMap], None],
    after: Iterable[str] = (),
    before: Iterable[str] = (),
) -> None:
    """Let ``fill`` edit ``parent[key]``; a new mapping is inserted only once filled.

    Filling before inserting keeps :func:`put` able to move trailing comments below
    the complete new block.
    """
    existing = parent.get(key)
    if isinstance(existing, CommentedMap):
        fill(existing)
        return
    m = CommentedMap()
    fill(m)
    if len(m):
        put(parent, key, m, after, before)


def remove(parent: CommentedMap, key: str) -> None:
    """Delete ``parent[key]``, keeping a trailing comment block that hung on it."""
    if key not in parent:
        return
    keys = list(parent)
    rest = _take_trailing(parent) if keys[-1] == key else ""
    del parent[key]
    if rest and len(parent):
        _give_trailing(parent, rest)
    elif rest:
        # the mapping is empty now: keep the comment until a key is put back into it
        _ORPHANS[id(parent)] = (parent, rest)


def eol_comment(parent: CommentedMap, key: str, text: str) -> None:
    """Put ``# text`` at the end of ``key``'s line."""
    parent.yaml_add_eol_comment(text, key)


def clone(value: Any) -> Any:
    return copy.deepcopy(value)
