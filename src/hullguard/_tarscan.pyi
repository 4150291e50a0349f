from typing import Any

def scan(
    buf: bytes,
    pos: int,
    max_entries: int,
    max_path_bytes: int,
    types: tuple[Any, ...],
    rows: bool,
    /,
) -> tuple[list[Any], int, int]: ...
