"""The dashboard in a real browser: Debian's Chromium driven by Playwright.

A real ``hullguard serve`` process serves a real inventory; the test types a
package name into the search box, submits, and checks the result table against
the CLI's own ``inventory who-has -f json`` answer; then opens the image page and
checks each finding names the layer its package came from. Screenshots are kept
in the test artifact directory.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: without these Chromium tries to reach the network (closed here) and a GPU
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail("chromium is not installed (apt-get install chromium; see the Makefile)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _screenshot(page: Any, artifacts: Path, name: str, full_page: bool = True) -> Path:
    path = artifacts / name
    page.screenshot(path=str(path), full_page=full_page)
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 10_000, (path, len(data))
    return path


def _cells(page: Any, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def test_search_for_a_package_then_open_the_image(
    page: Any, read_server: Any, cli_json: Any, artifacts: Path, app_ref: str
) -> None:
    expected = cli_json("inventory", "who-has", "pypi:urllib3", "--database",
                        str(read_server.database))["matches"]  # fmt: skip
    assert expected, "the test image has urllib3"
    page.goto(read_server.url + "/")
    assert page.title().startswith("Overview")
    overview = page.locator("#images").inner_text()
    assert app_ref in overview
    _screenshot(page, artifacts, "dashboard-overview.png")

    page.fill("#package-search", "pypi:urllib3")
    page.click("#package-search-submit")
    page.wait_for_selector("#results")
    assert page.locator("#query").inner_text() == "pypi:urllib3"
    rows = page.locator("#results tbody tr")
    shown = sorted(
        (rows.nth(i).get_attribute("data-image"), _cells(rows.nth(i), ".pkg-name")[0],
         _cells(rows.nth(i), ".pkg-version")[0])
        for i in range(rows.count())
    )  # fmt: skip
    want = sorted((m["image"], m["package"]["name"], m["package"]["version"]) for m in expected)
    assert shown == want
    assert "prod-eu/shop/web" in page.locator("#results").inner_text()
    shot = _screenshot(page, artifacts, "dashboard-search.png")
    shutil.copy(shot, artifacts / "dashboard.png")

    page.locator("#results tbody tr").first.locator("a").first.click()
    page.wait_for_selector("#findings")
    digest = expected[0]["image"]
    assert page.locator("h1").inner_text() == digest
    match = cli_json("inventory", "who-has", "pypi:urllib3", "--database",
                     str(read_server.database))["matches"][0]  # fmt: skip
    step = match["layer"]  # the layer (index, blob digest, history step) that added urllib3
    findings = page.locator("#findings tbody tr")
    assert findings.count() > 0
    urllib3_rows = [findings.nth(i) for i in range(findings.count())
                    if findings.nth(i).locator("td").nth(2).inner_text() == "urllib3"]  # fmt: skip
    assert urllib3_rows, "the image page lists urllib3's findings"
    for row in urllib3_rows:
        layer = row.locator("td.layer")
        assert layer.get_attribute("title") == step["digest"]
        text = layer.inner_text()  # "#1 /bin/sh -c #(nop) COPY dir:… in /usr/local/lib/"
        assert text.startswith(f"#{step['index']} /bin/sh -c #(nop) COPY dir:")
        assert step["created_by"].startswith(text.removeprefix(f"#{step['index']} ").rstrip("…"))
    for layer in _cells(page, "#findings td.layer"):
        assert re.match(r"#\d+ \S", layer), layer  # every finding shows its history step
    _screenshot(page, artifacts, "dashboard-image.png", full_page=False)


def test_cve_lookup_and_escaping(page: Any, read_server: Any, cli_json: Any) -> None:
    expected = cli_json("inventory", "who-is-affected", "CVE-2018-18074", "--database",
                        str(read_server.database), "--db",
                        str(read_server.vulndb))  # fmt: skip
    page.goto(read_server.url + "/")
    page.fill("#cve-search", "CVE-2018-18074")
    page.press("#cve-search", "Enter")
    page.wait_for_selector("#summary")
    assert page.locator("#summary").inner_text() == f"{len(expected['images'])} image(s) affected"
    table = page.locator("#results").inner_text()
    for image in expected["images"]:
        assert image["image"][:19] in table
        for finding in image["findings"]:
            assert finding["package"] in table and finding["version"] in table
    hostile = "<img src=x onerror=alert(1)>"
    page.fill("#package-search", hostile)
    page.click("#package-search-submit")
    page.wait_for_selector("#error")
    assert page.locator("img").count() == 0  # shown as text, never as markup
    assert hostile in page.locator("#error").inner_text()


def test_deployments_and_trends_pages(page: Any, read_server: Any, cli_json: Any) -> None:
    expected = cli_json("inventory", "deployments", "--database", str(read_server.database))
    page.goto(read_server.url + "/")
    page.click('header a[href="/deployments"]')
    rows = page.locator("#deployments tbody tr")
    assert rows.count() == len(expected["deployments"]) > 0
    assert "prod-eu" in rows.first.inner_text()
    page.click('header a[href="/trends"]')
    page.wait_for_selector("#current")
    assert page.locator("svg polyline").count() >= 1  # images stored over time
    assert page.locator("#images-added tbody tr").count() >= 1
