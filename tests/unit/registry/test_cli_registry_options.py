"""The shared ``@registry_options`` click decorator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

from hullguard.cli.registry_options import registry_options, registry_options_from_kwargs
from hullguard.errors import UsageError
from hullguard.image.registry import RegistryOptions

seen: list[RegistryOptions] = []


@click.command()
@click.argument("image")
@registry_options
def fake_command(image: str, **kwargs: Any) -> None:
    seen.append(registry_options_from_kwargs(kwargs))


def _run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    seen.clear()
    return CliRunner().invoke(fake_command, list(args), input=stdin, env=env)


def test_defaults() -> None:
    result = _run("alpine")
    assert result.exit_code == 0, result.output
    assert seen == [RegistryOptions()]


def test_all_flags(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    result = _run(
        "img", "--username", "ci", "--password-stdin", "--insecure",
        "--insecure-registry", "10.0.0.5:5000", "--ca-cert", str(ca), "--registry-timeout", "7.5",
        stdin="test-password-not-secret\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [options] = seen
    assert options.username == "ci"
    assert options.password == "test-password-not-secret"
    assert options.insecure and options.insecure_registries == frozenset({"10.0.0.5:5000"})
    assert options.ca_cert == ca and options.effective_timeout == 7.5


def test_password_from_environment() -> None:
    result = _run("img", "--username", "ci", env={"HULLGUARD_PASSWORD": "test-password-not-secret"})
    assert result.exit_code == 0
    assert seen[0].password == "test-password-not-secret"


def test_password_stdin_needs_username() -> None:
    result = _run("img", "--password-stdin", stdin="pw\n")
    assert isinstance(result.exception, UsageError)
    assert "--username" in result.exception.diagnostics()


def test_nonpositive_timeout_is_a_click_usage_error() -> None:
    result = _run("img", "--registry-timeout", "0")
    assert result.exit_code == 2


def test_missing_ca_file_is_a_click_usage_error(tmp_path: Path) -> None:
    result = _run("img", "--ca-cert", str(tmp_path / "absent.pem"))
    assert result.exit_code == 2
    assert "does not exist" in result.output
