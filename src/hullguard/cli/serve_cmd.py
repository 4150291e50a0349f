"""``hullguard serve``: the HTTP API and dashboard, or (``--admission``) the admission webhook.

Without ``--admission`` it serves the inventory API and web dashboard
(:mod:`hullguard.api`, FastAPI on uvicorn); with it, the Kubernetes admission
webhook over HTTPS (:mod:`hullguard.server`, stdlib). Each mode's options are
refused in the other mode.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import click

from hullguard.cli.registry_options import registry_options, registry_options_from_kwargs
from hullguard.errors import UsageError

#: API mode option -> its default (anything else given means the user asked for API mode)
_API_DEFAULTS: dict[str, Any] = {
    "token_file": None, "read_only": False, "vulndb": None,
    "scan_local": False,
}  # fmt: skip
#: options that exist only for the admission webhook
_ADMISSION_ONLY = ("policy_file", "tls_cert", "tls_key")


@click.command(name="serve", short_help="Serve the API and dashboard, or the admission webhook.")
@click.option("--admission", is_flag=True, help="Serve Kubernetes AdmissionReview v1 instead.")
@click.option(
    "--database",
    help="Inventory: PATH, sqlite:///PATH or postgresql://... API: what it serves "
    "(env HULLGUARD_DATABASE_URL). "
    "Admission: stored scan results per digest enforce the vulnerabilities, secrets and "
    "images.blockEol sections.",
)
@click.option("--vulndb", "--db", "vulndb", type=click.Path(dir_okay=False),
              help="API: vulnerability database (default: <cache dir>/db/vuln.db).")  # fmt: skip
@click.option("--token-file", type=click.Path(dir_okay=False),
              help="API: file holding the bearer token for write endpoints "
              "(else env HULLGUARD_API_TOKEN; none: writes refused).")  # fmt: skip
@click.option("--read-only", is_flag=True, help="API: refuse every write endpoint (403).")
@click.option("--scan-local", is_flag=True,
              help="API: let POST /api/v1/scans read local paths (oci:DIR, archives).")  # fmt: skip
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(dir_okay=False),
    help="Admission: gate policy YAML (docs/policy.md).",
)
@click.option("--tls-cert", type=click.Path(dir_okay=False), help="Admission: PEM chain.")
@click.option("--tls-key", type=click.Path(dir_okay=False), help="Admission: PEM key.")
@click.option("--host", help="Address to listen on [API: 127.0.0.1; admission: 0.0.0.0].")
@click.option("--port", type=click.IntRange(0, 65535), help="Port [API: 8080; admission: 8443].")
@click.option("--dry-run", is_flag=True, help="Never deny: report denials as warnings.")
@click.option(
    "--failure-policy",
    type=click.Choice(["fail", "ignore"]),
    default="fail",
    show_default=True,
    help="When undecidable (registry down, timeout): deny or allow.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 30),
    default=5.0,
    show_default=True,
    help="Seconds per review (keep under the webhook's timeoutSeconds).",
)
@click.option("--exclude-namespace", multiple=True, metavar="NS", help="Never check NS.")
@click.option(
    "--exclude-image",
    multiple=True,
    metavar="GLOB",
    help="Skip image checks for matching images (e.g. 'registry.k8s.io/**').",
)
@click.option(
    "--cache-ttl",
    type=click.FloatRange(0),
    default=300.0,
    show_default=True,
    help="Seconds a verification result (keyed by digest) is reused.",
)
@click.option(
    "--audit-log",
    type=click.Path(dir_okay=False),
    default="-",
    show_default=True,
    help="JSON-lines decision log ('-' for stdout).",
)
@registry_options
@click.pass_context
def serve(ctx: click.Context, /, **kw: Any) -> None:  # fmt: skip
    """Serve the inventory HTTP API (/api/v1, OpenAPI at /docs) and the web dashboard (/).

    With --admission: serve /validate and /mutate (AdmissionReview v1) over HTTPS,
    and /healthz. /mutate pins every container image tag to its digest (JSONPatch);
    /validate verifies signatures, the allowed registries and digest pinning, and
    the runtime hardening rules of the gate policy; with --database it also judges
    each image's stored vulnerability and secret findings and OS end of life
    (images unknown to the inventory get the policy's `unscanned` action), and
    answers allow or deny.
    """
    if kw["admission"]:
        given = [k for k, default in _API_DEFAULTS.items() if kw[k] != default]
        if given:
            flags = ", ".join("--" + k.replace("_", "-") for k in given)
            raise UsageError(f"{flags}: only for the API server, not with --admission")
        _serve_admission(kw)
        return
    given = [k for k in _ADMISSION_ONLY if kw[k] is not None]
    if given:
        flags = ", ".join("--" + k.replace("_file", "").replace("_", "-") for k in given)
        raise UsageError(f"{flags}: only with --admission", hint="add --admission")
    from hullguard.cli.serve_api import serve_api

    serve_api(ctx, kw)


def _serve_admission(kw: dict[str, Any]) -> None:
    """The admission webhook (``--admission``); options as documented in docs/admission.md."""
    for name in _ADMISSION_ONLY:
        if kw[name] is None:
            flag = "--" + name.replace("_file", "").replace("_", "-")
            raise UsageError(f"--admission needs {flag}")
    kw = {**kw, "host": kw["host"] or "0.0.0.0", "port": 8443 if kw["port"] is None else kw["port"]}  # noqa: S104 - the API server must reach it
    from hullguard.policy.load import load_gate_policy
    from hullguard.server.admission import (
        AdmissionConfig,
        AdmissionService,
        AuditLog,
        FailurePolicy,
    )
    from hullguard.server.httpd import create_server

    policy = load_gate_policy(Path(kw["policy_file"]))
    registry = registry_options_from_kwargs(kw)
    if kw.get("registry_timeout") is None:  # a registry call may not outlive its review
        registry = dataclasses.replace(registry, timeout=kw["timeout"])
    config = AdmissionConfig(
        policy=policy,
        registry=registry,
        dry_run=kw["dry_run"],
        failure_policy=FailurePolicy(kw["failure_policy"]),
        timeout=kw["timeout"],
        exclude_namespaces=frozenset(kw["exclude_namespace"]),
        exclude_images=tuple(kw["exclude_image"]),
        cache_ttl=kw["cache_ttl"],
    )
    log_path = kw["audit_log"]
    stream = sys.stdout if log_path == "-" else open(log_path, "a", encoding="utf-8")  # noqa: SIM115
    service = AdmissionService(config, audit=AuditLog(stream), results=_results(kw, config))
    server = create_server(
        service, kw["host"], kw["port"], Path(kw["tls_cert"]), Path(kw["tls_key"])
    )
    host, port = server.server_address[:2]
    click.echo(f"hullguard: admission webhook on https://{host!s}:{port}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if stream is not sys.stdout:
            stream.close()


def _results(kw: dict[str, Any], config: Any) -> Any:
    """The inventory reader for ``--database``; without one, say what is not enforced."""
    from hullguard.server.scan_results import StoredResults

    if not kw.get("database"):
        if config.policy.needs_stored_results:
            click.echo(
                "hullguard: warning: the policy's vulnerabilities/secrets/blockEol sections "
                "are not enforced without --database (stored scan results)",
                err=True,
            )
        return None
    from hullguard.inventory import open_inventory, resolve_database

    return StoredResults(open_inventory(resolve_database(kw["database"])), config.cache_ttl)
