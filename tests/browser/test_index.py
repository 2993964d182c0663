"""The VAWG index page in a real browser: the ranking follows analytics/vawg_index for the weights set
with the sliders (keyboard), reset restores the default, a selected municipality's contribution chart
matches analytics, downloads carry every row, English works, and the console stays clean."""

from __future__ import annotations

import csv
import io
import re

import pytest

from analytics import vawg_index as vi
from tests.browser.conftest import broken_header_words, wait_for_dash

TOP = 12  # rows compared (the grid renders only the rows in view)


def demo_config(demo_server) -> tuple[object, vi.IndexConfig]:
    ds = demo_server.app.server.config["ATALAYA_CONTEXT"].dataset
    return ds, vi.parse_index_config(ds.index_config, list(ds.indicators.index))


def expected_order(demo_server, weights: list[float], **method) -> list[str]:
    ds, cfg = demo_config(demo_server)
    res = vi.compute_index(ds, cfg.with_method(**method) if method else cfg, weights=weights)
    ranking = vi.ranking_table(res)
    return ranking.index[:TOP].tolist()


def grid_order(page) -> list[str]:
    """Territory ids of the first rows as displayed (the pinned-left part holds every rendered row)."""
    return page.evaluate(
        """(n) => Array.from(document.querySelectorAll('#index-grid .ag-pinned-left-cols-container .ag-row'))
                .map(r => [Number(r.getAttribute('row-index')), r.getAttribute('row-id')])
                .sort((a, b) => a[0] - b[0]).slice(0, n).map(x => x[1])""",
        TOP,
    )


def wait_for_order(page, order: list[str]) -> None:
    page.wait_for_function(
        """(ids) => {
            const rows = Array.from(document.querySelectorAll('#index-grid .ag-pinned-left-cols-container .ag-row'))
                .map(r => [Number(r.getAttribute('row-index')), r.getAttribute('row-id')])
                .sort((a, b) => a[0] - b[0]).map(x => x[1]);
            return ids.every((id, i) => rows[i] === id);
        }""",
        arg=order,
        timeout=60_000,
    )


def open_index(page, demo_server, query: str = "") -> None:
    page.goto(demo_server.url + "/index" + query)
    wait_for_dash(page)
    page.wait_for_selector("#index-grid .ag-pinned-left-cols-container .ag-row", timeout=90_000)


