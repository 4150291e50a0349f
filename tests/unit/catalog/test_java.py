"""Java cataloger on Syft's jar-metadata fixtures (syft/pkg/cataloger/java/testdata).

Like Syft's own tests, each ``jar-metadata/<name>`` directory is zipped into a jar in
memory; the expected coordinates are those in its pom.properties / pom.xml /
MANIFEST.MF.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hullguard.catalog.java import (
    MAX_DEPTH,
    JavaArchiveCataloger,
    archive_packages,
    parse_manifest,
    parse_properties,
)


@pytest.fixture(scope="module")
def java(syft_catalogers: Path) -> Path:
    return syft_catalogers / "java" / "testdata"


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in sorted(entries.items()):
            zf.writestr(name, data)
    return buf.getvalue()


def _jar_of(directory: Path) -> bytes:
    return _zip(
        {str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()}
    )


def _coords(data: bytes, name: str = "/app/x.jar") -> list[tuple[str, str, str]]:
    return sorted((p.meta("groupId"), p.name, p.version) for p in archive_packages(name, data))


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "api-all-2.0.0-sources",
            [
                ("org.apache.directory.api", "api-all", "2.0.0"),
                ("org.apache.directory.api", "api-asn1-api", "2.0.0"),
            ],
        ),
        (
            "multiple-matching-2.11.5",
            [("org.multiple", f"multiple-matching-{i}", "2.11.5") for i in (1, 2, 3)],
        ),
        ("opensaml-core-3.4.6", [("org.opensaml", "opensaml-core", "3.4.6")]),
        (
            "org.multiple-thename",
            [("com.multiple", "thename", "10.11.12"), ("org.multiple", "thename", "10.11.12")],
        ),
        ("jackson-core-2.15.2", [("com.fasterxml.jackson.core", "jackson-core", "2.15.2")]),
        ("micronaut-aop-4.9.11", [("io.micronaut", "micronaut-aop", "4.9.11")]),
    ],
)
def test_jar_metadata(java: Path, fixture: str, expected: list[tuple[str, str, str]]) -> None:
    assert _coords(_jar_of(java / "jar-metadata" / fixture)) == expected


def test_purl_and_evidence(java: Path) -> None:
    [pkg] = archive_packages("/app/lib/o.jar", _jar_of(java / "jar-metadata/opensaml-core-3.4.6"))
    assert pkg.purl == "pkg:maven/org.opensaml/opensaml-core@3.4.6"
    assert pkg.evidence[0].path == "/app/lib/o.jar"
    assert pkg.meta("metadataSource") == "pom.properties"


def test_nested_war(java: Path) -> None:
    inner = _jar_of(java / "jar-metadata/opensaml-core-3.4.6")
    war = _zip({"WEB-INF/lib/opensaml-core-3.4.6.jar": inner, "index.html": b"hi"})
    [pkg] = archive_packages("/srv/app.war", war)
    assert pkg.name == "opensaml-core"
    assert pkg.evidence[0].path == "/srv/app.war"
    assert pkg.meta("virtualPath") == "app.war:WEB-INF/lib/opensaml-core-3.4.6.jar"


def test_nesting_depth_is_bounded(java: Path) -> None:
    data = _jar_of(java / "jar-metadata/opensaml-core-3.4.6")
    for level in range(MAX_DEPTH + 2):
        data = _zip({f"lib/l{level}.jar": data})
    assert archive_packages("/deep.jar", data) == []


def test_file_name_fallback() -> None:
    jar = _zip({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n"})
    [pkg] = archive_packages("/opt/lib/guava-31.1-jre.jar", jar)
    assert (pkg.name, pkg.version) == ("guava", "31.1-jre")


def test_not_a_zip(java: Path) -> None:
    data = (java / "corrupt/example.jar").read_bytes()
    assert JavaArchiveCataloger().catalog({"/x/example.jar": data}, None) == []


def test_manifest_continuation(java: Path) -> None:
    fields = parse_manifest((java / "manifest/continuation").read_text())
    assert (
        fields["Plugin-ScmUrl"] == "https://github.com/jenkinsci/plugin-pom/example-jenkins-plugin"
    )


@pytest.mark.parametrize(
    ("name", "artifact", "version"),
    [
        ("small.pom.properties", "example-java-app-maven", "0.1.0"),
        ("colon-delimited.pom.properties", "example-java-app-maven", "0.1.0"),
        ("extra.pom.properties", "example-java-app-maven", "0.1.0"),
        # the first delimiter on a line wins; the other one stays in the value
        (
            "equals-delimited-with-colons.pom.properties",
            "example-java:app-maven",
            "0.1.0:something",
        ),
        ("colon-delimited-with-equals.pom.properties", "example-java=app-maven", "0.1.0=something"),
    ],
)
def test_pom_properties_variants(java: Path, name: str, artifact: str, version: str) -> None:
    props = parse_properties((java / "pom" / name).read_text())
    assert (props["groupId"], props["artifactId"], props["version"]) == (
        "org.anchore",
        artifact,
        version,
    )


def test_wants() -> None:
    c = JavaArchiveCataloger()
    assert c.wants("/a/b.jar") and c.wants("/a/b.WAR") and c.wants("/a/b.ear")
    assert not c.wants("/a/b.zip")
