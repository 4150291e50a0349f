"""Read-only access to the files of an image layout held in a directory or a tar archive.

Both OCI layouts (``oci:DIR``, ``oci-archive:FILE``) and ``docker save``
archives are a handful of JSON files plus blobs. :class:`FileProvider` hides
whether they sit in a directory or inside a (possibly gzip-compressed) tar, and
refuses any name that would leave the layout.
"""

from __future__ import annotations

import io
import tarfile
import zlib
from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO, cast

from hullguard.errors import LimitExceeded, MalformedImage, SourceError, UnsafeImage
from hullguard.limits import Limits


def _clean(name: str) -> str:
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeImage(f"path {name!r} inside the image archive escapes it")
    return "/".join(parts)


class FileProvider(ABC):
    """Named files of a layout; names are relative, ``/``-separated."""

    description: str

    @abstractmethod
    def exists(self, name: str) -> bool: ...

    @abstractmethod
    def size(self, name: str) -> int: ...

    @abstractmethod
    def open(self, name: str) -> BinaryIO: ...

    def read(self, name: str, max_bytes: int) -> bytes:
        if self.size(name) > max_bytes:
            raise LimitExceeded(
                f"{self.description}: {name} is larger than the {max_bytes} byte limit"
            )
        with self.open(name) as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise LimitExceeded(
                f"{self.description}: {name} is larger than the {max_bytes} byte limit"
            )
        return data

    def fork_safe(self) -> bool:
        """True when forked processes may open and read files concurrently."""
        return False

    def after_fork(self) -> None:
        """In a forked worker: replace handles whose file offset the parent shares."""
        return None

    def close(self) -> None:
        return None


class DirectoryProvider(FileProvider):
    """Files under a directory; symlinks leaving the directory are refused."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise SourceError(f"no such directory: {root}", hint="check the path")
        self.root = root.resolve()
        self.description = str(root)

    def _path(self, name: str) -> Path:
        path = (self.root / _clean(name)).resolve()
        if not path.is_relative_to(self.root):
            raise UnsafeImage(f"{self.description}: {name} resolves outside the layout directory")
        return path

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def fork_safe(self) -> bool:
        return True  # every open() is a new file description

    def size(self, name: str) -> int:
        try:
            return self._path(name).stat().st_size
        except FileNotFoundError:
            raise SourceError(
                f"{self.description}: missing {name}", hint="the image layout is incomplete"
            ) from None

    def open(self, name: str) -> BinaryIO:
        try:
            return self._path(name).open("rb")
        except FileNotFoundError:
            raise SourceError(
                f"{self.description}: missing {name}", hint="the image layout is incomplete"
            ) from None
        except OSError as exc:
            raise SourceError(f"{self.description}: cannot read {name}: {exc.strerror}") from None


class TarProvider(FileProvider):
    """Files inside a tar archive (plain or gzip-compressed), indexed once."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.description = str(path)
        self._file = path
        try:
            self._tar = tarfile.open(path, "r:*")  # noqa: SIM115 - closed in close()
        except FileNotFoundError:
            raise SourceError(f"no such file: {path}", hint="check the path") from None
        except IsADirectoryError:
            raise SourceError(f"{path} is a directory", hint="use oci:DIR for a layout") from None
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise MalformedImage(
                f"{path}: not a readable image archive ({exc})",
                hint="expected a docker save / oci-archive tar",
            ) from None
        self._members: dict[str, tarfile.TarInfo] = {}
        try:
            for count, member in enumerate(self._tar, 1):
                if count > limits.max_entries_per_layer:
                    raise LimitExceeded(f"{path}: too many entries in the archive")
                self._members[_clean(member.name)] = member
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            self._tar.close()
            raise MalformedImage(f"{path}: corrupt image archive ({exc})") from None

    def _member(self, name: str) -> tarfile.TarInfo:
        member = self._members.get(_clean(name))
        hops = 0
        while member is not None and (member.issym() or member.islnk()):
            hops += 1
            if hops > 8:
                raise UnsafeImage(f"{self.description}: link loop at {name}")
            base = _clean(name).rsplit("/", 1)[0] if member.issym() and "/" in name else ""
            target = member.linkname
            name = f"{base}/{target}" if member.issym() and base else target
            name = _resolve_dots(name, self.description)
            member = self._members.get(name)
        if member is None or not member.isfile():
            raise SourceError(
                f"{self.description}: missing {name}", hint="the image archive is incomplete"
            )
        return member

    def names(self, prefix: str) -> list[str]:
        """Regular files whose name starts with ``prefix``, sorted."""
        return sorted(n for n, m in self._members.items() if n.startswith(prefix) and m.isfile())

    def exists(self, name: str) -> bool:
        try:
            self._member(name)
        except SourceError:
            return False
        return True

    def size(self, name: str) -> int:
        return self._member(name).size

    def open(self, name: str) -> BinaryIO:
        member = self._member(name)
        try:
            fh = self._tar.extractfile(member)
        except (tarfile.TarError, OSError) as exc:
            raise MalformedImage(f"{self.description}: cannot read {name} ({exc})") from None
        if fh is None:
            raise SourceError(f"{self.description}: {name} is not a file")
        return cast(BinaryIO, fh)

    def fork_safe(self) -> bool:
        # members of a plain tar are read by seek + read on one file: a worker
        # reopens it (after_fork); a compressed archive is left to one process
        return isinstance(self._tar.fileobj, io.BufferedReader)

    def after_fork(self) -> None:
        if self.fork_safe():
            self._tar.fileobj = self._file.open("rb")  # own offset; the parent keeps its own

    def close(self) -> None:
        self._tar.close()


def _resolve_dots(name: str, where: str) -> str:
    out: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not out:
                raise UnsafeImage(f"{where}: link {name!r} escapes the archive")
            out.pop()
        else:
            out.append(part)
    return "/".join(out)


def provider_for(path: Path, limits: Limits) -> FileProvider:
    return DirectoryProvider(path) if path.is_dir() else TarProvider(path, limits)
