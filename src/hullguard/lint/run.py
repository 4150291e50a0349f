"""Lint orchestrator: reads the Dockerfile, context, .dockerignore and config, then
calls the sans-I/O parser, rules and fixer. The CLI and other callers use this.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.fsutil import write_text
from hullguard.lint.config import LintConfig, parse_config
from hullguard.lint.dockerfile.dockerignore import read_patterns
from hullguard.lint.dockerfile.parser import DockerfileError, parse
from hullguard.lint.dockerfile.pinning import DigestResolver, pin_fixes
from hullguard.lint.dockerfile.rules.framework import DEFAULT_TRUSTED, LintContext
from hullguard.lint.dockerfile.ruleset import DOCKERFILE_RULES
from hullguard.lint.engine import LintResult, lint_dockerfile
from hullguard.lint.fix import FixOutcome, apply_fixes
from hullguard.lint.interface import Fix, LintError, LintUsageError, RuleId
from hullguard.progress import NULL_PROGRESS, Progress

MAX_DOCKERFILE_BYTES = 4 * 1024 * 1024
MAX_CONTEXT_FILES = 200_000
_FOREIGN_PREFIXES = ("DL", "SC")


@dataclass(frozen=True)
class LintOptions:
    """What to lint and how (already validated by the CLI)."""

    dockerfile: Path
    context: Path | None = None
    config: LintConfig = field(default_factory=LintConfig)
    ignore: tuple[str, ...] = ()
    trusted: tuple[str, ...] = ()
    build_args: tuple[tuple[str, str], ...] = ()


def read_text_file(path: Path, what: str, limit: int = MAX_DOCKERFILE_BYTES) -> bytes:
    """Bytes of a user-given file, with usage errors for missing or oversized files."""
    if not path.exists():
        raise LintUsageError(f"{what} {path} does not exist", hint="check the path")
    if not path.is_file():
        raise LintUsageError(f"{what} {path} is not a regular file")
    try:
        size = path.stat().st_size
        if size > limit:
            raise LintError(f"{what} {path} is {size} bytes, over the {limit}-byte limit")
        return path.read_bytes()
    except OSError as exc:
        raise LintError(f"cannot read {what} {path}: {exc.strerror}") from None


def load_config(path: Path | None) -> LintConfig:
    """The lint section of ``path``; defaults when no file is given."""
    if path is None:
        return LintConfig()
    data = read_text_file(path, "config file")
    return parse_config(data.decode("utf-8", errors="replace"), str(path))


def list_context(root: Path, progress: Progress = NULL_PROGRESS) -> tuple[str, ...]:
    """Every file under ``root`` as a relative POSIX path (symlinks not followed)."""
    if not root.is_dir():
        raise LintUsageError(f"build context {root} is not a directory")
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        found.extend(prefix + name for name in filenames)
        found.extend(prefix + d for d in dirnames if (Path(dirpath) / d).is_symlink())
        if len(found) > MAX_CONTEXT_FILES:
            progress.warn(f"build context has over {MAX_CONTEXT_FILES} files; listing truncated")
            break
    return tuple(sorted(found))


def read_dockerignore(dockerfile: Path, context: Path) -> tuple[tuple[str, ...] | None, str]:
    """Patterns in force: ``<Dockerfile>.dockerignore`` wins over ``<context>/.dockerignore``."""
    for candidate in (
        dockerfile.with_name(dockerfile.name + ".dockerignore"),
        context / ".dockerignore",
    ):
        if candidate.is_file():
            data = read_text_file(candidate, ".dockerignore")
            return read_patterns(data.decode("utf-8", errors="replace")), str(candidate)
    return None, str(context / ".dockerignore")


def resolve_ignores(names: tuple[str, ...]) -> frozenset[RuleId]:
    """Rule ids to ignore; hadolint/shellcheck codes hullguard lacks are accepted silently."""
    known = tuple(
        n
        for n in names
        if DOCKERFILE_RULES.resolve(n) or not n.upper().startswith(_FOREIGN_PREFIXES)
    )
    return DOCKERFILE_RULES.resolve_all(known)


def build_context(options: LintOptions, progress: Progress = NULL_PROGRESS) -> LintContext:
    """The sans-I/O context for rules: trusted list, context files, .dockerignore."""
    config = options.config
    base = () if config.replace_default_trusted else DEFAULT_TRUSTED
    trusted = tuple(dict.fromkeys((*base, *config.trusted, *options.trusted)))
    if options.context is None:
        return LintContext(trusted=trusted)
    files = list_context(options.context, progress)
    patterns, name = read_dockerignore(options.dockerfile, options.context)
    return LintContext(
        trusted=trusted, context_files=files, dockerignore=patterns, dockerignore_name=name
    )


def lint_path(options: LintOptions, progress: Progress = NULL_PROGRESS) -> tuple[bytes, LintResult]:
    """Read and lint one Dockerfile; returns its bytes and the result."""
    data = read_text_file(options.dockerfile, "Dockerfile")
    df = parse(data, str(options.dockerfile), dict(options.build_args))
    ignored = resolve_ignores((*options.config.ignore, *options.ignore))
    return data, lint_dockerfile(df, build_context(options, progress), ignored)


@dataclass(frozen=True)
class FixReport:
    """What ``--fix`` did."""

    before: str
    outcome: FixOutcome
    unresolved: tuple[str, ...]


def plan_fixes(
    data: bytes, result: LintResult, options: LintOptions, resolver: DigestResolver | None
) -> FixReport:
    """Apply the findings' fixes (and digest pins when a resolver is given) in memory."""
    df = parse(data, str(options.dockerfile), dict(options.build_args))
    fixes: list[Fix] = [f.fix for f in result.active if f.fix is not None]
    unresolved: list[str] = []
    if resolver is not None:
        pins, unresolved = pin_fixes(df, resolver)
        fixes = pins + fixes
    before = data.decode("utf-8").removeprefix("\ufeff")
    outcome = apply_fixes(before, fixes, valid=_parses)
    return FixReport(before, outcome, tuple(unresolved))


def _parses(text: str) -> bool:
    try:
        parse(text.encode("utf-8"))
    except DockerfileError:
        return False
    return True


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, keeping its permission bits."""
    write_text(path, text)
