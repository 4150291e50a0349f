""".dockerignore matching: Docker's documented examples and moby/patternmatcher's vectors."""

from __future__ import annotations

import pytest

from hullguard.lint.dockerfile.dockerignore import (
    DockerignoreError,
    PatternMatcher,
    go_clean,
    read_patterns,
)


def excluded(dockerignore: str, path: str) -> bool:
    return PatternMatcher(read_patterns(dockerignore)).matches(path)


# docs.docker.com/build/concepts/context/#dockerignore-files
DOCS = "# comment\n*/temp*\n*/*/temp*\ntemp?\n"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("somedir/temporary.txt", True),
        ("somedir/temp", True),
        ("somedir/temp/inner/file", True),
        ("temporary.txt", False),
        ("somedir/subdir/temporary.txt", True),
        ("a/b/c/temporary.txt", False),
        ("tempa", True),
        ("tempb", True),
        ("temp", False),
        ("tempab", False),
        ("# comment", False),
    ],
)
def test_docs_example_wildcards(path: str, expected: bool) -> None:
    assert excluded(DOCS, path) is expected


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("**/*.go", "main.go", True),
        ("**/*.go", "cmd/app/main.go", True),
        ("**/*.go", "main.gox", False),
        # exceptions: later lines win
        ("*.md\n!README.md\n", "CHANGES.md", True),
        ("*.md\n!README.md\n", "README.md", False),
        ("*.md\n!README*.md\nREADME-secret.md\n", "README-secret.md", True),
        ("*.md\n!README*.md\nREADME-secret.md\n", "README-public.md", False),
        ("*.md\nREADME-secret.md\n!README*.md\n", "README-secret.md", False),
        # leading slash and filepath.Clean preprocessing
        ("/foo/bar\n", "foo/bar", True),
        ("foo/bar/\n", "foo/bar", True),
        ("foo/../bar\n", "bar", True),
        ("./secret.txt\n", "secret.txt", True),
        ("  .env  \n", ".env", True),
        # a matching parent directory excludes everything below it
        (".git\n", ".git/objects/ab/cdef", True),
        # `*` does not cross `/`; patterns are anchored at the context root
        ("*.pem\n", "certs/dev.pem", False),
        ("*.pem\n", "dev.pem", True),
        ("**\n!src\n", "src/main.go", False),
        ("**\n!src\n", "docs/x.md", True),
        ("\ufeff.env\n", ".env", True),
        ("#.env\n", ".env", False),
    ],
)
def test_docs_rules(text: str, path: str, expected: bool) -> None:
    assert excluded(text, path) is expected


# moby/patternmatcher TestMatches (single patterns), file paths are clean here
VECTORS = [
    ("**", "file", True),
    ("**", "dir/file", True),
    ("**/", "dir/file", True),
    ("**/**", "dir/file", True),
    ("dir/**", "dir/file", True),
    ("dir/**", "dir/dir2/file", True),
    ("**/dir", "dir", True),
    ("**/dir", "dir/file", True),
    ("**/dir2/*", "dir/dir2/file", True),
    ("**/dir2/**", "dir/dir2/dir3/file", True),
    ("**file", "file", True),
    ("**file", "dir/file", True),
    ("**/file", "dir/file", True),
    ("**file", "dir/dir/file", True),
    ("**/file*", "dir/dir/file.txt", True),
    ("**/file*txt", "dir/dir/file.txt", True),
    ("**/**/*.txt", "dir/dir/file.txt", True),
    ("**/**/*.txt2", "dir/dir/file.txt", False),
    ("**/*.txt", "file.txt", True),
    ("a**/*.txt", "a/file.txt", True),
    ("a**/*.txt", "a/dir/file.txt", True),
    ("a/*.txt", "a/dir/file.txt", False),
    ("a/*.txt", "a/file.txt", True),
    ("a/*.txt**", "a/file.txt", True),
    ("a[b-d]e", "ae", False),
    ("a[b-d]e", "ace", True),
    ("a[b-d]e", "aae", False),
    ("a[^b-d]e", "aze", True),
    (".*", ".foo", True),
    (".*", "foo", False),
    ("abc.def", "abcdef", False),
    ("abc.def", "abc.def", True),
    ("abc?def", "abcZdef", True),
    ("abc?def", "abcdef", False),
    ("**/foo/bar", "foo/bar", True),
    ("**/foo/bar", "dir/dir2/foo/bar", True),
    ("abc/**", "abc", False),
    ("abc/**", "abc/def/ghi", True),
    ("**/.foo", ".foo", True),
    ("**/.foo", "bar.foo", False),
    ("a(b)c/def", "a(b)c/def", True),
    ("a(b)c/def", "a(b)c/xyz", False),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", True),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True),
    ("a\\*b", "a*b", True),
    ("a\\*b", "azb", False),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), VECTORS)
def test_patternmatcher_vectors(pattern: str, path: str, expected: bool) -> None:
    assert PatternMatcher([pattern]).matches(path) is expected


def test_multi_pattern_vectors() -> None:
    assert not PatternMatcher(["**", "!util/docker/web"]).matches("util/docker/web/foo")
    assert PatternMatcher(["**", "!util/docker/web", "util/docker/web/foo"]).matches(
        "util/docker/web/foo"
    )


@pytest.mark.parametrize("pattern", ["!", "[", "a[b", "x\\"])
def test_bad_patterns_are_errors(pattern: str) -> None:
    with pytest.raises(DockerignoreError):
        PatternMatcher([pattern])


@pytest.mark.parametrize(
    ("path", "clean"),
    [
        ("", "."),
        ("a//b", "a/b"),
        ("/../a", "/a"),
        ("../a/..", ".."),
        ("a/./b/", "a/b"),
        ("//a", "/a"),
    ],
)
def test_go_clean(path: str, clean: str) -> None:
    assert go_clean(path) == clean


def test_read_patterns_normalises_like_docker() -> None:
    text = "\ufeff# c\n /abs/x \n!  /keep\n\n#x\n!tmp/../y\r\n"
    assert read_patterns(text) == ("abs/x", "!keep", "!y")
