"""The shared vulnerability flags -> VulnOptions and RenderContext."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

from hullguard.cli.vuln_options import (
    render_context_from_kwargs,
    vuln_options,
    vuln_options_from_kwargs,
)
from hullguard.vulndb.interface import Severity

seen: dict[str, Any] = {}


@click.command()
@vuln_options
def probe(**kwargs: Any) -> None:
    seen["options"] = vuln_options_from_kwargs(kwargs, date(2026, 1, 1))
    seen["context"] = render_context_from_kwargs(
        kwargs, "app:1", ["RUN /bin/sh -c apt-get install -y curl # buildkit"]
    )


def test_flags_build_options(tmp_path: Path) -> None:
    ignore = tmp_path / "ign.yaml"
    ignore.write_text("- id: CVE-1\n  reason: r\n")
    vex = tmp_path / "v.json"
    vex.write_text(json.dumps({"statements": [{"vulnerability": "CVE-2", "status": "fixed"}]}))
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:12\nRUN apt-get install -y curl\n")
    args = ["--severity", "high", "--fail-on", "CRITICAL", "--ignore-unfixed"]
    args += ["--ignorefile", str(ignore), "--vex", str(vex), "--dockerfile", str(dockerfile)]
    result = CliRunner().invoke(probe, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    options = seen["options"]
    assert options.display_min is Severity.HIGH and options.fail_on is Severity.CRITICAL
    assert options.ignore_unfixed
    assert [r.id for r in options.ignore_rules] == ["CVE-1"]
    assert [s.vuln_id for s in options.vex] == ["CVE-2"]
    created = "RUN /bin/sh -c apt-get install -y curl # buildkit"
    assert seen["context"].dockerfile_lines == {created: (str(dockerfile), 2)}


def test_default_ignorefile_in_cwd(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(probe, [], catch_exceptions=False)
    assert result.exit_code == 0 and seen["options"].ignore_rules == ()
    (tmp_path / ".hullguardignore").write_text("- id: CVE-9\n  reason: accepted\n")
    CliRunner().invoke(probe, [], catch_exceptions=False)
    assert [r.id for r in seen["options"].ignore_rules] == ["CVE-9"]
