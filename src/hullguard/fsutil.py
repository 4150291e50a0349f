"""Writing reports and fixed files safely.

Regular files are written atomically (temp file in the same directory, then
``os.replace``), so a crash never leaves half a report. A target that exists
and is not a regular file (``/dev/null``, ``/dev/stdout``, a FIFO) is written
in place instead: replacing it would swap a device node for a plain file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from hullguard.errors import UsageError


def write_text(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (or in place for devices and pipes)."""
    target = Path(path)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from None
    try:
        if mode is not None and not stat.S_ISREG(mode):
            with target.open("w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            return
        parent = target.parent if str(target.parent) else Path()
        if not parent.is_dir():
            raise UsageError(f"cannot write {target}: no such directory", hint="create it first")
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            if mode is not None:
                Path(tmp).chmod(stat.S_IMODE(mode))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from None
