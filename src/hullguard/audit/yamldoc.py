"""Round-trip YAML: split a stream into documents, parse them with positions, dump them back.

Documents are split on ``---`` lines by hand (not by the YAML parser) so that a fix
re-emits only the documents it changed and everything between them (Helm's
``# Source:`` comments, empty documents, separators) stays byte-identical. Each
document is parsed with ruamel.yaml in round-trip mode, which keeps comments, key
order and quoting, and records the line and column of every key and item.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from hullguard.errors import AuditInputError

_DOC_START = re.compile(r"^---(?:[ \t]|$)")
_DOC_END = re.compile(r"^\.\.\.[ \t]*$")
_KEY_LINE = re.compile(r"^(?P<ind> *)(?P<dash>- +)?[^\s#][^#]*:\s*(?:#.*)?$")


@dataclass(frozen=True)
class Document:
    """One YAML document of a stream, parsed with positions."""

    index: int
    text: str
    #: 0-based line of the document's first line in the whole file
    line_offset: int
    data: Any


@dataclass(frozen=True)
class Indent:
    """Block indentation style of a document, as ruamel.yaml's ``indent()`` takes it."""

    mapping: int = 2
    sequence: int = 2
    offset: int = 0


def split_documents(text: str) -> list[tuple[str, int]]:
    """Split a YAML stream into ``(document text, first line)`` chunks.

    A chunk starts at a ``---`` marker line (kept in the chunk) and ends before the
    next one. ``...`` end markers stay with their chunk. Directive lines (``%YAML``)
    belong to the chunk that follows them.
    """
    lines = text.splitlines(keepends=True)
    chunks: list[tuple[str, int]] = []
    start = 0
    for i, line in enumerate(lines):
        if i > start and _DOC_START.match(line) and not _only_directives(lines[start:i]):
            chunks.append(("".join(lines[start:i]), start))
            start = i
    chunks.append(("".join(lines[start:]), start))
    return chunks


def _only_directives(lines: list[str]) -> bool:
    meaningful = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return bool(meaningful) and all(ln.startswith("%") for ln in meaningful)


def new_yaml(indent: Indent | None = None) -> YAML:
    """A round-trip ruamel.yaml instance that keeps quotes and never re-wraps lines."""
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 1_000_000
    yaml.allow_duplicate_keys = False
    if indent is not None:
        yaml.indent(mapping=indent.mapping, sequence=indent.sequence, offset=indent.offset)
    return yaml


def parse_stream(text: str, name: str) -> list[Document]:
    """Parse every document of ``text``; broken YAML raises :class:`AuditInputError`."""
    docs: list[Document] = []
    for index, (chunk, offset) in enumerate(split_documents(text)):
        try:
            data = new_yaml().load(chunk)
        except YAMLError as exc:
            raise AuditInputError(
                f"{name}: broken YAML{_where(exc, offset)}: {_problem(exc)}",
                hint="fix the syntax (render Helm charts with `helm template` first)",
            ) from None
        docs.append(Document(index, chunk, offset, data))
    return docs


def _where(exc: YAMLError, offset: int) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = getattr(mark, "line", None)
    if isinstance(line, int):
        return f" at line {line + offset + 1}"
    return ""


def _problem(exc: YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    text = str(problem) if problem else str(exc).splitlines()[0]
    return " ".join(text.split())


def guess_indent(text: str) -> Indent:
    """Guess the block indentation of ``text`` (kubectl style vs. Helm style lists)."""
    lines = [ln.rstrip("\n") for ln in text.splitlines()]
    meaningful = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    maps: Counter[int] = Counter()
    offsets: Counter[int] = Counter()
    for cur, nxt in itertools.pairwise(meaningful):
        m = _KEY_LINE.match(cur)
        if not m or not cur.rstrip().endswith(":"):
            continue
        base = len(m.group("ind")) + len(m.group("dash") or "")
        ind_next = len(nxt) - len(nxt.lstrip(" "))
        if ind_next < base:
            continue
        if nxt.lstrip(" ").startswith("- "):
            offsets[ind_next - base] += 1
        elif ind_next > base:
            maps[ind_next - base] += 1
    mapping = maps.most_common(1)[0][0] if maps else 2
    offset = offsets.most_common(1)[0][0] if offsets else 0
    return Indent(mapping=mapping, sequence=offset + 2, offset=offset)


def dump_document(data: Any, indent: Indent) -> str:
    """Serialise one document back to text in the given indentation style."""
    out = io.StringIO()
    new_yaml(indent).dump(data, out)
    return out.getvalue()


def dump_like(original: str, data: Any) -> str:
    """Re-emit ``data`` (parsed from ``original``) keeping its ``---`` marker line."""
    body = dump_document(data, guess_indent(original))
    lines = original.splitlines(keepends=True)
    head = ""
    for line in lines:
        if _DOC_START.match(line):
            head = line if line.strip() == "---" else ""
            break
        if line.strip() and not line.lstrip().startswith(("#", "%")):
            break
    prefix = _leading_directives(lines)
    text = prefix + head + body if head and not body.startswith("---") else prefix + body
    tail = [ln for ln in lines if ln.strip()]
    if tail and _DOC_END.match(tail[-1]) and not text.rstrip().endswith("..."):
        text += tail[-1] if tail[-1].endswith("\n") else tail[-1] + "\n"
    return text


def _leading_directives(lines: list[str]) -> str:
    out = []
    for line in lines:
        if line.startswith("%"):
            out.append(line)
        elif line.strip() and not line.lstrip().startswith("#"):
            break
    return "".join(out)
