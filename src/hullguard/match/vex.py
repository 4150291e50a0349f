"""VEX input: OpenVEX and CycloneDX VEX documents -> :class:`VexStatement`.

OpenVEX (v0.0.1 and v0.2.0): ``statements[]`` with ``vulnerability`` (a
string or ``{name, aliases}``), ``products`` (strings or ``{@id,
subcomponents}``), ``status`` and ``justification``/``impact_statement``.
Package purls of products and subcomponents restrict the statement; a product
that is an image (``pkg:oci``/``pkg:docker``) without subcomponents covers
every package. CycloneDX: ``vulnerabilities[]`` with ``id``,
``analysis.state`` (``not_affected``/``false_positive`` -> not_affected,
``resolved`` -> fixed, ``exploitable``/``in_triage`` -> affected) and
``affects[].ref`` (a purl, or a ``bom-ref`` resolved through ``components``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hullguard.match.model import VexStatement
from hullguard.match.suppress import SuppressionError

_IMAGE_TYPES = ("pkg:oci/", "pkg:docker/")
_CDX_STATES = {
    "not_affected": "not_affected",
    "false_positive": "not_affected",
    "resolved": "fixed",
    "resolved_with_pedigree": "fixed",
    "exploitable": "affected",
    "in_triage": "under_investigation",
}


def _product_purls(products: Any) -> tuple[str, ...]:
    out: list[str] = []
    for product in products or ():
        ident = product if isinstance(product, str) else (product or {}).get("@id", "")
        subs = [] if isinstance(product, str) else product.get("subcomponents") or []
        sub_ids = [s if isinstance(s, str) else s.get("@id", "") for s in subs]
        out.extend(i for i in sub_ids if i.startswith("pkg:"))
        if ident.startswith("pkg:") and not ident.startswith(_IMAGE_TYPES):
            out.append(ident)
    return tuple(sorted(set(out)))


def _openvex(doc: dict[str, Any], source: str) -> Iterator[VexStatement]:
    for index, st in enumerate(doc.get("statements") or ()):
        vuln = st.get("vulnerability") if isinstance(st, dict) else None
        names = [vuln] if isinstance(vuln, str) else []
        if isinstance(vuln, dict):
            names = [vuln.get("name", ""), *(vuln.get("aliases") or ())]
        status = str(st.get("status", "")) if isinstance(st, dict) else ""
        if not names or not names[0] or not status:
            raise SuppressionError(f"{source}: statement {index + 1} lacks vulnerability/status")
        reason = str(st.get("justification") or st.get("impact_statement") or "")
        for name in names:
            yield VexStatement(
                str(name), status, reason, source, "openvex", _product_purls(st.get("products"))
            )


def _cdx_refs(doc: dict[str, Any]) -> dict[str, str]:
    refs: dict[str, str] = {}
    stack = list(doc.get("components") or ())
    while stack:
        comp = stack.pop()
        if isinstance(comp, dict):
            if comp.get("bom-ref") and comp.get("purl"):
                refs[str(comp["bom-ref"])] = str(comp["purl"])
            stack.extend(comp.get("components") or ())
    return refs


def _cyclonedx(doc: dict[str, Any], source: str) -> Iterator[VexStatement]:
    refs = _cdx_refs(doc)
    for index, vuln in enumerate(doc.get("vulnerabilities") or ()):
        analysis = vuln.get("analysis") or {}
        state = _CDX_STATES.get(str(analysis.get("state", "")))
        if not vuln.get("id") or state is None:
            raise SuppressionError(f"{source}: vulnerability {index + 1} lacks id/analysis.state")
        products = []
        for affect in vuln.get("affects") or ():
            ref = str(affect.get("ref", ""))
            ref = refs.get(ref, ref.split("#", 1)[-1] if ref.startswith("urn:cdx:") else ref)
            if ref.startswith("pkg:"):
                products.append(ref)
        reason = str(analysis.get("justification") or analysis.get("detail") or "")
        yield VexStatement(
            str(vuln["id"]), state, reason, source, "cyclonedx-vex", tuple(sorted(products))
        )


def parse_vex(data: bytes, source: str) -> tuple[VexStatement, ...]:
    """Statements of an OpenVEX or CycloneDX VEX JSON document."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise SuppressionError(f"{source} is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise SuppressionError(f"{source} is not a VEX document")
    try:
        if "statements" in doc:
            return tuple(_openvex(doc, source))
        if doc.get("bomFormat") == "CycloneDX":
            return tuple(_cyclonedx(doc, source))
    except (AttributeError, TypeError) as exc:
        raise SuppressionError(f"{source}: unexpected VEX structure ({exc})") from exc
    raise SuppressionError(
        f"{source} is neither OpenVEX (statements) nor CycloneDX (bomFormat)",
        hint="give an OpenVEX or CycloneDX VEX JSON document",
    )
