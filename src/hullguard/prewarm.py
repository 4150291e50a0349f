"""Imports a command needs after the layer walk, done while the layer workers read.

When layers are read in worker processes the parent waits, idle, for a second
or more. What a command needs only after the walk and that does not depend on
the layers (the SBOM renderer and its licence index, the catalogers' parsers,
the vulnerability matcher) costs one idle core when imported before the walk
(nothing else runs yet) or after it (the workers are done): imported while the
workers run, it shares both cores with them, and the command ends sooner.

Commands name those modules with :func:`soon`; :func:`run_pending` imports them
once the workers are started (:mod:`hullguard.image.parallel`). Without a pool
nothing is imported early: modules are imported where they are used, as always.
Only imports are deferred here, never work with effects, so a module that fails
to import fails again, with its own error handling, where it is used.
"""

from __future__ import annotations

import importlib

#: module names to import while the workers run (a dict: ordered, each name once)
_PENDING: dict[str, None] = {}


def soon(*modules: str) -> None:
    """Import ``modules`` while layer workers run, if any run in this command."""
    for name in modules:
        _PENDING[name] = None


def pending() -> tuple[str, ...]:
    """Module names not imported yet (for tests)."""
    return tuple(_PENDING)


def run_pending() -> None:
    """Import every pending module (called by the parent once its workers are started)."""
    while _PENDING:
        name = next(iter(_PENDING))
        del _PENDING[name]
        try:
            importlib.import_module(name)
        except ImportError:  # raised again, and handled, where the module is really used
            continue
