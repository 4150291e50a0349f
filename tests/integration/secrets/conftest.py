"""Fixtures for the secret scanner's real-data tests (fake values: unit/secrets/secret_fakes.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "secrets"))
