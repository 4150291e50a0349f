"""The "add a non-root USER" fix, applied only where it cannot break the image.

Safe means: a Linux image (no Windows escape directive or base), no privileged
port exposed (a non-root process cannot bind below 1024), and the USER goes
after the last build step (RUN/COPY/ADD/WORKDIR) so those still run as root;
only the runtime user changes. The numeric uid 65532 works without an
/etc/passwd entry and is distroless's ``nonroot`` user; numeric ids also let
Kubernetes verify ``runAsNonRoot``.
"""

from __future__ import annotations

from hullguard.lint.dockerfile.model import Dockerfile, Instruction, Stage
from hullguard.lint.interface import Fix, TextEdit

NONROOT_UID = "65532:65532"
_BUILD_STEPS = frozenset({"FROM", "RUN", "COPY", "ADD", "WORKDIR", "ARG", "ENV", "SHELL"})


def _privileged_port(instr: Instruction) -> bool:
    for arg in instr.args:
        for port in arg.split():
            number = port.split("/")[0].split("-")[0]
            if not number.isdigit() or int(number) < 1024:
                return True
    return False


def _windows(df: Dockerfile, stage: Stage) -> bool:
    ref = stage.ref
    return df.escape == "`" or (ref is not None and "windows" in ref.name)


def add_user_fix(df: Dockerfile, stage: Stage) -> Fix | None:
    """Insert ``USER 65532:65532`` after the final stage's last build step, when safe."""
    if _windows(df, stage):
        return None
    if any(i.keyword == "EXPOSE" and _privileged_port(i) for i in stage.instructions):
        return None
    anchor = [i for i in stage.instructions if i.keyword in _BUILD_STEPS][-1]
    indent = " " * (stage.from_instruction.column - 1)
    text = (
        f"{indent}# run as an unprivileged user (65532 is distroless's nonroot)\n"
        f"{indent}USER {NONROOT_UID}\n"
    )
    return Fix(
        description=f"add USER {NONROOT_UID} to the final stage",
        edits=(TextEdit(anchor.end_line + 1, anchor.end_line, text),),
    )
