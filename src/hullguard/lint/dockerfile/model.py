"""Value types of a parsed Dockerfile: instructions, flags, heredocs, stages, image refs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flag:
    """One ``--name=value`` flag of an instruction (``--mount`` may repeat)."""

    name: str
    value: str


@dataclass(frozen=True)
class Heredoc:
    """A here-document attached to RUN/COPY/ADD (``<<EOF`` ... ``EOF``)."""

    name: str
    content: str
    #: ``<<-EOF``: leading tabs stripped from each line
    chomp: bool
    #: unquoted delimiter: variables in the body are expanded
    expand: bool


@dataclass(frozen=True)
class Instruction:
    """One instruction with its exact position in the source."""

    keyword: str
    #: arguments after flags, as BuildKit's parser splits them
    args: tuple[str, ...]
    line: int
    end_line: int
    column: int
    #: JSON (exec) form: ``CMD ["a", "b"]``
    json: bool
    flags: tuple[Flag, ...]
    #: the instruction text with continuations joined (comments removed)
    original: str
    heredocs: tuple[Heredoc, ...] = ()
    #: keyword of the wrapped instruction for ``ONBUILD``
    sub_keyword: str = ""
    #: index of the stage it belongs to; -1 for ARGs before the first FROM
    stage: int = -1

    def flag(self, name: str) -> str | None:
        """Value of the last flag called ``name`` (BuildKit keeps the last), if any."""
        found = [f.value for f in self.flags if f.name == name]
        return found[-1] if found else None

    def flag_values(self, name: str) -> tuple[str, ...]:
        """Every value of a repeatable flag such as ``--mount``."""
        return tuple(f.value for f in self.flags if f.name == name)

    @property
    def text(self) -> str:
        """Arguments joined back into one string (the shell form command line)."""
        return " ".join(self.args)

    @property
    def script(self) -> str:
        """What a RUN executes: the shell command plus any heredoc bodies."""
        bodies = [h.content for h in self.heredocs]
        return "\n".join([self.text, *bodies]) if bodies else self.text


@dataclass(frozen=True)
class ImageRef:
    """A normalised image reference (``docker.io/library/alpine:3.19@sha256:...``)."""

    raw: str
    registry: str
    repository: str
    tag: str
    digest: str

    @property
    def name(self) -> str:
        """``registry/repository`` without tag or digest."""
        return f"{self.registry}/{self.repository}"

    @property
    def is_scratch(self) -> bool:
        return self.raw == "scratch"

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


@dataclass(frozen=True)
class Stage:
    """One build stage: its FROM, name and instructions."""

    index: int
    name: str
    #: the FROM argument as written
    base_raw: str
    #: the FROM argument after ARG substitution
    base: str
    #: parsed image reference; None for ``scratch``-less stage refs or unresolvable ARGs
    ref: ImageRef | None
    #: index of an earlier stage used as base (``FROM build AS test``)
    base_stage: int | None
    #: False when an ARG in FROM had no value (base unknown)
    resolved: bool
    platform: str
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile: source lines, directives, instructions and stages."""

    path: str
    lines: tuple[str, ...]
    directives: tuple[tuple[str, str], ...]
    escape: str
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    #: ARGs declared before the first FROM, with defaults after substitution
    global_args: tuple[tuple[str, str | None], ...]
    #: line -> rule names ignored for the instruction starting there
    ignores: tuple[tuple[int, tuple[str, ...]], ...]
    #: rule names ignored for the whole file
    global_ignores: tuple[str, ...]

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def directive(self, name: str) -> str | None:
        """Value of a parser directive (``syntax``, ``escape``, ``check``), if present."""
        for key, value in self.directives:
            if key == name:
                return value
        return None

    def stage_by_name(self, name: str) -> Stage | None:
        """The stage called ``name`` (case-insensitive, like BuildKit)."""
        for stage in self.stages:
            if stage.name and stage.name.lower() == name.lower():
                return stage
        return None
