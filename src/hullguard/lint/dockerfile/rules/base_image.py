"""Base image rules: tag, digest pinning, trusted sources, minimal bases credited."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.lint.dockerfile.model import Dockerfile, ImageRef, Stage
from hullguard.lint.dockerfile.rules.framework import Hit, LintContext, rule
from hullguard.lint.interface import Severity


def image_stages(df: Dockerfile) -> Iterator[tuple[Stage, ImageRef]]:
    """Stages built FROM a registry image (not scratch, not an earlier stage)."""
    for stage in df.stages:
        if stage.base_stage is None and stage.ref is not None and not stage.ref.is_scratch:
            yield stage, stage.ref


@rule(
    "HGD001",
    "base-image-untagged",
    Severity.MEDIUM,
    "Base image has no tag: it silently follows `latest`.",
    aliases=("DL3006",),
    tags=("base-image",),
)
def untagged(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for stage, ref in image_stages(df):
        if not ref.tag and not ref.digest:
            yield Hit.at(
                stage.from_instruction,
                f"Base image {stage.base} has no tag: pin a version, e.g. "
                f"`{stage.base}:<version>@sha256:<digest>`.",
            )


@rule(
    "HGD002",
    "base-image-latest",
    Severity.MEDIUM,
    "Base image uses the `latest` tag.",
    aliases=("DL3007",),
    tags=("base-image",),
)
def latest(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for stage, ref in image_stages(df):
        if ref.tag == "latest" and not ref.digest:
            yield Hit.at(
                stage.from_instruction,
                f"Base image {stage.base} uses `latest`: pin a release tag and its digest.",
            )


@rule(
    "HGD003",
    "base-image-not-pinned",
    Severity.LOW,
    "Base image tag is not pinned to a digest (`tag@sha256:...`).",
    tags=("base-image", "supply-chain"),
)
def not_pinned(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    for stage, ref in image_stages(df):
        if ref.tag and ref.tag != "latest" and not ref.digest:
            yield Hit.at(
                stage.from_instruction,
                f"Base image {stage.base} is not pinned: use `{stage.base}@sha256:<digest>` "
                "(`hullguard lint --fix --pin-map FILE` writes it).",
            )


def normalise_prefix(prefix: str) -> str:
    """``myorg`` -> ``docker.io/myorg``; ``ghcr.io/org/`` -> ``ghcr.io/org``."""
    text = prefix.strip().strip("/").lower()
    first = text.split("/", 1)[0]
    if "." in first or ":" in first or first == "localhost":
        return "docker.io" + text[len(first) :] if first == "index.docker.io" else text
    return f"docker.io/{text}"


def is_trusted(ref: ImageRef, prefixes: tuple[str, ...]) -> bool:
    """True when ``ref`` lives under one of the trusted registry/namespace prefixes."""
    name = ref.name.lower()
    for prefix in prefixes:
        norm = normalise_prefix(prefix)
        if name == norm or name.startswith(norm + "/"):
            return True
    return False


@rule(
    "HGD004",
    "base-image-untrusted",
    Severity.HIGH,
    "Base image comes from a registry or namespace outside the trusted list.",
    aliases=("DL3026",),
    tags=("base-image", "supply-chain"),
)
def untrusted(df: Dockerfile, ctx: LintContext) -> Iterator[Hit]:
    for stage, ref in image_stages(df):
        if not is_trusted(ref, ctx.trusted):
            yield Hit.at(
                stage.from_instruction,
                f"Base image {ref.name} is not from a trusted source: use an official or "
                "vendor image, or add its registry/namespace with --trusted-registry.",
            )


def minimal_kind(stage: Stage) -> str:
    """``distroless``/``scratch``/``minimal`` for bases without shell or package manager."""
    ref = stage.ref
    if ref is None:
        return ""
    if ref.is_scratch:
        return "scratch (empty)"
    name, tag = ref.name, ref.tag
    if name.startswith(("gcr.io/distroless/", "cgr.dev/chainguard/")):
        return "distroless"
    if "chiseled" in tag or "distroless" in tag or "distroless" in name:
        return "distroless"
    if name.endswith(("/ubi-micro", "/ubi-minimal")) or name in (
        "docker.io/library/alpine",
        "docker.io/library/busybox",
    ):
        return "minimal"
    return ""


@rule(
    "HGD005",
    "base-image-minimal",
    Severity.INFO,
    "Final stage uses a distroless or minimal base (credited).",
    tags=("base-image",),
)
def minimal(df: Dockerfile, _: LintContext) -> Iterator[Hit]:
    final = df.final_stage
    if final is None or final.base_stage is not None:
        return
    kind = minimal_kind(final)
    if kind:
        yield Hit.at(
            final.from_instruction,
            f"Good: final stage is built on a {kind} base ({final.base}), "
            "a small attack surface; keep it.",
        )
