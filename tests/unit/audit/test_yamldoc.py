"""Document splitting, indentation guessing and broken-input errors."""

from __future__ import annotations

import pytest

from hullguard.audit.engine import audit_bytes, detect
from hullguard.audit.interface import AuditOptions
from hullguard.audit.yamldoc import guess_indent, parse_stream, split_documents
from hullguard.errors import AuditInputError


def test_split_keeps_every_byte() -> None:
    text = "a: 1\n---\n# c\n---\nb: 2\n...\n"
    chunks = split_documents(text)
    assert "".join(c for c, _ in chunks) == text
    assert [line for _, line in chunks] == [0, 1, 3]


def test_directives_stay_with_their_document() -> None:
    chunks = split_documents("%YAML 1.2\n---\na: 1\n")
    assert len(chunks) == 1


def test_positions_are_relative_to_the_file() -> None:
    docs = parse_stream("a: 1\n---\nkind: X\nb: 2\n", "f")
    assert docs[1].line_offset == 1
    assert docs[1].data.lc.key("b") == (2, 0)


@pytest.mark.parametrize(
    ("text", "mapping", "offset"),
    [
        ("a:\n  b:\n  - x\n", 2, 0),
        ("a:\n  b:\n    - x\n", 2, 2),
        ("a:\n    b:\n        - x\n", 4, 4),
    ],
)
def test_guess_indent(text: str, mapping: int, offset: int) -> None:
    ind = guess_indent(text)
    assert (ind.mapping, ind.offset) == (mapping, offset)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x7fELF\x00\x01", "binary"),
        (b"\xff\xfe\xfa", "not UTF-8"),
        (b"a: [1, 2\n", "broken YAML at line"),
        (b"just: a mapping\n", "not a Kubernetes manifest"),
        (b"# only a comment\n", "empty"),
        (b"key: value\nkey: again\n", "broken YAML"),
    ],
)
def test_bad_input_is_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(AuditInputError) as exc:
        audit_bytes(data, "in.yaml", AuditOptions())
    assert message in exc.value.diagnostics()
    assert "\n" not in exc.value.diagnostics()


def test_non_object_documents_in_a_manifest_are_noted() -> None:
    parsed = detect("apiVersion: v1\nkind: Pod\nspec: {}\n---\nfoo: bar\n", "f")
    assert parsed.notes and "document 2" in parsed.notes[0]
