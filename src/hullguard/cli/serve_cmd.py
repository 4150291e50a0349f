"""``hullguard serve --admission``: the Kubernetes admission webhook over HTTPS."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import click

from hullguard.cli.registry_options import registry_options, registry_options_from_kwargs
from hullguard.errors import UsageError


@click.command(name="serve", short_help="Run the admission webhook (validating and mutating).")
@click.option("--admission", is_flag=True, help="Serve Kubernetes AdmissionReview v1.")
@click.option(
    "--policy",
    "policy_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Gate policy YAML (docs/policy.md).",
)
@click.option("--tls-cert", required=True, type=click.Path(dir_okay=False), help="PEM chain.")
@click.option("--tls-key", required=True, type=click.Path(dir_okay=False), help="PEM key.")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")  # noqa: S104 - the API server must reach it
@click.option("--port", type=click.IntRange(0, 65535), default=8443, show_default=True)
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
def serve(**kw: Any) -> None:  # fmt: skip
    """Serve /validate and /mutate (AdmissionReview v1) over HTTPS, and /healthz.

    /mutate pins every container image tag to its digest (JSONPatch);
    /validate verifies signatures, the allowed registries and digest pinning, and
    the runtime hardening rules of the gate policy, and answers allow or deny.
    """
    if not kw["admission"]:
        raise UsageError("only the admission webhook is available", hint="add --admission")
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
    service = AdmissionService(config, audit=AuditLog(stream))
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
