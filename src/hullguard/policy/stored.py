"""Stored scan results (inventory rows) as the gate's inputs (sans-I/O).

The webhook does not scan: it judges an image by what ``hullguard inventory
add`` stored for its digest. These converters rebuild the matcher's
:class:`~hullguard.match.model.Finding` and the secret scanner's
:class:`~hullguard.scan.image_secrets.ImageSecret` from inventory rows, filling
only what the gate evaluates; a secret's redacted excerpt is not stored, so its
fingerprint stands in as the evidence.
"""

from __future__ import annotations

from hullguard.catalog.sbom_input import _PURL_TYPES
from hullguard.inventory.interface import StoredFinding, StoredSecret
from hullguard.match.model import Finding, FindingStatus
from hullguard.model.package import PackageType
from hullguard.model.severity import Severity as ModelSeverity
from hullguard.scan.image_secrets import ImageSecret
from hullguard.secrets import SecretMatch
from hullguard.secrets.interface import RuleId, SecretCategory
from hullguard.vulndb.interface import Severity


def _purl_type(purl: str) -> PackageType:
    kind = purl.removeprefix("pkg:").partition("/")[0]
    return _PURL_TYPES.get(kind, PackageType.BINARY)


def _severity(text: str, enum: type[Severity] | type[ModelSeverity]) -> str:
    return text.upper() if text.upper() in enum.__members__ else "UNKNOWN"


def finding_of(row: StoredFinding) -> Finding:
    """A matcher finding from a stored one (fix known -> status ``fixed``)."""
    return Finding(
        vuln_id=row.vuln_id,
        aliases=row.aliases,
        package_name=row.package,
        package_version=row.version,
        package_type=_purl_type(row.purl),
        purl=row.purl,
        installed_version=row.version,
        fixed_versions=row.fixed,
        status=FindingStatus.FIXED if row.fixed else FindingStatus.AFFECTED_NO_FIX,
        severity=Severity(_severity(row.severity, Severity)),
        severity_source="inventory",
        cvss_score=None,
        cvss_vector="",
        title="",
        namespace="",
        lookup_name=row.package,
        data_source="inventory",
    )


def secret_of(row: StoredSecret) -> ImageSecret:
    """A placed secret finding from a stored one (the fingerprint is the evidence)."""
    try:
        category = SecretCategory(row.category)
    except ValueError:  # a category of a newer hullguard: judge it as a token
        category = SecretCategory.TOKEN
    match = SecretMatch(
        path=row.path,
        line=row.line,
        column=0,
        rule_id=RuleId(row.rule_id),
        category=category,
        severity=ModelSeverity(_severity(row.severity, ModelSeverity)),
        title=row.title,
        redacted=f"fingerprint {row.fingerprint[:16]}",
        fingerprint=row.fingerprint,
    )
    layer = row.layer if row.layer >= 0 else None
    return ImageSecret(match, row.origin, layer=layer, status=row.status)
