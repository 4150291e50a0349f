"""Parse an image config JSON into :class:`~hullguard.model.image.ImageConfig`."""

from __future__ import annotations

from typing import Any

from hullguard.errors import MalformedImage, ReferenceError_
from hullguard.image.jsonutil import get_list, get_obj, get_str
from hullguard.image.reference import validate_digest
from hullguard.model.image import Digest, HistoryEntry, ImageConfig


def _str_tuple(value: Any, what: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):  # some tools write a bare string
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MalformedImage(f"{what}: expected a list of strings")
    return tuple(value)


def _keys(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise MalformedImage(f"{what}: expected an object")
    return tuple(sorted(str(k) for k in value))


def parse_config(doc: dict[str, Any], what: str) -> ImageConfig:
    """Turn a parsed config object into the model, validating types as it goes."""
    cfg = get_obj(doc, "config", what) or get_obj(doc, "container_config", what)
    labels = get_obj(cfg, "Labels", what)
    rootfs = get_obj(doc, "rootfs", what)
    try:
        diff_ids = tuple(
            Digest(validate_digest(str(d))) for d in get_list(rootfs, "diff_ids", what)
        )
    except ReferenceError_ as exc:
        raise MalformedImage(f"{what}: bad diff_id ({exc.message})") from None
    history = []
    for item in get_list(doc, "history", what):
        if not isinstance(item, dict):
            raise MalformedImage(f"{what}: history entries must be objects")
        history.append(
            HistoryEntry(
                created=get_str(item, "created", what),
                created_by=get_str(item, "created_by", what),
                author=get_str(item, "author", what),
                comment=get_str(item, "comment", what),
                empty_layer=bool(item.get("empty_layer", False)),
            )
        )
    return ImageConfig(
        os=get_str(doc, "os", what),
        architecture=get_str(doc, "architecture", what),
        variant=get_str(doc, "variant", what),
        created=get_str(doc, "created", what),
        author=get_str(doc, "author", what),
        user=get_str(cfg, "User", what),
        entrypoint=_str_tuple(cfg.get("Entrypoint"), f"{what} Entrypoint"),
        cmd=_str_tuple(cfg.get("Cmd"), f"{what} Cmd"),
        env=_str_tuple(cfg.get("Env"), f"{what} Env") or (),
        working_dir=get_str(cfg, "WorkingDir", what),
        exposed_ports=_keys(cfg.get("ExposedPorts"), f"{what} ExposedPorts"),
        volumes=_keys(cfg.get("Volumes"), f"{what} Volumes"),
        labels=tuple(sorted((str(k), str(v)) for k, v in labels.items())),
        on_build=_str_tuple(cfg.get("OnBuild"), f"{what} OnBuild") or (),
        stop_signal=get_str(cfg, "StopSignal", what),
        diff_ids=diff_ids,
        history=tuple(history),
    )


def layer_history(config: ImageConfig) -> list[HistoryEntry | None]:
    """History step for each layer (non-empty history entries map to layers in order)."""
    steps = [h for h in config.history if not h.empty_layer]
    out: list[HistoryEntry | None] = list(steps[: len(config.diff_ids)])
    out.extend([None] * (len(config.diff_ids) - len(out)))
    return out
