"""JUnit XML for CI systems that display test reports.

One test case per finding (``ID package@version``): a ``<failure>`` when the
finding is at or above ``--fail-on`` (every finding when no threshold is
set), passing otherwise; suppressed findings are ``<skipped>`` with their
reason. Built with ElementTree so text is always escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hullguard.match.model import Finding, VulnReport
from hullguard.report.vuln_json import RenderContext


def _fails(finding: Finding, report: VulnReport) -> bool:
    threshold = report.decision.threshold
    return threshold is None or finding.severity.rank >= threshold.rank


def _case(parent: ET.Element, finding: Finding, report: VulnReport) -> bool:
    case = ET.SubElement(
        parent,
        "testcase",
        classname=f"{finding.package_type.value}.{finding.package_name}",
        name=f"{finding.vuln_id} {finding.package_name}@{finding.package_version}",
    )
    fixed = ", ".join(finding.fixed_versions) or "none"
    if finding.suppression is not None:
        ET.SubElement(case, "skipped", message=finding.suppression.reason)
        return False
    if _fails(finding, report):
        failure = ET.SubElement(
            case,
            "failure",
            message=f"{finding.severity.value}: {finding.title}",
            type="vulnerability",
        )
        failure.text = (
            f"{finding.vuln_id} ({finding.severity.value}, {finding.status.value}) in "
            f"{finding.purl}; installed {finding.installed_version}; fixed in {fixed}"
        )
        return True
    return False


def render_junit(report: VulnReport, context: RenderContext | None = None) -> str:
    suites = ET.Element("testsuites", name="hullguard")
    suite = ET.SubElement(suites, "testsuite", name=f"vulnerabilities {report.target}".strip())
    findings = [*report.displayed, *report.suppressed]
    failures = sum(_case(suite, f, report) for f in findings)
    suite.set("tests", str(len(findings)))
    suite.set("failures", str(failures))
    suite.set("skipped", str(len(report.suppressed)))
    suite.set("errors", "0")
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
