"""LayeredView.final_layers is final() as {path: layer}, for the overlay cases that matter."""

from __future__ import annotations

from hullguard.image.fsview import build_view
from hullguard.model.image import FileRecord, FileType

F, D, W, OPQ = FileType.FILE, FileType.DIR, FileType.WHITEOUT, FileType.OPAQUE


def _rec(path: str, ftype: FileType, layer: int) -> FileRecord:
    return FileRecord(path, ftype, 1 if ftype is F else 0, 0o644, layer)


def test_final_layers_is_final_as_a_mapping() -> None:
    layers = [
        (0, [_rec("/etc", D, 0), _rec("/etc/passwd", F, 0), _rec("/opt/a/b", F, 0),
             _rec("/var/log/x", F, 0), _rec("/srv/keep", F, 0), _rec("/srv/dir", D, 0),
             _rec("/srv/dir/child", F, 0)]),
        (1, [_rec("/etc/passwd", F, 1), _rec("/opt/.wh.a", W, 1),
             _rec("/var/log/.wh..wh..opq", OPQ, 1),
             _rec("/var/log/y", F, 1), _rec("/srv/dir", F, 1)]),
        (2, [_rec("/opt/a/c", F, 2), _rec("/new/implicit/parents/file", F, 2)]),
    ]  # fmt: skip
    view = build_view(layers)
    expected = {r.path: r.layer for r in view.final()}
    assert view.final_layers() == expected
    # the cases themselves: replaced, deleted, opaque, dir replaced by a file, implicit parents
    assert expected["/etc/passwd"] == 1
    assert "/var/log/x" not in expected and expected["/var/log/y"] == 1
    assert "/opt/a/b" not in expected and expected["/opt/a/c"] == 2
    assert "/srv/dir/child" not in expected and expected["/srv/dir"] == 1
    assert "/new/implicit" not in expected  # implicit directories are not files of the image
