"""One-shot commands run without the cyclic GC; long-running ones and callers keep it."""

from __future__ import annotations

import gc

import click
import pytest

from hullguard.cli import main as cli_main


def _probe(name: str, seen: list[bool]) -> click.Command:
    @click.command(name=name)
    def probe() -> None:
        seen.append(gc.isenabled())

    return probe


@pytest.mark.parametrize(
    ("name", "collecting"), [("probe", False), ("serve", True), ("worker", True)]
)
def test_collector_state_while_a_command_runs(
    monkeypatch: pytest.MonkeyPatch, name: str, collecting: bool
) -> None:
    seen: list[bool] = []
    monkeypatch.setitem(cli_main.cli.commands, name, _probe(name, seen))
    assert gc.isenabled()
    with pytest.raises(SystemExit) as caught:
        cli_main.main([name])
    assert caught.value.code == 0
    assert seen == [collecting]
    assert gc.isenabled()  # the caller's collector is back on, whatever ran


def test_collector_is_restored_after_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as caught:
        cli_main.main(["image", "inspect", "oci:/nonexistent/layout"])
    assert caught.value.code != 0
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with pytest.raises(SystemExit):
            cli_main.main(["--version"])
        assert not gc.isenabled()
    finally:
        gc.enable()
