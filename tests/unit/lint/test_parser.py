from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.lint.dockerfile.parser import DockerfileError, parse

CORPUS = Path(__file__).resolve().parents[2] / "data" / "dockerfiles"


def lines_of(df, keyword):  # type: ignore[no-untyped-def]
    return [(i.line, i.end_line) for i in df.instructions if i.keyword == keyword]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.Dockerfile")), ids=lambda p: p.name)
def test_every_instruction_starts_on_its_keyword_line(path) -> None:  # type: ignore[no-untyped-def]
    df = parse(path.read_bytes(), path.name)
    assert df.instructions
    for instr in df.instructions:
        text = df.lines[instr.line - 1].lstrip()
        assert text.upper().startswith(instr.keyword), (instr.line, text)
        assert instr.column == len(df.lines[instr.line - 1]) - len(text) + 1
        assert instr.end_line >= instr.line


def test_continuations_with_comments_and_blank_lines_keep_line_numbers(load) -> None:
    df = load("23")
    assert lines_of(df, "RUN") == [(5, 15), (17, 18)]
    assert lines_of(df, "ENV") == [(19, 21)]
    assert lines_of(df, "USER") == [(22, 22)]
    run = df.instructions[1]
    assert "# tools" not in run.text and "libc6-dev" in run.text
    assert df.instructions[3].args == ("LANG", "C.UTF-8", "LC_ALL", "C.UTF-8")


def test_escape_backtick_directive(load) -> None:
    df = load("09")
    assert df.escape == "`"
    assert df.directive("escape") == "`"
    run = next(i for i in df.instructions if i.keyword == "RUN")
    assert (run.line, run.end_line) == (8, 10)
    assert "Remove-Item setup.exe" in run.text
    workdir = next(i for i in df.instructions if i.keyword == "WORKDIR")
    assert workdir.args == ("C:\\app",)
    copy = next(i for i in df.instructions if i.keyword == "COPY")
    assert copy.args == ("app\\", "C:\\app\\")


def test_syntax_directive(load) -> None:
    assert load("01").directive("syntax") == "docker/dockerfile:1.7"
    assert load("03").directives == ()


def test_heredoc_run_with_chomp_and_program(load) -> None:
    df = load("07")
    first, second = [i for i in df.instructions if i.keyword == "RUN"][:2]
    assert (first.line, first.end_line) == (4, 9)
    assert first.heredocs[0].content.startswith("set -eux\napt-get update\n")
    assert first.heredocs[0].expand and not first.heredocs[0].chomp
    assert (second.line, second.end_line) == (11, 14)
    doc = second.heredocs[0]
    assert doc.chomp and doc.name == "EOT"
    assert doc.content.startswith("set -euo pipefail\ncurl")  # leading tabs stripped


def test_multiple_and_quoted_heredocs(load) -> None:
    df = load("08")
    copies = [i for i in df.instructions if i.keyword == "COPY"]
    assert len(copies[0].heredocs) == 1 and copies[0].heredocs[0].expand
    names = [(h.name, h.expand) for h in copies[1].heredocs]
    assert names == [("INDEX", False), ("HEALTH", False)]
    assert copies[1].heredocs[0].content == "<html><body>$TITLE</body></html>\n"
    assert (copies[1].line, copies[1].end_line) == (13, 17)
    assert lines_of(df, "RUN") == [(19, 19)]


def test_arg_substitution_in_from_with_defaults(load) -> None:
    df = load("10")
    stage = df.stages[0]
    assert stage.base == "docker.io/library/python:3.11-slim"
    assert stage.ref is not None and stage.ref.tag == "3.11-slim"
    assert dict(df.global_args)["VARIANT"] is None


def test_build_args_override_defaults_and_unset_args_are_unresolved() -> None:
    data = (CORPUS / "10-arg-in-from.Dockerfile").read_bytes()
    df = parse(data, build_args={"VARIANT": "alpine", "PYTHON_VERSION": "3.12"})
    assert df.stages[0].base == "docker.io/library/python:3.12-alpine"
    df = parse(b"ARG IMG\nFROM ${IMG}\n")
    assert not df.stages[0].resolved and df.stages[0].ref is None


def test_stages_names_platform_and_from_flags(load) -> None:
    df = load("31")
    assert [s.name for s in df.stages] == ["build", ""]
    assert df.stages[0].from_instruction.flag("platform") == "$BUILDPLATFORM"
    copy = next(i for i in df.stages[1].instructions if i.keyword == "COPY")
    assert copy.flag("from") == "build" and copy.stage == 1
    assert load("17").stages[1].base_stage == 0  # FROM base AS build


def test_mount_flags_repeat(load) -> None:
    df = load("30")
    run = next(i for i in df.instructions if i.keyword == "RUN")
    assert run.flag_values("mount") == (
        "type=cache,target=/var/cache/apt,sharing=locked",
        "type=cache,target=/var/lib/apt/lists,sharing=locked",
    )
    assert run.text.startswith("apt-get update")


def test_json_and_shell_forms(load) -> None:
    df = load("36")
    runs = [i for i in df.instructions if i.keyword == "RUN"]
    assert runs[0].json and runs[0].args[:2] == ("/bin/sh", "-c")
    copy = next(i for i in df.instructions if i.keyword == "COPY")
    assert copy.json and copy.args == ("app files/", "/srv/app/")
    assert not load("03").instructions[-1].json


def test_ignore_pragmas(load) -> None:
    df = load("32")
    assert df.global_ignores == ("DL3059",)
    assert dict(df.ignores) == {
        4: ("DL3015", "DL3009"),
        6: ("HGD031",),
        8: ("DL3003",),
        10: ("DL3002",),
    }


def test_pragma_text_inside_heredoc_is_not_a_pragma() -> None:
    df = parse(b"FROM a:1\nRUN <<EOF\n# hadolint ignore=DL3003\nEOF\n\nRUN cd /x\n")
    assert df.ignores == ()


def test_bom_and_crlf() -> None:
    df = parse(b"\xef\xbb\xbfFROM alpine:3.19\r\nRUN echo a \\\r\n  b\r\n")
    assert [(i.keyword, i.line, i.end_line) for i in df.instructions] == [
        ("FROM", 1, 1),
        ("RUN", 2, 3),
    ]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty Dockerfile"),
        (b"\n  \n", "empty Dockerfile"),
        (b"# only a comment\n", "no instructions"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary"),
        (b"FROM a\nRUN echo \xff\xfe\n", "not UTF-8"),
        (b"FROM a:1\nRUN <<EOF\necho hi\n", "unterminated heredoc"),
        (b"# escape=x\nFROM a\n", "invalid escape"),
    ],
)
def test_unusable_input_raises_one_clear_error(data: bytes, fragment: str) -> None:
    with pytest.raises(DockerfileError) as info:
        parse(data, "Dockerfile")
    assert fragment in info.value.diagnostics()
    assert "\n" not in info.value.diagnostics()


def test_not_a_dockerfile_is_an_error() -> None:
    with pytest.raises(DockerfileError, match="unknown instruction"):
        parse(b"myhost\n", "hostname")
    with pytest.raises(DockerfileError, match="no FROM"):
        parse(b"# just a comment\nARG X=1\n", "Dockerfile")
