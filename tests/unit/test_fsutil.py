import stat
from pathlib import Path

from hullguard.fsutil import write_text


def test_regular_file_atomic_and_mode_kept(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    target.chmod(0o640)
    write_text(target, "new\r\n")
    assert target.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_device_is_written_in_place_not_replaced() -> None:
    write_text("/dev/null", "discarded")
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
