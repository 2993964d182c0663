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
