import datetime as dt

from hullguard.audit.image_config import audit_image, eol_date
from hullguard.model.image import FileRecord, FileType, ImageConfig
from hullguard.model.package import OSInfo
from hullguard.model.severity import Severity

TODAY = dt.date(2026, 11, 28)


def rec(path: str, kind: FileType = FileType.FILE, mode: int = 0o755) -> FileRecord:
    return FileRecord(path, kind, 10, mode, 0)


def ids(findings) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(f.rule_id, f.path) for f in findings}


def test_hardened_image_has_no_findings() -> None:
    cfg = ImageConfig(user="65532:65532")
    files = [rec("/app/server"), rec("/tmp", FileType.DIR, 0o1777)]
    assert audit_image(cfg, files, OSInfo("debian", "12"), TODAY) == []


def test_every_rule_fires() -> None:
    cfg = ImageConfig(user="", exposed_ports=("22/tcp", "8080/tcp"))
    files = [
        rec("/bin/sh"),
        rec("/usr/bin/apt-get"),
        rec("/usr/bin/passwd", mode=0o4755),
        rec("/usr/bin/wall", mode=0o2755),
        rec("/data", FileType.DIR, 0o777),
        rec("/usr/sbin/sshd"),
        rec("/notexec", mode=0o4644),
    ]
    found = audit_image(cfg, files, OSInfo("debian", "10", pretty_name="Debian 10"), TODAY)
    assert ids(found) == {
        ("IMG001", "config:User"),
        ("IMG002", "/bin/sh"),
        ("IMG003", "/usr/bin/apt-get"),
        ("IMG004", "/usr/bin/passwd"),
        ("IMG004", "/usr/bin/wall"),
        ("IMG005", "/data"),
        ("IMG006", "/usr/sbin/sshd"),
        ("IMG007", "config:ExposedPorts"),
        ("IMG008", "/etc/os-release"),
    }
    assert found[0].severity is Severity.HIGH
    assert [f.severity.rank for f in found] == sorted(
        (f.severity.rank for f in found), reverse=True
    )


def test_root_spellings_and_eol_table() -> None:
    for user in ("", "root", "0", "0:0", "root:root"):
        assert any(
            f.rule_id == "IMG001" for f in audit_image(ImageConfig(user=user), [], None, TODAY)
        )
    assert not audit_image(ImageConfig(user="app"), [], None, TODAY)
    assert eol_date(OSInfo("alpine", "3.19.1")) == dt.date(2025, 11, 1)
    assert eol_date(OSInfo("debian", "12")) == dt.date(2028, 6, 30)
    assert eol_date(OSInfo("plan9", "4")) is None
