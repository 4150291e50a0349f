"""The Dockerfile rule set: importing this module registers every Dockerfile rule."""

from __future__ import annotations

from hullguard.lint.dockerfile.rules import (  # noqa: F401  (imported to register)
    base_image,
    context,
    instructions,
    packages,
    remote,
    secrets,
    user,
)
from hullguard.lint.dockerfile.rules.framework import DOCKERFILE_RULES

__all__ = ["DOCKERFILE_RULES"]
