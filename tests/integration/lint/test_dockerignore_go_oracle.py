"""Compare the .dockerignore matcher with the Go original (moby/patternmatcher).

Debian ships the Go source (golang-github-moby-patternmatcher-dev); a tiny Go
program built against it answers the same queries. Runs when Go and the source
are installed (Makefile APT_PACKAGES), otherwise skips with the reason.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from hullguard.lint.dockerfile.dockerignore import DockerignoreError, PatternMatcher

GOPATH = Path("/usr/share/gocode")
SOURCE = GOPATH / "src/github.com/moby/patternmatcher"

PROGRAM = r"""
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/moby/patternmatcher"
)

func main() {
	var patterns []string
	var pm *patternmatcher.PatternMatcher
	var bad bool
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		kind, rest := line[:1], line[2:]
		switch kind {
		case "R":
			patterns, pm, bad = nil, nil, false
		case "P":
			patterns = append(patterns, rest)
		case "F":
			if pm == nil && !bad {
				var err error
				pm, err = patternmatcher.New(patterns)
				bad = err != nil
			}
			if bad {
				fmt.Println("E")
				continue
			}
			ok, err := pm.MatchesOrParentMatches(rest)
			switch {
			case err != nil:
				// a pattern failed to compile: Docker stops the build here, and
				// patternmatcher 0.5 would crash on a second call
				bad = true
				fmt.Println("E")
			case ok:
				fmt.Println("1")
			default:
				fmt.Println("0")
			}
		}
	}
}
"""

PIECES = ["a", "b", "ab", ".x", "*", "**", "?", "[a-b]", "[^a]", "\\*", ".", "..", "x.txt"]
# malformed patterns are left to the unit tests: which of them Go rejects up front
# depends on the Go version Docker was built with (filepath.Match changed in 1.20)
NAMES = ["a", "b", "ab", ".x", "x.txt", "a.txt", "*", "bb", "aa.x"]


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None or not SOURCE.is_dir():
        pytest.skip("needs golang-go and golang-github-moby-patternmatcher-dev (make apt)")
    work = tmp_path_factory.mktemp("pm")
    (work / "main.go").write_text(PROGRAM)
    env = {
        **os.environ,
        "GOPATH": str(GOPATH),
        "GO111MODULE": "off",
        "GOCACHE": str(work / "cache"),
        "GOFLAGS": "",
    }
    subprocess.run([go, "build", "-o", str(work / "pm"), "main.go"], cwd=work, env=env, check=True)
    return work / "pm"


def _cases() -> list[tuple[list[str], list[str]]]:
    rng = random.Random(20241128)
    cases: list[tuple[list[str], list[str]]] = []
    for _ in range(400):
        patterns = []
        for _ in range(rng.randint(1, 3)):
            parts = [rng.choice(PIECES) for _ in range(rng.randint(1, 3))]
            text = "/".join(parts) if rng.random() < 0.7 else "".join(parts)
            patterns.append(("!" if rng.random() < 0.25 else "") + text)
        paths = ["/".join(rng.choice(NAMES) for _ in range(rng.randint(1, 4))) for _ in range(8)]
        cases.append((patterns, paths))
    return cases


def _ours(patterns: list[str], paths: list[str]) -> list[str]:
    try:
        matcher = PatternMatcher(patterns)
    except DockerignoreError:
        return ["E"] * len(paths)
    return ["1" if matcher.matches(p) else "0" for p in paths]


def test_matches_go_patternmatcher(oracle: Path) -> None:
    cases = _cases()
    script = []
    for patterns, paths in cases:
        script.append("R -")
        script.extend(f"P {p}" for p in patterns)
        script.extend(f"F {p}" for p in paths)
    proc = subprocess.run(
        [str(oracle)], input="\n".join(script) + "\n", capture_output=True, text=True, check=True
    )
    assert set(proc.stdout.split()) == {"0", "1"}  # both outcomes are exercised
    answers = iter(proc.stdout.split())
    mismatches = []
    for patterns, paths in cases:
        theirs = [next(answers) for _ in paths]
        ours = _ours(patterns, paths)
        mismatches.extend(
            (patterns, path, t, o) for path, t, o in zip(paths, theirs, ours, strict=True) if t != o
        )
    assert mismatches == []
