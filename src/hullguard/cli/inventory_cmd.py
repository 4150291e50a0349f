"""``hullguard inventory``: store SBOMs and deployments, ask the fleet questions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hullguard.cli import inventory_render as render
from hullguard.cli.options import image_options, resolve_db_path
from hullguard.cli.registry_options import registry_options
from hullguard.errors import AuditInputError, UsageError
from hullguard.fsutil import write_text
from hullguard.inventory import InventoryStore, open_inventory, resolve_database
from hullguard.inventory.interface import DeploymentRecord
from hullguard.vulndb import VulnDB, open_db

if TYPE_CHECKING:
    from hullguard.inventory.ingest import Catalogued


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


F = TypeVar("F", bound=Callable[..., Any])


def _common(markdown: bool = False) -> Callable[[F], F]:
    choices = [f.value for f in Format if markdown or f is not Format.MARKDOWN]

    def wrap(func: F) -> F:
        for decorator in reversed(
            [
                click.option("--database", help="Inventory: PATH, sqlite:///PATH or "
                             "postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME (env "
                             "HULLGUARD_DATABASE_URL; default <cache dir>/inventory.db)."),
                click.option("-f", "--format", "fmt", type=click.Choice(choices),
                             default="table", show_default=True, help="Report format."),
                click.option("-o", "--output", type=click.Path(dir_okay=False),
                             help="Write the report here."),
            ]
        ):  # fmt: skip
            func = decorator(func)
        return func

    return wrap


def _db_option(func: F) -> F:
    return click.option(
        "--db", "db", type=click.Path(dir_okay=False), help="Vulnerability database file."
    )(func)


#: (report kind, format) -> renderer; markdown exists for rescan only
RENDERERS: dict[tuple[str, Format], Callable[[Any], str]] = {
    ("who-has", Format.TABLE): render.who_has_table,
    ("who-has", Format.JSON): render.who_has_json,
    ("affected", Format.TABLE): render.affected_table,
    ("affected", Format.JSON): render.affected_json,
    ("images", Format.TABLE): render.images_table,
    ("images", Format.JSON): render.images_json,
    ("deployments", Format.TABLE): render.deployments_table,
    ("deployments", Format.JSON): render.deployments_json,
    ("diff", Format.TABLE): render.diff_table,
    ("diff", Format.JSON): render.diff_json,
    ("rescan", Format.TABLE): render.rescan_table,
    ("rescan", Format.JSON): render.rescan_json,
    ("rescan", Format.MARKDOWN): render.rescan_markdown,
}


def _render(kind: str, fmt: str, result: Any) -> str:
    return RENDERERS[(kind, Format(fmt))](result)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text(output, text)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@contextmanager
def _store(ctx: click.Context, database: str | None) -> Iterator[InventoryStore]:
    cache_dir = (ctx.find_root().obj or {}).get("cache_dir")
    target = resolve_database(database, Path(cache_dir) if cache_dir else None)
    store = open_inventory(target)
    try:
        yield store
    finally:
        store.close()


def _vulndb(ctx: click.Context, db: str | None) -> VulnDB:
    """The vulnerability database (a clear error when there is none)."""
    return open_db(resolve_db_path(ctx.find_root(), db))


def _optional_vulndb(ctx: click.Context, db: str | None) -> VulnDB | None:
    """The database when there is one; else a warning (``add`` stores packages only)."""
    path = resolve_db_path(ctx.find_root(), db)
    if not path.is_file():
        click.echo(
            f"hullguard: warning: no vulnerability database at {path}; stored without findings "
            "(run `hullguard inventory rescan` after `hullguard db update`)",
            err=True,
        )
        return None
    return open_db(path)


@click.group(name="inventory", short_help="Store SBOMs and deployments; ask who runs package X.")
def inventory() -> None:
    """Fleet inventory: images (by digest) with their packages and findings, and where
    they run. Stored in one SQLite file (default <cache dir>/inventory.db) or, shared by
    several machines, in a PostgreSQL database (--database postgresql://…)."""


@inventory.command(name="add")
@click.argument("target", metavar="IMAGE|sbom:FILE")
@click.option("--deployment", help="Record that this image runs as deployment NAME.")
@click.option("--namespace", default="", help="Namespace of --deployment.")
@click.option("--cluster", default="", help="Cluster of --deployment.")
@click.option("--environment", default="", help="Environment of --deployment (prod, staging…).")
@click.option("--no-secrets", is_flag=True, help="Do not scan the image's layers for secrets.")
@_db_option
@_common()
@image_options
@registry_options
@click.pass_context
def add(ctx: click.Context, /, target: str, deployment: str | None, namespace: str,
        cluster: str, environment: str, no_secrets: bool, db: str | None, database: str | None,
        fmt: str, output: str | None, **kw: Any) -> None:  # fmt: skip
    """Store an image's (or an SBOM's) packages, findings and secret findings (where, which
    rule, a fingerprint: never the value); idempotent by digest."""
    from hullguard.inventory.ingest import store_catalogued

    if deployment is None and (namespace or cluster or environment):
        raise UsageError("--namespace/--cluster/--environment need --deployment NAME")
    item = _catalogue(ctx, target, kw, secrets=not no_secrets)
    records = []
    if deployment:
        ref = item.refs[0] if item.refs else ""
        records.append(DeploymentRecord(cluster, namespace, deployment, "", "", environment, ref))
    vulndb = _optional_vulndb(ctx, db)
    with _store(ctx, database) as store:
        try:
            result = store_catalogued(store, item, vulndb, records, _now())
        finally:
            if vulndb is not None:
                vulndb.close()
    doc = {"image": result.digest, "created": result.created, "packages": result.packages,
           "findings": result.findings, "secrets": result.secrets,
           "deployments": len(records)}  # fmt: skip
    verb = "added" if result.created else "updated"
    findings = "not matched" if result.findings is None else str(result.findings)
    secrets = "not scanned" if result.secrets is None else str(result.secrets)
    text = (
        f"{verb} {result.digest}: {result.packages} packages, findings: {findings}, "
        f"secrets: {secrets}\n"
    )
    _emit(render.to_json(doc) if fmt == Format.JSON else text, output)


def _catalogue(ctx: click.Context, target: str, kw: dict[str, Any], *, secrets: bool) -> Catalogued:
    from hullguard.inventory.ingest import Catalogued, from_sbom

    if target.startswith("sbom:"):
        path = target[len("sbom:") :]
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read SBOM {path}: {exc.strerror}") from None
        return from_sbom(data, path)
    from hullguard.cli.options import build_cache, build_limits, build_open_options
    from hullguard.cli.registry_options import registry_options_from_kwargs
    from hullguard.cli.ui import RichProgress
    from hullguard.image.loader import open_image
    from hullguard.inventory.ingest import image_layers, stored_secret
    from hullguard.scan.image_scan import scan_image
    from hullguard.secrets import SecretScanner

    registry = registry_options_from_kwargs(kw, build_limits(kw))
    image = open_image(target, build_open_options(kw, registry))
    progress = RichProgress(enabled=not (ctx.find_root().obj or {}).get("quiet"))
    try:
        scan = scan_image(
            image,
            want_packages=True,
            secret_scanner=SecretScanner() if secrets else None,
            cache=build_cache(ctx, kw),
            progress=progress,
        )
    finally:
        progress.close()
        image.close()
    assert scan.catalog is not None  # want_packages=True
    digest = image.manifest_digest or image.config_digest
    found = tuple(stored_secret(s) for s in scan.secrets) if secrets else None
    return Catalogued(
        digest, "image", (image.reference,), scan.catalog.os_info, scan.catalog.packages, found,
        image_layers(image.layers),
    )  # fmt: skip


@inventory.command(name="import-k8s")
@click.argument("path", metavar="FILE|DIR", type=click.Path(path_type=Path), required=False)
@click.option(
    "--from-admission", "log", type=click.Path(dir_okay=False, path_type=Path),
    help="Read the admission webhook's decision log (JSON lines) instead of manifests.",
)  # fmt: skip
@click.option("--cluster", default="", help="Cluster these manifests are deployed to.")
@click.option("--environment", default="", help="Environment (prod, staging…).")
@_common()
@click.pass_context
def import_k8s(ctx: click.Context, /, path: Path | None, log: Path | None, cluster: str,
               environment: str, database: str | None, fmt: str,
               output: str | None) -> None:  # fmt: skip
    """Record deployments (workload container -> image ref) from Kubernetes manifests, or
    with --from-admission LOG from the pods the admission webhook admitted."""
    if (path is None) == (log is None):
        raise UsageError("give manifests FILE|DIR or --from-admission LOG (one of them)")
    if log is not None:
        records = _from_admission(log, cluster, environment)
        where = str(log)
    else:
        assert path is not None
        records = _from_manifests(path, cluster, environment)
        where = str(path)
    if not records:
        raise UsageError(f"no workload with a container image in {where}")
    with _store(ctx, database) as store:
        with store.transaction():
            for record in records:
                store.put_deployment(record, None)
        linked = {(d.cluster, d.namespace, d.kind, d.name, d.container): dg
                  for d, dg in store.deployments()}  # fmt: skip
    rows = [(r, linked.get((r.cluster, r.namespace, r.kind, r.name, r.container), ""))
            for r in records]  # fmt: skip
    _emit(_render("deployments", fmt, rows), output)


def _from_manifests(path: Path, cluster: str, environment: str) -> list[DeploymentRecord]:
    from hullguard.inventory.k8s import deployments_from_text, manifest_files

    records = []
    for file in manifest_files(path):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read manifest {file}: {exc}") from None
        try:
            records += deployments_from_text(
                text, str(file), cluster=cluster, environment=environment
            )
        except AuditInputError as exc:  # broken input is a usage error here
            raise UsageError(exc.message, hint=exc.hint) from None
    return records


def _from_admission(log: Path, cluster: str, environment: str) -> list[DeploymentRecord]:
    from hullguard.inventory.admission_log import deployments_from_log

    try:
        text = log.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read admission log {log}: {exc}") from None
    return deployments_from_log(text, str(log), cluster=cluster, environment=environment)


@inventory.command(name="who-has")
@click.argument("spec", metavar="PACKAGE[@RANGE]")
@_common()
@click.pass_context
def who_has_cmd(ctx: click.Context, /, spec: str, database: str | None, fmt: str,
                output: str | None) -> None:  # fmt: skip
    """Images (and deployments) with a package, e.g. openssl<3.0.7, pypi:requests<2.31,
    npm:lodash@<4.17.21 or pkg:npm/lodash@4.17.20."""
    from hullguard.inventory.fleet import who_has
    from hullguard.inventory.query import parse_query

    query = parse_query(spec)
    with _store(ctx, database) as store:
        result = who_has(store, query)
    _emit(_render("who-has", fmt, result), output)


@inventory.command(name="who-is-affected")
@click.argument("vuln_id", metavar="VULN-ID")
@_db_option
@_common()
@click.pass_context
def who_is_affected_cmd(ctx: click.Context, /, vuln_id: str, db: str | None,
                        database: str | None, fmt: str, output: str | None) -> None:  # fmt: skip
    """Stored images affected by a vulnerability (CVE, GHSA, GO-…), with fixed versions."""
    from hullguard.inventory.affected import who_is_affected

    vulndb = _vulndb(ctx, db)
    with vulndb, _store(ctx, database) as store:
        result = who_is_affected(store, vulndb, vuln_id.strip())
    _emit(_render("affected", fmt, result), output)


@inventory.command(name="images")
@_common()
@click.pass_context
def images_cmd(ctx: click.Context, /, database: str | None, fmt: str, output: str | None) -> None:
    """Stored images with their references, package, finding and deployment counts."""
    with _store(ctx, database) as store:
        items = store.images()
    _emit(_render("images", fmt, items), output)


@inventory.command(name="deployments")
@_common()
@click.pass_context
def deployments_cmd(
    ctx: click.Context, /, database: str | None, fmt: str, output: str | None
) -> None:
    """Recorded deployments and the stored image each runs."""
    with _store(ctx, database) as store:
        items = store.deployments()
    _emit(_render("deployments", fmt, items), output)


@inventory.command(name="diff")
@click.argument("image_a", metavar="IMAGE_A")
@click.argument("image_b", metavar="IMAGE_B")
@_common()
@click.pass_context
def diff_cmd(ctx: click.Context, /, image_a: str, image_b: str, database: str | None, fmt: str,
             output: str | None) -> None:  # fmt: skip
    """Packages and findings added/removed from IMAGE_A to IMAGE_B (digest or stored ref)."""
    from hullguard.inventory.fleet import diff_images

    with _store(ctx, database) as store:
        result = diff_images(store, image_a, image_b)
    _emit(_render("diff", fmt, result), output)


@inventory.command(name="rescan")
@_db_option
@_common(markdown=True)
@click.pass_context
def rescan_cmd(ctx: click.Context, /, db: str | None, database: str | None, fmt: str,
               output: str | None) -> None:  # fmt: skip
    """Re-match every stored image against the current database; report what is new."""
    from hullguard.inventory.rescan import rescan

    vulndb = _vulndb(ctx, db)
    with vulndb, _store(ctx, database) as store:
        report = rescan(store, vulndb, _now())
    _emit(_render("rescan", fmt, report), output)


def _add_job_commands() -> None:
    """``scan-registry``, ``enqueue`` and ``jobs`` (the PostgreSQL scan queue) live apart."""
    from hullguard.cli.inventory_jobs import JOB_COMMANDS

    for command in JOB_COMMANDS:
        inventory.add_command(command)


_add_job_commands()
