"""``hullguard gate IMAGE --policy FILE``: one allow / review / block decision for CI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from hullguard.cli.options import build_cache, build_limits, build_open_options, image_options
from hullguard.cli.registry_options import registry_options, registry_options_from_kwargs
from hullguard.cli.ui import RichProgress, write_output
from hullguard.policy.model import Verdict
from hullguard.policy.render import RENDERERS, GateFormat


@click.command(name="gate", short_help="Decide allow / review / block for an image by policy.")
@click.argument("image", metavar="IMAGE")
@click.option(
    "--policy", "policy_file", required=True, type=click.Path(dir_okay=False),
    help="Gate policy YAML (docs/policy.md).",
)  # fmt: skip
@click.option(
    "--dockerfile", type=click.Path(exists=True, dir_okay=False),
    help="Dockerfile the image was built from: its base images are judged too.",
)  # fmt: skip
@click.option(
    "--manifests", type=click.Path(exists=True), help="Kubernetes manifests (file or directory)."
)
@click.option("--db", "db", type=click.Path(dir_okay=False), help="Vulnerability database file.")
@click.option(
    "-f", "--format", "fmt", type=click.Choice([f.value for f in GateFormat]), default="table",
    show_default=True, help="Report format.",
)  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option(
    "--database", "database", metavar="URL",
    help="Inventory (path, sqlite:///PATH or postgresql://…): judge the image by the results "
    "stored for its digest instead of scanning it; an image it does not hold is scanned.",
)  # fmt: skip
@image_options
@registry_options
@click.pass_context
def gate(
    ctx: click.Context,
    /,
    image: str,
    policy_file: str,
    dockerfile: str | None,
    manifests: str | None,
    db: str | None,
    fmt: str,
    output: str | None,
    database: str | None,
    **kw: Any,
) -> None:
    """Run only what the policy needs on IMAGE and print one decision with every reason.

    \b
    Exit codes: 0 allow (and review: the reasons are repeated on stderr as
    warnings), 1 block, 2 usage error (bad policy, bad flags), 3 operational error.
    """
    from hullguard.cli.options import resolve_db_path
    from hullguard.policy.collect import GateRequest, run_gate
    from hullguard.policy.load import load_gate_policy

    policy = load_gate_policy(Path(policy_file))
    registry = registry_options_from_kwargs(kw, build_limits(kw))
    request = GateRequest(
        image=image,
        db_path=resolve_db_path(ctx.find_root(), db) if policy.vulnerabilities else None,
        dockerfile=Path(dockerfile) if dockerfile else None,
        manifests=Path(manifests) if manifests else None,
        open_options=build_open_options(kw, registry),
        registry=registry,
        cache=build_cache(ctx, kw),
        today=dt.date.today(),
        database=database,
    )
    progress = RichProgress(enabled=not (ctx.find_root().obj or {}).get("quiet"))
    try:
        run = run_gate(policy, request, progress=progress)
    finally:
        progress.close()
    for note in run.notes:  # where the results came from (--database): always said
        click.echo(f"hullguard: {note}", err=True)
    write_output(RENDERERS[GateFormat(fmt)](run.decision, image, run.manifest_digest), output)
    for section in run.decision.skipped:
        click.echo(f"hullguard: warning: policy section {section} was not evaluated", err=True)
    if run.decision.verdict is Verdict.REVIEW:
        for reason in run.decision.reasons:
            if reason.action.value == "review":
                click.echo(f"hullguard: warning: review required: {reason.message}", err=True)
    if run.decision.verdict is Verdict.BLOCK:
        raise click.exceptions.Exit(1)
