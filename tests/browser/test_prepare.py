"""A dataset made by `atalaya prepare` from raw inputs is served by the app: the About page shows its
title and indicators, the map pages open clean, and its boundaries are served by the geometry route."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from analytics.prepare import prepare
from tests.browser.conftest import LiveServer, wait_for_dash
from tests.prepare_fixtures import make_raw_inputs


@pytest.fixture(scope="module")
def prepared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from app import create_app

    base = tmp_path_factory.mktemp("prep_browser")
    res = prepare(make_raw_inputs(base / "in"), base / "out")
    assert res.exit_code == 0
    server = LiveServer(create_app(res.out_dir))
    yield server
    server.stop()


def test_prepared_dataset_is_served(page, prepared_server) -> None:
    page.goto(prepared_server.url + "/about")
    wait_for_dash(page)
    body = page.locator("#page-content").inner_text()
    assert "Prueba de preparación" in body
    assert "Homicidio doloso" in body and "Feminicidio" in body
    assert "Invented test data" not in body  # Spanish first
    assert page.locator("#synthetic-banner").is_visible()  # the mapping says synthetic: true
    assert "Datos de prueba inventados" in body  # its note, on the About page
    ctx = prepared_server.app.server.config["ATALAYA_CONTEXT"]
    for level, n in ((1, 2), (2, 5)):
        resp = page.request.get(prepared_server.url + ctx.boundary_url(level))
        assert resp.ok
        feats = resp.json()["features"]
        assert len(feats) == n and all(f["id"] == f["properties"]["territory_id"] for f in feats)
    page.goto(prepared_server.url + "/map")
    wait_for_dash(page)
    assert page.locator("h1").first.is_visible()


def test_the_datasets_level_names_and_english_sources_show(page, prepared_server) -> None:
    """The prepared fixture calls its levels Estado/State and Alcaldía/Borough (a feminine noun) and gives
    its source an English title: the map, the nav and the About page say so in both languages, and the
    trends page says which parts this dataset cannot fill (no events, no national rates, no survey)."""
    page.goto(prepared_server.url + "/map")
    wait_for_dash(page)
    page.wait_for_selector("#map-graph .js-plotly-plot")
    assert page.locator("label[for='map-dept']").inner_text() == "Estado"
    assert page.locator("#map-level label").all_inner_texts() == ["Alcaldías", "Estados"]
    assert page.locator("#map-search").get_attribute("placeholder") == "Buscar alcaldía o estado…"
    assert "haga clic en una alcaldía" in page.locator(".map-page p").first.inner_text()
    assert page.locator(".atalaya-navbar .nav-link", has_text="Alcaldía").count() == 1
    assert "Tabla de prueba con el formato SESNSP" in page.locator("#map-source").inner_text()
    page.locator("#lang-switch label", has_text="EN").click()
    page.wait_for_function("() => document.querySelector(\"label[for='map-dept']\")"
                           " && document.querySelector(\"label[for='map-dept']\").innerText === 'State'")
    wait_for_dash(page)
    assert page.locator("#map-level label").all_inner_texts() == ["Boroughs", "States"]
    assert "Source: Test table in the SESNSP layout" in page.locator("#map-source").inner_text()
    assert page.locator(".atalaya-navbar .nav-link", has_text="Borough").count() == 1
    page.goto(prepared_server.url + "/about?lang=en")
    wait_for_dash(page)
    assert "Test table in the SESNSP layout" in page.locator("#about-sources").inner_text()
    page.goto(prepared_server.url + "/trends")
    wait_for_dash(page)
    for id_ in ("trends-ba-none", "trends-cc-none", "trends-trust-none"):
        assert page.locator(f"#{id_}").is_visible(), id_
    assert not page.locator("#trends-cc-graph").is_visible()  # the empty chart is not drawn
