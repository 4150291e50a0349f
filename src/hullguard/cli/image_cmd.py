"""``hullguard image``: inspect an image and list its files layer by layer."""

from __future__ import annotations

import click


@click.group(name="image")
def image() -> None:
    """Inspect an image: config, layers, files (including deleted ones)."""
