"""Field-level helpers of the tar reader: numbers, strings, PAX records, path checks.

Pure functions over header bytes and strings (no stream state); used by
:mod:`hullguard.image.tarstream`. The C accelerator (``hullguard._tarscan``)
mirrors :func:`normalise_member_path` and :func:`check_symlink` for the inputs
they accept without raising and leaves every other input to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hullguard.errors import LimitExceeded, MalformedImage, UnsafeImage
from hullguard.limits import Limits


def number(field_bytes: bytes, what: str) -> int:
    """Parse an octal (or GNU base-256) numeric header field."""
    try:  # fast path: plain "0000644\0" / "0000644 "
        return int(field_bytes.rstrip(b"\x00 ") or b"0", 8)
    except ValueError:
        pass
    if field_bytes and field_bytes[0] & 0x80:
        value = int.from_bytes(field_bytes[1:], "big")
        return -value if field_bytes[0] & 0x40 else value
    text = field_bytes.split(b"\x00", 1)[0].strip(b" \x00")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise MalformedImage(f"{what}: corrupt tar header (not a tar layer?)") from None


def normalise_member_path(name: str, what: str, limits: Limits) -> str:
    """Return ``/``-rooted normalised path; raise on traversal or absolute names."""
    if (
        len(name) < 256
        and name[:1] not in ("/", ".")
        and "/." not in name
        and "//" not in name
        and "\x00" not in name
    ):  # fast path: already clean and relative (the common case)
        return "/" + name.rstrip("/") if name.rstrip("/") else "/"
    if len(name.encode("utf-8", "surrogateescape")) > limits.max_path_bytes:
        raise LimitExceeded(f"{what}: tar entry path longer than {limits.max_path_bytes} bytes")
    if "\x00" in name:
        raise UnsafeImage(f"{what}: tar entry path contains a NUL byte")
    if name.startswith("/"):
        raise UnsafeImage(
            f"{what}: tar entry {name!r} has an absolute path",
            hint="layer tars must hold relative paths; the image is malformed or hostile",
        )
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeImage(
            f"{what}: tar entry {name!r} escapes the image root with '..'",
            hint="the image is malformed or hostile; do not extract it",
        )
    return "/" + "/".join(parts)


def check_symlink(path: str, target: str, what: str) -> None:
    """Reject relative symlinks whose target climbs above the image root."""
    if not target:
        raise MalformedImage(f"{what}: symlink {path!r} has an empty target")
    if target.startswith("/"):
        return  # absolute targets resolve inside the image root by definition
    depth = path.count("/") - 1  # directories above the link's own name
    for part in target.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                raise UnsafeImage(
                    f"{what}: symlink {path!r} -> {target!r} points outside the image root",
                    hint="the image is malformed or hostile; do not extract it",
                )
        elif part not in ("", "."):
            depth += 1


def parse_pax(data: bytes, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        if data[pos] == 0:
            break
        space = data.find(b" ", pos)
        if space < 0:
            raise MalformedImage(f"{what}: malformed PAX header")
        try:
            length = int(data[pos:space])
        except ValueError:
            raise MalformedImage(f"{what}: malformed PAX record length") from None
        if length <= 0 or pos + length > len(data):
            raise MalformedImage(f"{what}: malformed PAX record length")
        record = data[space + 1 : pos + length - 1]
        key, sep, value = record.partition(b"=")
        if not sep:
            raise MalformedImage(f"{what}: malformed PAX record")
        out[key.decode("utf-8", "replace")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return out


def field_str(block: bytes, start: int, end: int) -> str:
    """A NUL-terminated header string field (decoded with ``surrogateescape``)."""
    nul = block.find(b"\x00", start, end)
    return block[start : nul if nul >= 0 else end].decode("utf-8", "surrogateescape")


_NUL_SPACE = b"\x00 "


def header_ids(block: bytes, pax: dict[str, str], what: str) -> tuple[int, int, int, int]:
    """mode, uid, gid, mtime of a header (PAX values win)."""
    if not pax:
        try:  # plain octal "0000644\0" (the common case), as in ``number``'s fast path
            return (
                int(block[100:108].rstrip(_NUL_SPACE) or b"0", 8),
                int(block[108:116].rstrip(_NUL_SPACE) or b"0", 8),
                int(block[116:124].rstrip(_NUL_SPACE) or b"0", 8),
                int(block[136:148].rstrip(_NUL_SPACE) or b"0", 8),
            )
        except ValueError:
            pass
    mode = number(block[100:108], what)
    try:
        return (
            mode,
            int(pax.get("uid") or number(block[108:116], what)),
            int(pax.get("gid") or number(block[116:124], what)),
            int(float(pax.get("mtime") or number(block[136:148], what))),
        )
    except ValueError:
        raise MalformedImage(f"{what}: invalid PAX uid, gid or mtime") from None


@dataclass(slots=True)
class ExtensionState:
    """Extension headers read so far that apply to the next member(s)."""

    global_pax: dict[str, str] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)
    long_name: str | None = None
    long_link: str | None = None

    def clear(self) -> bool:
        """Whether the next header stands alone (so the C scanner may read it)."""
        return (
            not self.pending
            and not self.global_pax
            and self.long_name is None
            and self.long_link is None
        )


def member_size(size: int, pax: dict[str, str], what: str) -> int:
    """The member's data size: the header's, or the PAX ``size`` record's when present."""
    if pax and "size" in pax:
        try:
            size = int(pax["size"])
        except ValueError:
            raise MalformedImage(f"{what}: invalid PAX size") from None
        if size < 0:
            raise MalformedImage(f"{what}: negative member size in PAX header")
    return size