def test_weights_ranking_reset_selection_and_downloads(page, demo_server):
    open_index(page, demo_server)
    assert "no es el índice oficial (IPTVCM)" in page.locator("#index-not-official").inner_text()
    assert "sintéticos" in page.locator("#index-synthetic").inner_text()
    default = expected_order(demo_server, [25, 25, 25, 25])
    wait_for_order(page, default)
    assert broken_header_words(page) == []  # e.g. "Rango" beside its sort arrow, whole

    # keyboard on the "Factores de riesgo" slider: End moves it to 100
    risk = page.locator('[id*="risk"][id*="index-weight"] [role="slider"]')
    risk.focus()
    risk.press("End")
    page.wait_for_function("() => document.querySelector('[id*=\"risk\"][id*=\"index-weight\"] [role=slider]')"
                           ".getAttribute('aria-valuenow') === '100'")
    moved = expected_order(demo_server, [25, 25, 25, 100])
    assert moved != default
    wait_for_order(page, moved)
    page.wait_for_url(re.compile(r"w=25%2C25%2C25%2C100|w=25,25,25,100"))
    assert "Factores de riesgo 57" in page.locator("#index-weight-shares").inner_text()  # 100/175
    # the map received only the new values and still is the choropleth, coloured as analytics says
    ds, cfg = demo_config(demo_server)
    groups = vi.compute_index(ds, cfg, weights=[25, 25, 25, 100]).group
    page.wait_for_function(
        """(exp) => { const g = document.querySelector('#index-map .js-plotly-plot');
            if (!g || !g.data || g.data[0].type !== 'choroplethmap') return false;
            const z = Object.fromEntries(g.data[0].locations.map((l, i) => [l, g.data[0].z[i]]));
            return Object.entries(exp).every(([l, v]) => z[l] === v); }""",
        arg={tid: 6 - int(g) for tid, g in groups.items()},
    )

    # the "change vs default" column says how far the first row moved
    res_default = vi.compute_index(ds, cfg)
    res_new = vi.compute_from_inputs(res_default.inputs, cfg, weights=[25, 25, 25, 100])
    first = moved[0]
    change = int(vi.rank_change(res_new, res_default)[first])
    cell = page.locator(f'#index-grid .ag-center-cols-container .ag-row[row-id="{first}"] [col-id="rank_change"]')
    expected_text = "=" if change == 0 else ("▲ " if change > 0 else "▼ ") + str(abs(change))
    assert cell.inner_text().strip() == expected_text

    # typing a weight in the slider's box works too (Property → 0)
    box = page.locator('[id*="property"][id*="index-weight"] input[type="number"]')
    box.fill("0")
    box.press("Tab")
    wait_for_order(page, expected_order(demo_server, [25, 25, 0, 100]))

    # method choice: rank normalization
    page.locator("label", has_text="Percentil del rango").click()
    wait_for_order(page, expected_order(demo_server, [25, 25, 0, 100], normalization="rank"))
    assert "norm=rank" in page.url

    # reset restores the default order and URL
    page.locator("#index-reset").click()
    wait_for_order(page, default)
    page.wait_for_function("() => !location.search.includes('w=') && !location.search.includes('norm=')")

    # select a municipality in the ranking: the contribution chart matches analytics
    tid = default[2]
    page.locator(f'#index-grid .ag-pinned-left-cols-container .ag-row[row-id="{tid}"] [col-id="name"]').click()
    page.wait_for_selector("#index-detail-name")
    assert ds.name(tid) in page.locator("#index-detail-name").inner_text()
    page.wait_for_function("() => { const g = document.querySelector('#index-contrib .js-plotly-plot');"
                           " return g && g.data && g.data.length === 4; }")
    shown = page.evaluate("() => document.querySelector('#index-contrib .js-plotly-plot').data"
                          ".map(tr => [tr.name, tr.y[0]])")
    contrib = res_default.contributions.loc[tid]
    assert [x for _, x in shown] == pytest.approx([round(float(contrib[d]), 2) for d in cfg.dimension_ids], abs=0.006)
    assert [n for n, _ in shown] == ["Vida", "Integridad", "Patrimonio", "Factores de riesgo"]
    assert f"sel={tid}" in page.url
    page.wait_for_function("(tid) => { const g = document.querySelector('#index-map .js-plotly-plot');"
                           " return !!(g && g.data && g.data[2] && g.data[2].locations.length === 1 && g.data[2].locations[0] === tid); }", arg=tid)
    rank_text = page.locator("#index-detail-rank").inner_text()
    assert f"Rango 3 de {len(res_default.score)}" in rank_text
    rows = page.locator("#index-indicators tbody tr")
    assert rows.count() == len(cfg.indicator_ids)

    # download the ranking CSV: every municipality, every column
    with page.expect_download() as dl:
        page.locator("#index-dl-csv-btn").click()
    text = open(dl.value.path(), encoding="utf-8").read()
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(res_default.score)
    assert table[0]["territory_id"] == default[0]
    for col in ("score", "rank", "group", "group_label", "rank_p05", "rank_p95", "median_rank", "share_top_group",
                "rank_change", "dim_life", "dim_risk", "n_imputed", "in_top_n", "index_method", "synthetic_data"):
        assert col in table[0], col
    assert float(table[0]["score"]) == pytest.approx(float(res_default.score[default[0]]))


def test_english_map_and_shared_state(page, demo_server):
    ds, cfg = demo_config(demo_server)
    tid = vi.ranking_table(vi.compute_index(ds, cfg)).index[0]
    open_index(page, demo_server, f"?lang=en&w=50,25,25,0&color=score&sel={tid}")
    assert page.locator("h1").first.inner_text() == cfg.label_en
    assert "not the official index (IPTVCM)" in page.locator("#index-not-official").inner_text()
    wait_for_order(page, expected_order(demo_server, [50, 25, 25, 0]))
    assert broken_header_words(page) == []
    group_cells = page.locator("#index-grid .ag-center-cols-container [col-id='group_label']").all_inner_texts()
    assert any(g.endswith("priority") for g in group_cells)
    assert page.locator(".index-radio label", has_text="Min–max (0–100)").count() == 1
    # the map is coloured by the score, as the shared URL says
    page.wait_for_function("() => { const g = document.querySelector('#index-map .js-plotly-plot');"
                           " return g && g.layout && g.layout.title && g.layout.title.text.startsWith('Index score'); }")
    assert page.evaluate("() => document.querySelector('#index-map .js-plotly-plot').data[2].locations") == [tid]
    page.wait_for_selector("#index-detail-name")
    assert "Rank " in page.locator("#index-detail-rank").inner_text()
    method = page.locator("#index-methodology").inner_text()
    assert "1. Framework" in method and "Life 50%" in method and "9. Uncertainty" in method
