"""Registry of command families. Each family lives in its own module."""

from __future__ import annotations

import importlib

import click

#: module path -> attribute holding a click command or group
_FAMILIES: dict[str, str] = {
    "hullguard.cli.image_cmd": "image",
    "hullguard.cli.audit_cmd": "audit",
    "hullguard.cli.lint_cmd": "lint",
    "hullguard.cli.sbom_cmd": "sbom",
    "hullguard.cli.scan_cmd": "scan",
    "hullguard.cli.db_cmd": "db",
    "hullguard.cli.sign_cmd": "SIGN_COMMANDS",
    "hullguard.cli.provenance_cmd": "SUPPLY_COMMANDS",
    "hullguard.cli.gate_cmd": "gate",
    "hullguard.cli.serve_cmd": "serve",
    "hullguard.cli.inventory_cmd": "inventory",
    "hullguard.cli.worker_cmd": "worker",
    "hullguard.cli.placeholders": "PLACEHOLDERS",
}


def command_for(name: str) -> click.Command | None:
    """Import only the module of command ``name`` when its module is named after it."""
    for module_name, attr in _FAMILIES.items():
        if attr == name or module_name.endswith(f".{name.replace('-', '_')}_cmd"):
            value = getattr(importlib.import_module(module_name), attr)
            if isinstance(value, click.Command) and value.name == name:
                return value
    return None


def all_commands() -> list[click.Command]:
    """Every top-level command, in the order ``--help`` shows them."""
    out: list[click.Command] = []
    for module_name, attr in _FAMILIES.items():
        module = importlib.import_module(module_name)
        value = getattr(module, attr)
        if isinstance(value, click.Command):
            out.append(value)
        else:
            out.extend(value)
    return out
