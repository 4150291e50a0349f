"""The I/O side of ``hullguard audit``: read files, directories and stdin; write fixes.

Inputs are size-bounded (:class:`~hullguard.limits.Limits`). A file named on the
command line must be auditable or the run fails; inside a directory, files that
are not manifests (a ``package.json``, an unrendered Helm template) are skipped
with a note. Fixed files are written atomically (temp file + ``os.replace``).
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path
from typing import BinaryIO

from hullguard.audit.engine import audit_bytes
from hullguard.audit.interface import AuditOptions, AuditReport, FileResult
from hullguard.errors import AuditInputError
from hullguard.fsutil import write_text
from hullguard.limits import DEFAULT_LIMITS, Limits
from hullguard.progress import NULL_PROGRESS, Progress

STDIN = "-"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def read_bounded(stream: BinaryIO, name: str, limits: Limits) -> bytes:
    data = stream.read(limits.max_audit_file_bytes + 1)
    if len(data) > limits.max_audit_file_bytes:
        raise AuditInputError(
            f"{name}: larger than {limits.max_audit_file_bytes} bytes",
            hint="split the input or raise Limits.max_audit_file_bytes",
        )
    return data


def read_path(path: Path, limits: Limits) -> bytes:
    try:
        with path.open("rb") as fh:
            return read_bounded(fh, str(path), limits)
    except OSError as exc:
        raise AuditInputError(
            f"{path}: cannot read ({exc.strerror or exc})",
            hint="check the path and its permissions",
        ) from None


def manifest_files(root: Path, limits: Limits) -> list[Path]:
    """YAML/JSON files under ``root`` (hidden directories skipped), sorted."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(MANIFEST_SUFFIXES):
                found.append(Path(dirpath) / name)
                if len(found) > limits.max_audit_files:
                    raise AuditInputError(
                        f"{root}: more than {limits.max_audit_files} files",
                        hint="audit a smaller directory",
                    )
    return sorted(found)


def audit_inputs(
    targets: list[str],
    options: AuditOptions,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = NULL_PROGRESS,
    stdin: BinaryIO | None = None,
) -> AuditReport:
    """Audit every target (file, directory or ``-``) into one report."""
    results: list[FileResult] = []
    for target in targets:
        if target == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            results.append(audit_bytes(read_bounded(stream, STDIN, limits), STDIN, options))
            continue
        path = Path(target)
        if path.is_dir():
            results.extend(_audit_dir(path, options, limits, progress))
        else:
            results.append(audit_bytes(read_path(path, limits), target, options))
    for fr in results:
        for note in fr.notes:
            progress.warn(note)
    return AuditReport(options.profile, tuple(results))


def _audit_dir(
    root: Path, options: AuditOptions, limits: Limits, progress: Progress
) -> list[FileResult]:
    files = manifest_files(root, limits)
    progress.start("audit", len(files))
    out = []
    for path in files:
        try:
            out.append(audit_bytes(read_path(path, limits), str(path), options))
        except AuditInputError as exc:
            progress.warn(f"skipped {exc.diagnostics()}")
        progress.advance("audit", 1)
    progress.finish("audit")
    return out


def unified_diff(fr: FileResult) -> str:
    """The ``--diff`` text of one file (empty when the fix changed nothing)."""
    if not fr.changed or fr.fixed_text is None:
        return ""
    name = "stdin" if fr.path == STDIN else fr.path.lstrip("/")
    lines = difflib.unified_diff(
        fr.original_text.splitlines(keepends=True),
        fr.fixed_text.splitlines(keepends=True),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
    )
    return "".join(
        ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines
    )


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, keeping its permission bits."""
    write_text(path, text)


def write_fixes(report: AuditReport) -> list[str]:
    """Write every changed file in place (stdin excluded); return the paths written."""
    written = []
    for fr in report.files:
        if fr.changed and fr.fixed_text is not None and fr.path != STDIN:
            write_atomic(Path(fr.path), fr.fixed_text)
            written.append(fr.path)
    return written
