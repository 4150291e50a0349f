"""Edge and hostile tar archives for the tar reader's differential tests.

``tarfile`` (the standard library's independent writer) builds the well-formed
ones; :func:`header` crafts the blocks no honest tool writes (odd number
encodings, bad checksums, base-256 sizes, unsafe names).
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable

BLOCK = 512
END = bytes(2 * BLOCK)


def pad(data: bytes) -> bytes:
    return data + bytes(-len(data) % BLOCK)


def header(
    name: bytes = b"f",
    *,
    size: int = 0,
    typeflag: bytes = b"0",
    linkname: bytes = b"",
    prefix: bytes = b"",
    magic: bytes = b"ustar\x0000",
    fields: dict[int, bytes] | None = None,
    chksum: bytes | None = None,
) -> bytes:
    """One 512-byte header; ``fields`` overwrite raw bytes at an offset (before the checksum)."""
    block = bytearray(BLOCK)
    block[0 : len(name[:100])] = name[:100]
    block[100:108] = b"0000644\x00"
    block[108:116] = b"0001750\x00"
    block[116:124] = b"0001750\x00"
    block[124:136] = b"%011o\x00" % size
    block[136:148] = b"14567123456\x00"
    block[156:157] = typeflag
    block[157 : 157 + len(linkname)] = linkname
    block[257 : 257 + len(magic)] = magic
    block[345 : 345 + len(prefix)] = prefix
    for offset, raw in (fields or {}).items():
        block[offset : offset + len(raw)] = raw
    block[148:156] = b" " * 8
    block[148:156] = chksum if chksum is not None else b"%06o\x00 " % sum(block)
    return bytes(block)


def member(name: bytes, data: bytes = b"", **kw: object) -> bytes:
    return header(name, size=len(data), **kw) + pad(data)  # type: ignore[arg-type]


def fix_checksum(block: bytearray) -> None:
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\x00 " % sum(block)


def with_tarfile(build: Callable[[tarfile.TarFile], None], fmt: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        build(tf)
    return buf.getvalue()


def add(tf: tarfile.TarFile, name: str, data: bytes | None = b"", **kw: object) -> None:
    info = tarfile.TarInfo(name)
    if data is not None:
        info.size = len(data)
    for key, value in kw.items():
        setattr(info, key, value)
    tf.addfile(info, io.BytesIO(data) if data else None)


def mixed(tf: tarfile.TarFile) -> None:
    """A bit of everything a real layer holds, plus long names and links."""
    add(tf, "etc", None, type=tarfile.DIRTYPE, mode=0o755)
    add(tf, "etc/hostname", b"box\n", mode=0o644, uid=0, gid=0, mtime=1_700_000_000)
    add(tf, "./usr/bin/tool", b"\x7fELF" + b"x" * 1500, mode=0o4755, uid=1000, gid=1000)
    add(tf, "usr/lib/" + "d" * 120 + "/lib.so", b"y" * 700)  # ustar prefix or long name
    add(tf, "usr/share/" + "n" * 200, b"z" * 3)  # only a long name fits
    add(tf, "usr/bin/alias", None, type=tarfile.SYMTYPE, linkname="tool")
    add(tf, "usr/bin/hard", None, type=tarfile.LNKTYPE, linkname="usr/bin/tool")
    add(tf, "dev/null", None, type=tarfile.CHRTYPE, devmajor=1, devminor=3)
    add(tf, "run/fifo", None, type=tarfile.FIFOTYPE)
    add(tf, "var/.wh.old", b"")
    add(tf, "opt/.wh..wh..opq", b"")
    add(tf, "root/.profile", b"export PATH\n")
    add(tf, "empty", b"")
    add(tf, "a" * 100, b"exactly 100")
    add(tf, "b" * 99 + "/", None, type=tarfile.DIRTYPE)
    add(tf, "caf\u00e9/na\u00efve", b"utf8")


def mixed_tar(fmt: int) -> bytes:
    return with_tarfile(mixed, fmt)


def _non_utf8() -> bytes:
    return member(b"bad\xff\xfe/na\xc3me", b"x") + member(b"ok\xc3", b"y") + END


def _hostile_names() -> list[tuple[str, bytes]]:
    names = {
        "absolute": b"/etc/passwd",
        "dotdot": b"a/../../etc/passwd",
        "dotdot-end": b"a/..",
        "dot-only": b".",
        "dot-slash": b"./",
        "double-slash": b"a//b",
        "trailing-slashes": b"a/b///",
        "hidden": b"a/.hidden/.x",
        "empty": b"",
        "wh-in-dir": b"a/.wh.dir/file",
        "spaces": b" a / b ",
    }
    return [(f"name-{k}", member(v, b"data") + END) for k, v in names.items()]


def _links() -> list[tuple[str, bytes]]:
    cases = {
        "sym-ok": (b"a/b/link", b"../c", b"2"),
        "sym-escape": (b"a/link", b"../../etc", b"2"),
        "sym-deep-escape": (b"a/b/c/link", b"x/../../../../y", b"2"),
        "sym-abs": (b"link", b"/etc/passwd", b"2"),
        "sym-empty": (b"link", b"", b"2"),
        "sym-dots": (b"a/link", b"./././..", b"2"),
        "hard-ok": (b"hard", b"./a/b", b"1"),
        "hard-abs": (b"hard", b"/etc/shadow", b"1"),
        "hard-escape": (b"hard", b"../x", b"1"),
        "hard-empty": (b"hard", b"", b"1"),
    }
    return [
        (k, header(n, typeflag=t, linkname=target) + END) for k, (n, target, t) in cases.items()
    ]


def _numbers() -> list[tuple[str, bytes]]:
    """Number fields in every encoding the Python reader parses (and some it rejects)."""
    encodings = {
        "spaces": b"    644 ",
        "nul-space": b"644\x00    ",
        "no-terminator": b"00000644",
        "empty": b"\x00" * 8,
        "blanks": b" " * 8,
        "embedded-nul": b"64\x004   ",
        "underscore": b"6_44\x00   ",
        "plus": b"+644\x00   ",
        "tab": b"\t644\x00   ",
        "eight": b"0000648\x00",
        "garbage": b"abcdefg\x00",
        "base256": b"\x80" + bytes(6) + b"\x07",
        "base256-neg": b"\xff" * 8,
        "leading-nul": b"\x00644   ",
        "0o-prefix": b"0o644\x00  ",
    }
    out = []
    for key, raw in encodings.items():
        for field, off in (("mode", 100), ("uid", 108), ("gid", 116), ("mtime", 136)):
            out.append((f"{field}-{key}", member(b"f", b"abc", fields={off: raw}) + END))
        size_field = {124: raw.ljust(12, b"\x00")}
        out.append((f"size-{key}", header(b"f", fields=size_field) + pad(b"q" * 900) + END))
        out.append((f"chksum-{key}", header(b"f", chksum=raw) + END))
    return out


def _sizes() -> list[tuple[str, bytes]]:
    huge = b"\x80" + bytes(3) + (1 << 40).to_bytes(8, "big")
    return [
        ("size-base256-huge", header(b"f", fields={124: huge}) + bytes(4096)),
        ("size-octal-huge", header(b"f", size=8**11 - 1) + bytes(4096)),
        (
            "size-base256-small",
            header(b"f", fields={124: b"\x80" + bytes(10) + b"\x05"}) + pad(b"hello") + END,
        ),
        ("dir-with-size", header(b"d/", typeflag=b"5", size=600) + member(b"f", b"x") + END),
        ("symlink-with-size", header(b"l", typeflag=b"2", size=600, linkname=b"f") + END),
        ("whiteout-with-size", member(b"a/.wh.b", b"x" * 600) + member(b"c", b"y") + END),
        ("device-outside-dev", header(b"etc/console", typeflag=b"3") + END),
        (
            "device-in-dev",
            header(b"dev/sda", typeflag=b"4") + header(b"./dev/tty", typeflag=b"3") + END,
        ),
        ("device-dev-itself", header(b"dev", typeflag=b"3") + END),
        ("unknown-type", member(b"u", b"data", typeflag=b"Z") + member(b"f", b"x") + END),
        (
            "contiguous-and-sparse",
            member(b"c", b"1", typeflag=b"7") + member(b"s", b"22", typeflag=b"S") + END,
        ),
        ("old-nul-type", member(b"old", b"v7", typeflag=b"\x00", magic=b"") + END),
        ("prefix", member(b"name", b"p", prefix=b"some/prefix") + END),
        ("prefix-no-magic", member(b"name", b"p", prefix=b"ignored", magic=b"") + END),
        ("prefix-gnu-magic", member(b"name", b"p", prefix=b"x", magic=b"ustar  \x00") + END),
        ("prefix-full", member(b"n" * 100, b"p", prefix=b"q" * 155) + END),
        ("non-utf8", _non_utf8()),
        ("zero-block-middle", member(b"a", b"1") + bytes(BLOCK) + member(b"b", b"2") + END),
        ("no-end-blocks", member(b"a", b"1") + member(b"b", b"2")),
        ("only-zeros", bytes(10 * BLOCK)),
        ("empty", b""),
        ("not-tar", b"hello world, this is not a tar file at all\n" * 40),
        ("trailing-garbage", member(b"a", b"1") + END + b"garbage after the end"),
        ("bad-checksum-second", member(b"a", b"1") + bytes([1]) + member(b"b", b"2")[1:] + END),
    ]


def _extensions() -> list[tuple[str, bytes]]:
    pax = b"30 path=pax/overrides/name.txt\n"
    gpax = b"19 uid=4242\n" + b"20 mtime=12.75\n"
    bad_pax = b"99 path=x\n"
    return [
        ("pax-path", member(b"PaxHeader", pax, typeflag=b"x") + member(b"short", b"d") + END),
        (
            "pax-global",
            member(b"g", gpax, typeflag=b"g") + member(b"a", b"1") + member(b"b", b"2") + END,
        ),
        (
            "pax-size",
            member(b"x", b"12 size=3\n", typeflag=b"x")
            + header(b"f", size=9)
            + pad(b"abc" * 3)
            + END,
        ),
        ("pax-bad-size", member(b"x", b"13 size=zz\n", typeflag=b"x") + member(b"f", b"a") + END),
        ("pax-malformed", member(b"x", bad_pax, typeflag=b"x") + member(b"f", b"a") + END),
        (
            "gnu-longname",
            member(b"././@LongLink", b"l" * 300 + b"\x00", typeflag=b"L")
            + member(b"trunc", b"d")
            + END,
        ),
        (
            "gnu-longlink",
            member(b"././@LongLink", b"t" * 200 + b"\x00", typeflag=b"K")
            + header(b"s", typeflag=b"2", linkname=b"x")
            + END,
        ),
        ("gnu-longname-huge", header(b"././@LongLink", typeflag=b"L", size=10**7) + bytes(4096)),
        ("pax-then-eof", member(b"x", pax, typeflag=b"x")),
    ]


def edge_cases() -> list[tuple[str, bytes]]:
    """(id, archive bytes) of every hand-made case."""
    out = [("tarfile-gnu", mixed_tar(tarfile.GNU_FORMAT))]
    out.append(("tarfile-pax", mixed_tar(tarfile.PAX_FORMAT)))
    return out + _hostile_names() + _links() + _numbers() + _sizes() + _extensions()
