"""Remote content rules: ADD of URLs, piping downloads into a shell, ADD vs COPY."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullguard.lint.dockerfile.model import Dockerfile, Instruction
from hullguard.lint.dockerfile.rules.framework import Hit, LintContext, rule, runs
from hullguard.lint.interface import Severity

_URL = re.compile(r"^(?:https?|ftp)://", re.I)
_GIT = re.compile(r"^(?:git@|git://|https?://\S+\.git(?:#\S*)?$)", re.I)
_ARCHIVE_SUFFIXES = (
    ".tar",
    ".Z",
    ".bz2",
    ".gz",
    ".lz",
    ".lzma",
    ".tZ",
    ".tb2",
    ".tbz",
    ".tbz2",
    ".tgz",
    ".tlz",
    ".tpz",
    ".txz",
    ".xz",
)
_DOWNLOADERS = frozenset({"curl", "wget"})
_INTERPRETERS = frozenset(
    {"sh", "bash", "ash", "dash", "zsh", "ksh", "python", "python3", "perl", "ruby", "node", "php"}
)
_SUBSHELL_FETCH = re.compile(r"(?:\$\(|`|<\()\s*(?:curl|wget)\b")


def _adds(df: Dockerfile) -> Iterator[Instruction]:
    for instr in df.instructions:
        if instr.keyword == "ADD" and not instr.heredocs:
            yield instr


@rule(
    "HGD030",
    "add-remote-url",
    Severity.MEDIUM,
    "ADD downloads a URL without `--checksum`: the content is not verified.",
    tags=("supply-chain",),
)
def add_url(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr in _adds(df):
        sources = instr.args[:-1]
        remote = [s for s in sources if _URL.match(s) or _GIT.match(s)]
        if remote and not instr.flag("checksum"):
            yield Hit.at(
                instr,
                f"ADD {remote[0]} is not verified: add `--checksum=sha256:<hash>` or download "
                "with curl and check the hash in the same RUN.",
            )


@rule(
    "HGD031",
    "curl-pipe-shell",
    Severity.HIGH,
    "A downloaded script is piped straight into an interpreter (`curl ... | sh`).",
    tags=("supply-chain",),
)
def curl_pipe_shell(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr, script in runs(df):
        piped = any(
            any(c.name in _DOWNLOADERS for c in group[:-1]) and group[-1].name in _INTERPRETERS
            for group in script.pipelines()
            if len(group) > 1
        )
        fetched = any(
            c.name in _INTERPRETERS and _SUBSHELL_FETCH.search(" ".join(c.args))
            for c in script.unwrapped()
        ) or bool(re.search(r"\b(?:sh|bash)\s+(?:-\w+\s+)*<\(\s*(?:curl|wget)", instr.script))
        if piped or fetched:
            yield Hit.at(
                instr,
                "Do not pipe a download into a shell: download to a file, verify its sha256 "
                "checksum or signature, then run it.",
            )


@rule(
    "HGD032",
    "add-instead-of-copy",
    Severity.LOW,
    "ADD used for local files: COPY is explicit and does no implicit extraction.",
    aliases=("DL3020",),
    tags=("best-practice",),
)
def add_for_files(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for instr in _adds(df):
        sources = instr.args[:-1]
        local = [s for s in sources if not (_URL.match(s) or _GIT.match(s))]
        if local and not all(s.strip("\"'").endswith(_ARCHIVE_SUFFIXES) for s in local):
            yield Hit.at(instr, "Use COPY instead of ADD for files and folders.")
