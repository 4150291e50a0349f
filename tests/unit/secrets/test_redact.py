from hullguard.secrets.redact import redact_command

TOKEN = "ghp_" + "0123456789abcdefghijABCDEFGHIJ123456"  # fake, shape only


def test_build_args_masked() -> None:
    out = redact_command(f"|2 API_TOKEN={TOKEN} MODE=prod /bin/sh -c make")
    assert TOKEN[4:] not in out and "/bin/sh -c make" in out and "[40 chars]" in out
    assert out.count("chars]") == 2


def test_inline_credentials_masked() -> None:
    out = redact_command("curl -u admin:hunter2secret https://bob:pw123456@example.invalid/x")
    assert "hunter2secret" not in out and "pw123456" not in out
    assert "admin:" in out and "@example.invalid/x" in out


def test_secretish_assignments_only() -> None:
    out = redact_command("/bin/sh -c #(nop) ENV DB_PASSWORD=supersecretvalue PATH=/usr/bin")
    assert "supersecretvalue" not in out and "PATH=/usr/bin" in out
    assert redact_command("ENV TOKEN=$TOKEN") == "ENV TOKEN=$TOKEN"
    assert redact_command("") == ""
