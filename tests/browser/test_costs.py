"""The costs page in a real browser: switch country, study and unit; the key-figure strip and the charts show
what analytics/costs.py computes for the same selection; the CSV download is the data behind the view; URL
state round-trips; English works; the console stays clean (the `page` fixture checks it)."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from analytics import costs as ac
from callbacks import costs as cb
from components.formatting import fmt_number, fmt_percent
from tests.browser.conftest import wait_for_dash

UNDP, IDB = "undp_infosegura_2019", "idb_2017"


def ctx_of(server):
    return server.app.server.config["ATALAYA_CONTEXT"]


def wait_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([sel, txt]) => { const e = document.querySelector(sel); return e && e.innerText.trim() === txt; }",
        arg=[selector, text],
    )


def plot_data(page, graph_id: str) -> list[dict]:
    return json.loads(page.evaluate(
        f"() => JSON.stringify(document.querySelector('#{graph_id} .js-plotly-plot').data)"))


def plot_layout(page, graph_id: str) -> dict:
    return json.loads(page.evaluate(
        f"() => JSON.stringify(document.querySelector('#{graph_id} .js-plotly-plot').layout)"))


def expected_strip(ds, study, country, year, lang="es") -> dict[str, str]:
    k = ac.key_figures(ds, study, country, year)
    nodata = "sin datos" if lang == "es" else "no data"
    return {
        "#costs-kf-total": "US$" + fmt_number(k.total_usd, lang, 0),
        "#costs-kf-pct": fmt_percent(k.pct_gdp, lang, 2) if k.pct_gdp == k.pct_gdp else nodata,
        "#costs-kf-capita": ("US$" + fmt_number(k.per_capita_usd, lang, 0)) if k.per_capita_usd == k.per_capita_usd else nodata,
        "#costs-kf-day": "US$" + fmt_number(k.per_day_usd, lang, 1),
    }


def assert_strip(page, expected: dict[str, str]) -> None:
    for sel, txt in expected.items():
        wait_text(page, sel, txt)


def bar_values(page) -> dict[tuple[str, str], float]:
    """(trace name, x) -> y of the bar traces."""
    out = {}
    for tr in plot_data(page, "costs-bars"):
        if tr["type"] != "bar":
            continue
        for x, y in zip(tr["x"], tr["y"]):
            if y is not None:
                out[(tr["name"], x)] = y
    return out


def test_switch_country_unit_and_study_values_match_analytics(page, demo_server):
    ctx = ctx_of(demo_server)
    ds = ctx.dataset
    page.goto(demo_server.url + "/costs")
    wait_for_dash(page)
    page.wait_for_selector("#costs-treemap .js-plotly-plot")
    # default: the latest study, the main country (Guatemala), its latest year
    assert page.locator("#costs-study").input_value() == UNDP
    assert page.locator("#costs-country").input_value() == "GTM"
    assert_strip(page, expected_strip(ds, UNDP, "GTM", 2019))
    assert page.locator("#costs-kf-total").inner_text() == "US$7,495"  # the published figure, by hand
    assert page.locator("#costs-kf-pct").inner_text().replace("\xa0", "") == "9.74%"

    # treemap = analytics breakdown (USD), illustrative nodes hatched
    b = ac.breakdown(ac.account(ds.costs, UNDP, "GTM", 2019), ac.country_population(ds, "GTM", 2019))
    tm = plot_data(page, "costs-treemap")[0]
    got = dict(zip(tm["ids"], tm["values"]))
    for nid, v in zip(b["node_id"], b["value_usd"]):
        assert got[nid] == pytest.approx(v)
    shapes = dict(zip(tm["ids"], tm["marker"]["pattern"]["shape"]))
    assert shapes["total"] == "" and shapes["health"] == "/"
    # reference comparison with its derivation
    ref = page.locator("#costs-reference").inner_text()
    assert "2.3 veces" in ref and "derivó" in ref
    assert "7,495.0 ÷ 3,258.7" in ref
    # the split check note: the illustrative split adds up to the published total
    assert "igual al total publicado" in page.locator("#costs-notes").inner_text()
    # the three countries of the same study and year may be added: 7,495 + 3,727 + 3,482
    assert "Los 3 países de este estudio suman US$14,704 millones" in page.locator("#costs-notes").inner_text()
    # bars: one study, stacked categories, values from analytics
    comp = ac.country_comparison(ds, UNDP, 2019)
    bars = bar_values(page)
    health = comp[comp["category"] == "health"].set_index("country_iso3")["value_usd"]
    assert bars[("Costos en salud", "El Salvador")] == pytest.approx(health["SLV"])
    assert bars[("Costos en salud", "Guatemala")] == pytest.approx(health["GTM"])
    assert plot_layout(page, "costs-bars")["barmode"] == "stack"
    # every chart carries its title and source inside the figure, and the source under it
    for gid in ("costs-treemap", "costs-bars"):
        lay = plot_layout(page, gid)
        assert lay["title"]["text"]
        assert any("Fuente:" in a["text"] and "2019" in a["text"] for a in lay["annotations"])
    assert "Fuente:" in page.locator("#costs-treemap-source").inner_text()
    # PNG export from each chart's mode bar (translated)
    for gid, name in (("costs-treemap", "atalaya-costos-desglose"), ("costs-bars", "atalaya-costos-paises")):
        assert page.locator(f'#{gid} .modebar-btn[data-title*="PNG"]').count() == 1
        assert page.locator(f'#{gid} .modebar-btn[data-title*="Share"]').count() == 0  # no Plotly Cloud upload
        opts = page.evaluate(f"() => document.querySelector('#{gid} .js-plotly-plot')._context.toImageButtonOptions")
        assert opts == {"format": "png", "filename": name, "width": 1600, "height": 900, "scale": 2}

    # switch country
    page.select_option("#costs-country", "SLV")
    assert_strip(page, expected_strip(ds, UNDP, "SLV", 2019))
    assert page.locator("#costs-kf-total").inner_text() == "US$3,727"
    page.wait_for_url(re.compile(r"country=SLV"))
    page.wait_for_function("() => document.querySelector('#costs-treemap .js-plotly-plot').data[0].ids.length > 0")
    page.wait_for_function(
        "() => document.querySelector('#costs-treemap .js-plotly-plot').layout.title.text.startsWith('El Salvador')")

    # switch unit: % of GDP
    page.locator("#costs-unit label", has_text="% del PIB").click()
    page.wait_for_url(re.compile(r"unit=pct_gdp"))
    page.wait_for_function(
        "() => document.querySelector('#costs-treemap .js-plotly-plot').layout.title.text.includes('% del PIB')")
    tm = plot_data(page, "costs-treemap")[0]
    assert dict(zip(tm["ids"], tm["values"]))["total"] == pytest.approx(13.86)
    bars = bar_values(page)
    assert bars[("Costos en salud", "Honduras")] == pytest.approx(health_pct := comp.set_index(
        ["country_iso3", "category"]).loc[("HND", "health"), "pct_gdp"])
    assert health_pct == pytest.approx(2.08)

    # switch unit: per inhabitant -> Honduras has no population in the dataset: "sin datos", said so
    page.locator("#costs-unit label", has_text="USD por habitante").click()
    page.wait_for_url(re.compile(r"unit=per_capita"))
    page.wait_for_function("() => document.querySelector('#costs-notes').innerText.includes('Honduras')")
    totals = next(tr for tr in plot_data(page, "costs-bars") if tr.get("name") == "totals")
    hn = totals["x"].index("Honduras")
    assert totals["text"][hn] == "sin datos"
    slv = totals["x"].index("El Salvador")
    assert totals["text"][slv] == "US$" + fmt_number(ac.key_figures(ds, UNDP, "SLV", 2019).per_capita_usd, "es", 0)

    # switch study: IDB 2017 keeps El Salvador, moves to 2014; only a total is published
    page.select_option("#costs-study", IDB)
    page.wait_for_function("() => document.querySelector('#costs-year').value === '2014'")
    assert_strip(page, expected_strip(ds, IDB, "SLV", 2014))
    assert page.locator("#costs-kf-total").inner_text() == "US$3,134"
    assert page.locator("#costs-kf-capita").inner_text() == "sin datos"
    assert sorted(page.locator("#costs-country option").evaluate_all("els => els.map(e => e.value).filter(v => v)")) == \
        ac.countries(ds.costs, IDB)
    page.wait_for_url(re.compile(r"study=idb_2017&country=SLV&year=2014&unit=per_capita"))
    # the bar chart holds IDB figures only: no UNDP category anywhere
    page.locator("#costs-unit label", has_text="Millones de USD").click()
    page.wait_for_function(
        "() => document.querySelector('#costs-bars .js-plotly-plot').layout.yaxis.title.text === 'millones de USD'")
    names = {tr["name"] for tr in plot_data(page, "costs-bars") if tr["type"] == "bar"}
    assert names == {"Total (sin desglose publicado)"}
    assert page.locator("#costs-not-comparable").is_visible()

    # CSV download = the data behind the view (same numbers as analytics; missing stays empty)
    with page.expect_download() as dl:
        page.locator("#costs-download-btn").click()
    d = dl.value
    assert d.suggested_filename == "atalaya_costos_idb_2017_SLV_2014.csv"
    got_csv = pd.read_csv(io.StringIO(open(d.path(), encoding="utf-8").read()), dtype={"year": int})
    want = cb.download_frame(ctx, cb.build_view(ctx, IDB, "SLV", "2014", "usd", "es"), "es")
    assert len(got_csv) == len(want)
    assert got_csv["value_usd"].tolist() == pytest.approx(want["value_usd"].astype(float).tolist(), nan_ok=True)
    assert got_csv["usd_per_capita"].isna().all()
    assert set(got_csv["study"]) == {IDB}

    # the URL restores the view
    page.goto(demo_server.url + "/costs?study=undp_infosegura_2019&country=HND&year=2019&unit=pct_gdp")
    wait_for_dash(page)
    assert_strip(page, expected_strip(ds, UNDP, "HND", 2019))
    assert page.locator("#costs-unit input:checked").input_value() == "pct_gdp"
    assert "1.9 veces" in page.locator("#costs-reference").inner_text()  # 3,482 / 1,832.6 = 1.90


def test_costs_page_in_english(page, demo_server):
    ds = ctx_of(demo_server).dataset
    page.goto(demo_server.url + "/costs?lang=en&country=HND&unit=per_capita")
    wait_for_dash(page)
    assert page.locator("h1").first.inner_text() == "Economic costs of violence"
    assert_strip(page, expected_strip(ds, UNDP, "HND", 2019, "en"))
    assert page.locator("#costs-kf-capita").inner_text() == "no data"
    assert "no population for Honduras in 2019" in page.locator("#costs-keyfigures").inner_text()
    assert "1.9 times" in page.locator("#costs-reference").inner_text()
    assert "Hatched figures are illustrative" in page.locator("#costs-notes").inner_text()
    page.wait_for_selector("#costs-treemap .js-plotly-plot")
    lay = plot_layout(page, "costs-treemap")
    assert "No data" in lay["annotations"][0]["text"]
    assert page.locator("#costs-unit label", has_text="USD per inhabitant").is_visible()
    assert "Why studies are not compared" in page.locator("#costs-not-comparable").inner_text()
