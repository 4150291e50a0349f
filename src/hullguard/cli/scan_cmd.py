"""``hullguard scan TARGET``: run the selected scanners over a target and report.

Targets are ``KIND:REF`` strings resolved through :data:`TARGET_KINDS`; each
(scanner, target kind) pair has a runner in :data:`RUNNERS`. Only ``dir:`` with
the ``secret`` scanner exists so far; image targets and the vulnerability and
misconfiguration scanners plug in by adding entries to those registries.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hullguard.cli.options import image_options
from hullguard.cli.registry_options import registry_options
from hullguard.errors import UsageError
from hullguard.fsutil import write_text
from hullguard.model.severity import Severity
from hullguard.secrets.config import SecretConfig, parse_config
from hullguard.secrets.serialize import match_to_dict, severity_counts

if TYPE_CHECKING:  # the engine (hyperscan, RE2) is imported only by scans that look for secrets
    from hullguard.secrets import SecretMatch


class Scanner(StrEnum):
    """What ``--scanners`` can select."""

    VULN = "vuln"
    SECRET = "secret"  # noqa: S105 (a scanner name)
    MISCONFIG = "misconfig"


#: top-level key of each scanner's section in the JSON report
JSON_KEYS: dict[Scanner, str] = {
    Scanner.VULN: "vulnerabilities",
    Scanner.SECRET: "secrets",
    Scanner.MISCONFIG: "misconfigurations",
}


class TargetKind(StrEnum):
    """The ``KIND:`` prefix of a target (anything else is an image reference)."""

    DIR = "dir"
    IMAGE = "image"


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    CYCLONEDX = "cyclonedx"
    JUNIT = "junit"
    MARKDOWN = "markdown"


#: formats that only image vulnerability scans render
VULN_ONLY_FORMATS = frozenset(
    {OutputFormat.SARIF, OutputFormat.CYCLONEDX, OutputFormat.JUNIT, OutputFormat.MARKDOWN}
)


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    ref: str

    def __str__(self) -> str:
        return self.ref if self.kind is TargetKind.IMAGE else f"{self.kind.value}:{self.ref}"


@dataclass(frozen=True)
class ScanOptions:
    secret_config: SecretConfig = field(default_factory=SecretConfig)
    severities: frozenset[Severity] = frozenset(Severity)


@dataclass(frozen=True)
class SecretSection:
    """Secret scan results of one target."""

    matches: tuple[SecretMatch, ...]
    files_scanned: int
    bytes_scanned: int
    skipped: int

    def to_json(self) -> dict[str, object]:
        return {
            "findings": [match_to_dict(m) for m in self.matches],
            "summary": {
                "total": len(self.matches),
                "by_severity": severity_counts(self.matches),
                "files_scanned": self.files_scanned,
                "bytes_scanned": self.bytes_scanned,
                "files_skipped": self.skipped,
            },
        }


Runner = Callable[[Target, ScanOptions], SecretSection]


def _secrets_in_dir(target: Target, options: ScanOptions) -> SecretSection:
    from hullguard.secrets.dirscan import scan_directory
    from hullguard.secrets.scanner import SecretScanner

    result = scan_directory(target.ref, SecretScanner(options.secret_config))
    kept = tuple(m for m in result.matches if m.severity in options.severities)
    return SecretSection(kept, result.files_scanned, result.bytes_scanned, len(result.skipped))


#: (scanner, target kind) -> runner; missing pairs are reported as unavailable.
#: Image targets are scanned by :mod:`hullguard.cli.scan_image` in one pass.
RUNNERS: dict[tuple[Scanner, TargetKind], Runner] = {
    (Scanner.SECRET, TargetKind.DIR): _secrets_in_dir,
}
#: scanners available for image targets
IMAGE_SCANNERS: tuple[Scanner, ...] = (Scanner.VULN, Scanner.SECRET, Scanner.MISCONFIG)
#: what an image scan runs when --scanners is not given (as Trivy: vuln and secret)
IMAGE_DEFAULT: tuple[Scanner, ...] = (Scanner.VULN, Scanner.SECRET)


def parse_target(text: str) -> Target:
    """``dir:PATH``, or an image reference (see ``hullguard image --help``)."""
    kind, sep, ref = text.partition(":")
    if sep and kind == TargetKind.DIR.value:
        if not ref:
            raise UsageError("missing path in dir: target", hint="use dir:PATH")
        return Target(TargetKind.DIR, ref)
    if not text.strip():
        raise UsageError("empty scan target", hint="name an image or dir:PATH")
    return Target(TargetKind.IMAGE, text)


def _available(scanner: Scanner, kind: TargetKind) -> bool:
    if kind is TargetKind.IMAGE:
        return scanner in IMAGE_SCANNERS
    return (scanner, kind) in RUNNERS


def _parse_scanners(text: str | None, kind: TargetKind) -> tuple[Scanner, ...]:
    if text is None:
        if kind is TargetKind.IMAGE:
            return IMAGE_DEFAULT
        return tuple(s for s in Scanner if _available(s, kind))
    chosen: list[Scanner] = []
    for name in (n.strip() for n in text.split(",") if n.strip()):
        try:
            scanner = Scanner(name)
        except ValueError:
            valid = ", ".join(s.value for s in Scanner)
            raise UsageError(f"unknown scanner {name!r}", hint=f"use one of: {valid}") from None
        if not _available(scanner, kind):
            raise UsageError(
                f"the {scanner.value} scanner is not available for {kind.value}: targets"
            )
        chosen.append(scanner)
    if not chosen:
        raise UsageError("--scanners is empty")
    return tuple(dict.fromkeys(chosen))


def load_secret_config(path: str | None) -> SecretConfig:
    """A ``--secret-config`` file: hullguard YAML, or a gitleaks ``.toml`` rule file."""
    if path is None:
        return SecretConfig()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read secret config {path}: {exc.strerror}") from None
    if path.endswith(".toml"):
        from hullguard.secrets.gitleaks import parse_gitleaks_toml

        config, warnings = parse_gitleaks_toml(data, path)
        for warning in warnings:
            click.echo(f"hullguard: warning: {warning}", err=True)
        return config
    return parse_config(data, path)


def render_table(target: Target, sections: dict[Scanner, SecretSection]) -> str:
    lines = [f"Target: {target}"]
    section = sections.get(Scanner.SECRET)
    if section is not None:
        counts = ", ".join(f"{k}: {v}" for k, v in severity_counts(section.matches).items())
        lines.append(f"Secrets: {len(section.matches)} ({counts})")
        if section.matches:
            rows = [("SEVERITY", "RULE", "LOCATION", "SECRET", "NOTE")]
            rows += [
                (m.severity.value, m.rule_id, _location(m), m.redacted, m.note or m.title)
                for m in section.matches
            ]
            widths = [max(len(r[i]) for r in rows) for i in range(4)]
            for row in rows:
                cells = [c.ljust(w) for c, w in zip(row[:4], widths, strict=True)]
                lines.append("  ".join([*cells, row[4]]).rstrip())
    return "\n".join(lines) + "\n"


def _location(m: SecretMatch) -> str:
    return f"{m.path}:{m.line}" if m.line else m.path


def render_json(target: Target, sections: dict[Scanner, SecretSection]) -> str:
    doc: dict[str, object] = {
        "target": str(target),
        "scanners": [s.value for s in sections],
    }
    for scanner, section in sections.items():
        doc[JSON_KEYS[scanner]] = section.to_json()
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


RENDERERS: dict[OutputFormat, Callable[[Target, dict[Scanner, SecretSection]], str]] = {
    OutputFormat.TABLE: render_table,
    OutputFormat.JSON: render_json,
}


def write_output(text: str, output: str | None) -> None:
    """To stdout, or to ``output`` (atomically for regular files)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_text(output, text)


