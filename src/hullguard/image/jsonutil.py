"""Strict, bounded JSON parsing for untrusted manifests and configs."""

from __future__ import annotations

import json
from typing import Any

from hullguard.errors import LimitExceeded, MalformedImage


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise MalformedImage(f"duplicate JSON key {key!r}")
        out[key] = value
    return out


def load_object(data: bytes, what: str, max_bytes: int) -> dict[str, Any]:
    """Parse a JSON object, refusing oversize input, bad encoding and duplicate keys."""
    if len(data) > max_bytes:
        raise LimitExceeded(f"{what}: {len(data)} bytes exceeds the {max_bytes} byte limit")
    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except MalformedImage as exc:
        raise MalformedImage(f"{what}: {exc.message}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise MalformedImage(
            f"{what}: not valid JSON ({exc})", hint="the image is corrupt"
        ) from None
    if not isinstance(value, dict):
        raise MalformedImage(f"{what}: expected a JSON object")
    return value


def get_str(obj: dict[str, Any], key: str, what: str, default: str = "") -> str:
    value = obj.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise MalformedImage(f"{what}: field {key!r} must be a string")
    return value


def get_int(obj: dict[str, Any], key: str, what: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MalformedImage(f"{what}: field {key!r} must be a non-negative integer")
    return value


def get_list(obj: dict[str, Any], key: str, what: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedImage(f"{what}: field {key!r} must be a list")
    return value


def get_obj(obj: dict[str, Any], key: str, what: str) -> dict[str, Any]:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedImage(f"{what}: field {key!r} must be an object")
    return value