def _severities(text: str | None) -> frozenset[Severity]:
    if not text:
        return frozenset(Severity)
    return frozenset(Severity.parse(s) for s in text.split(",") if s.strip())


def _exit(code: int, exit_code: int) -> None:
    """``code`` is -1 for "findings, no gate", 1 for gate failed, 0 for nothing."""
    if code == 1:
        raise click.exceptions.Exit(1)
    if code == -1 and exit_code:
        raise click.exceptions.Exit(exit_code)


F = TypeVar("F", bound=Callable[..., Any])


def scan_vuln_options(command: F) -> F:
    """The vulnerability flags of ``@vuln_options`` minus its ``--severity`` (ours is a list)."""
    from hullguard.cli.vuln_options import vuln_options

    wrapped = vuln_options(command)
    params = getattr(wrapped, "__click_params__", [])
    wrapped.__click_params__ = [  # type: ignore[attr-defined]
        p for p in params if not (p.name == "severity" and p.default)
    ]
    return wrapped


@click.command(
    name="scan", short_help="Scan an image, dir or SBOM: vulnerabilities, secrets, misconfig."
)
@click.argument("target", metavar="TARGET", required=False)
@click.option(
    "--scanners", help="Comma-separated: vuln, secret, misconfig (images default: vuln,secret)."
)
@click.option(
    "-f", "--format", "fmt", type=click.Choice([f.value for f in OutputFormat]), default="table",
    show_default=True, help="Report format.",
)  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option(
    "--secret-config", type=click.Path(dir_okay=False), help="Secret rules: YAML or gitleaks TOML."
)
@click.option(
    "--severity",
    help="Report only these severities (comma-separated, e.g. CRITICAL,HIGH); display only.",
)
@click.option(
    "--sbom",
    "sbom_file",
    type=click.Path(dir_okay=False),
    help="Scan the packages of an existing CycloneDX/SPDX SBOM (no image needed).",
)
@click.option(
    "--exit-code",
    type=int,
    default=0,
    show_default=True,
    help="Exit code when findings are reported.",
)
@image_options
@registry_options
@scan_vuln_options
@click.pass_context
def scan(
    ctx: click.Context,
    /,
    target: str | None,
    scanners: str | None,
    fmt: str,
    output: str | None,
    secret_config: str | None,
    severity: str | None,
    exit_code: int,
    sbom_file: str | None,
    **kw: Any,
) -> None:
    """Scan TARGET: an image (see `hullguard image --help`), dir:PATH, or --sbom FILE.

    \b
    Scanners (--scanners, default for images: vuln,secret):
      vuln       known vulnerabilities of OS and language packages (needs `hullguard db`)
      secret     keys and tokens in every layer, the config and the build history
      misconfig  image hardening: root user, shell, package manager, setuid,
                 world-writable dirs, sshd, end-of-life OS

    Image scans cover every layer, including files a later layer deleted or
    overwritten (still extractable), the image config and the build history.
    """
    if sbom_file is not None or (target or "").startswith("sbom:"):
        from hullguard.cli.scan_image import run_sbom_scan

        path = sbom_file or (target or "")[len("sbom:") :]
        text, code = run_sbom_scan(ctx, path, OutputFormat(fmt), _severities(severity), kw)
        write_output(text, output)
        _exit(code, exit_code)
        return
    if not target:
        raise UsageError("missing TARGET", hint="name an image, dir:PATH, or use --sbom FILE")
    tgt = parse_target(target)
    chosen = _parse_scanners(scanners, tgt.kind)
    options = ScanOptions(load_secret_config(secret_config), _severities(severity))
    if OutputFormat(fmt) in VULN_ONLY_FORMATS and (
        tgt.kind is not TargetKind.IMAGE or Scanner.VULN not in chosen
    ):
        raise UsageError(f"--format {fmt} renders vulnerability scans of images only")
    if tgt.kind is TargetKind.IMAGE:
        from hullguard.cli.scan_image import run_image_scan

        text, code = run_image_scan(ctx, tgt, chosen, options, OutputFormat(fmt), kw)
        write_output(text, output)
        _exit(code, exit_code)
        return
    sections = {s: RUNNERS[(s, tgt.kind)](tgt, options) for s in chosen}
    write_output(RENDERERS[OutputFormat(fmt)](tgt, sections), output)
    if exit_code and any(section.matches for section in sections.values()):
        raise click.exceptions.Exit(exit_code)
