"""The Trends page in a real browser: drive the controls (territories, granularity, measure,
transformation, events), read the plotted data back from the DOM and check that it equals what
analytics/ computes for the same inputs; download the CSV and compare; the page in English; the
before/after, cross-country, survey and side-by-side panels. The `page` fixture fails the test on any
console error or off-machine request."""

from __future__ import annotations

import io
import json
import math
import re

import pandas as pd
import pytest

from analytics.trends import before_after, base_series, cross_country, latest_vs_year_before, trend_table
from components.formatting import fmt_number, fmt_signed_percent
from tests.browser.conftest import wait_for_dash

GRAPH_JS = """id => {
  const el = document.querySelector('#' + id + ' .js-plotly-plot');
  if (!el || !el.data) return null;
  return {data: el.data.map(d => ({name: d.name, x: d.x, y: d.y, meta: d.meta || null,
                                   connectgaps: d.connectgaps, xaxis: d.xaxis || 'x', yaxis: d.yaxis || 'y',
                                   fill: d.fill || null})),
          layout: {shapes: (el.layout.shapes || []).length, title: el.layout.title && el.layout.title.text,
                   annotations: (el.layout.annotations || []).map(a => a.text),
                   yaxis: el.layout.yaxis || null, yaxis2: el.layout.yaxis2 || null,
                   xaxis: el.layout.xaxis || null, xaxis2: el.layout.xaxis2 || null}};
}"""


@pytest.fixture(autouse=True)
def _patient(page):
    # five charts compute on first load; on a loaded 2-core machine that can take longer than the default
    page.set_default_timeout(90_000)


def dataset(server):
    return server.app.server.config["ATALAYA_CONTEXT"].dataset


def graph(page, graph_id: str) -> dict:
    return page.evaluate(GRAPH_JS, graph_id)


def wait_graph(page, graph_id: str, predicate_js: str) -> dict:
    """Wait until the figure satisfies a JS predicate on `g` (the object GRAPH_JS returns)."""
    page.wait_for_function(f"() => {{ const g = ({GRAPH_JS})('{graph_id}'); return !!g && ({predicate_js}); }}")
    wait_for_dash(page)
    return graph(page, graph_id)


def assert_series_equal(plotted: list, expected: pd.Series) -> None:
    assert len(plotted) == len(expected)
    for got, want in zip(plotted, expected.tolist()):
        if want is None or (isinstance(want, float) and math.isnan(want)):
            assert got is None, f"expected a gap, got {got}"
        else:
            assert got == pytest.approx(want, rel=1e-9), (got, want)


def pick_territory(page, text: str, option_label: str) -> None:
    page.locator("#trends-territories").click()
    search = page.locator("input.dash-dropdown-search")
    search.fill(text)
    page.locator(".dash-dropdown-option", has_text=option_label).first.click()
    search.fill("")
    page.keyboard.press("Escape")


def test_crime_chart_controls_match_analytics(page, demo_server):
    ds = dataset(demo_server)
    # a series with blank municipal months (the demo's robbery/extortion of women): national gaps, not zeros
    page.goto(demo_server.url + "/trends?ind=robbery_extortion_women&terr=GTM&measure=rate&freq=M")
    wait_for_dash(page)
    g = wait_graph(page, "trends-main-graph", "g.data.length === 1")
    expected = trend_table(ds, "robbery_extortion_women", ["GTM"], "M", "rate", "none")
    assert_series_equal(g["data"][0]["y"], expected["value"])
    assert g["data"][0]["connectgaps"] is False
    assert sum(y is None for y in g["data"][0]["y"]) == 4  # 2019-07..09 and 2022-11

    page.goto(demo_server.url + "/trends")
    wait_for_dash(page)
    assert page.locator("h1").first.inner_text() == "Tendencias"
    g = wait_graph(page, "trends-main-graph", "g.data.length === 1")
    expected = trend_table(ds, "homicides", ["GTM"], "M", "rate", "none")
    assert_series_equal(g["data"][0]["y"], expected["value"])
    assert all(y is not None for y in g["data"][0]["y"])  # the headline homicide series is complete
    assert g["layout"]["shapes"] >= 1  # events on by default (COVID-19 curfew)
    assert "Toque de queda nacional por COVID-19" in " ".join(map(str, g["layout"]["annotations"]))
    assert "Fuente:" in page.locator("#trends-main-source").inner_text()

    # select two more territories (search in the multi-select)
    pick_territory(page, "Mixco", "Mixco")
    pick_territory(page, "Escuintla", "Escuintla (depto.)")
    g = wait_graph(page, "trends-main-graph", "g.data.length === 3")
    ids = [d["meta"]["territory_id"] for d in g["data"]]
    assert ids == ["GTM", "0108", "05"]
    expected = trend_table(ds, "homicides", ids, "M", "rate", "none")
    for d in g["data"]:
        assert_series_equal(d["y"], expected.loc[expected["territory_id"] == d["meta"]["territory_id"], "value"])

    # granularity: quarterly
    page.locator("#trends-freq label", has_text="Trimestral").click()
    g = wait_graph(page, "trends-main-graph", "g.data[0].x.length === 40")
    expected = trend_table(ds, "homicides", ids, "Q", "rate", "none")
    for d in g["data"]:
        assert_series_equal(d["y"], expected.loc[expected["territory_id"] == d["meta"]["territory_id"], "value"])
    assert "trimestral" in (g["layout"]["yaxis"]["title"]["text"]).lower()

    # measure: counts
    page.locator("#trends-measure label", has_text="Casos").click()
    g = wait_graph(page, "trends-main-graph", "g.layout.yaxis.title.text.startsWith('Casos')")
    expected = trend_table(ds, "homicides", ids, "Q", "count", "none")
    for d in g["data"]:
        assert_series_equal(d["y"], expected.loc[expected["territory_id"] == d["meta"]["territory_id"], "value"])

    # back to monthly rates, 12-month rolling rate ("tasa interanual")
    page.locator("#trends-freq label", has_text="Mensual").click()
    page.locator("#trends-measure label", has_text="Tasa").click()
    page.locator("#trends-transform").click()
    page.locator(".dash-dropdown-option", has_text="Acumulado de 12 meses").click()
    g = wait_graph(page, "trends-main-graph", "g.layout.yaxis.title.text.startsWith('Tasa interanual')")
    expected = trend_table(ds, "homicides", ids, "M", "rate", "roll12")
    for d in g["data"]:
        assert_series_equal(d["y"], expected.loc[expected["territory_id"] == d["meta"]["territory_id"], "value"])
    assert "12 meses" in page.locator("#trends-method-note").inner_text()

    # events off: no vertical markers
    page.locator("label[for=trends-events]").click()
    g = wait_graph(page, "trends-main-graph", "g.layout.shapes === 0")
    assert not any("COVID" in str(a) for a in g["layout"]["annotations"])

    # the state is in the URL, and reopening it restores the view
    page.wait_for_function("() => window.location.search.includes('events=0')")
    url = page.url
    assert "terr=GTM,0108,05" in url and "tf=roll12" in url and "freq=M" in url
    page.goto(url)
    wait_for_dash(page)
    g = wait_graph(page, "trends-main-graph", "g.data.length === 3")
    assert g["layout"]["shapes"] == 0
    for d in g["data"]:
        assert_series_equal(d["y"], expected.loc[expected["territory_id"] == d["meta"]["territory_id"], "value"])


def test_csv_download_matches_the_chart(page, demo_server):
    ds = dataset(demo_server)
    page.goto(demo_server.url + "/trends?ind=homicides&terr=01,0101&measure=rate&freq=Y&tf=yoy")
    wait_for_dash(page)
    g = wait_graph(page, "trends-main-graph", "g.data.length === 3")  # 2 territories + national reference
    assert [d["meta"]["territory_id"] for d in g["data"]] == ["01", "0101", "GTM"]
    assert g["data"][2]["meta"]["reference"] is True
    with page.expect_download() as dl:
        page.locator("#trends-main-csv-btn").click()
    download = dl.value
    assert download.suggested_filename.endswith(".csv")
    csv = pd.read_csv(io.StringIO(open(download.path(), encoding="utf-8").read()),
                      dtype={"territory_id": str, "period": str})
    expected = trend_table(ds, "homicides", ["01", "0101", "GTM"], "Y", "rate", "yoy")
    assert csv["territory_id"].tolist() == expected["territory_id"].tolist()
    assert csv["period"].tolist() == expected["period"].tolist()
    for got, want in zip(csv["value"], expected["value"]):
        assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, rel=1e-5)
    assert csv["value"].isna().sum() == expected["value"].isna().sum() >= 3  # first year: no previous year
    # and the plotted values are the same numbers
    for d in g["data"]:
        rows = csv[csv["territory_id"] == d["meta"]["territory_id"]]
        for got, want in zip(d["y"], rows["value"]):
            assert (got is None and math.isnan(want)) or got == pytest.approx(want, rel=1e-5)


def test_english_panels_before_after_countries_survey_side(page, demo_server):
    ds = dataset(demo_server)
    page.goto(demo_server.url + "/trends?lang=en&terr=GTM&n=3&sv=trust_police_national&st=GTM&by=sex")
    wait_for_dash(page)
    assert page.locator("h1").first.inner_text() == "Trends"
    assert page.locator("#trends-crime h2").inner_text() == "Crime over time"
    g = wait_graph(page, "trends-main-graph", "g.data.length === 1")
    assert g["layout"]["yaxis"]["title"]["text"].startswith("Monthly rate per 100,000")
    assert "Source:" in page.locator("#trends-main-source").inner_text()
    # "how it looks today": the latest month and its change on the same month a year earlier
    latest = latest_vs_year_before(trend_table(ds, "homicides", ["GTM"], "M", "rate", "none"), "M")[0]
    assert page.locator("#trends-latest-0").inner_text() == fmt_number(latest.value, "en", 2)
    assert fmt_signed_percent(latest.change_pct, "en") in page.locator("#trends-latest").inner_text()
    assert "Dec 2024" in page.locator("#trends-latest").inner_text()

    # before/after around the COVID-19 curfew (March 2020), 3 months each side, event month excluded
    assert "Descriptive, not causal" in page.locator("#trends-ba-caveat").inner_text()
    page.wait_for_selector("#trends-ba-change")
    base = base_series(ds, "homicides", "GTM", "M").set_index("period_start")["rate"]
    ba = before_after(base, pd.Timestamp("2020-03-22"), 3)
    assert page.locator("#trends-ba-before").inner_text() == fmt_number(ba.before_mean, "en", 2)
    assert page.locator("#trends-ba-after").inner_text() == fmt_number(ba.after_mean, "en", 2)
    assert page.locator("#trends-ba-change").inner_text() == fmt_signed_percent(ba.change_pct, "en")
    assert "Mar 2020" in page.locator("#trends-ba-figures").inner_text()
    ba6 = before_after(base, pd.Timestamp("2020-03-22"), 6)
    page.locator("#trends-n label", has_text="6").click()
    page.wait_for_function("(v) => document.querySelector('#trends-ba-before').innerText === v",
                           arg=fmt_number(ba6.before_mean, "en", 2))
    assert page.locator("#trends-ba-after").inner_text() == fmt_number(ba6.after_mean, "en", 2)

    # cross-country: real rates, gaps stay gaps, each point names its source
    cc = wait_graph(page, "trends-cc-graph", "g.data.length >= 6")
    table = cross_country(ds)
    for d in cc["data"]:
        assert d["connectgaps"] is False
        rows = table[table["territory_id"] == d["meta"]["territory_id"]]
        assert_series_equal(d["y"], rows["value"])
    slv = next(d for d in cc["data"] if d["meta"]["territory_id"] == "SLV")
    assert slv["y"][0] == pytest.approx(106.3) and slv["y"][2] is None  # 2017 not confirmed: a gap
    sources = page.locator("#trends-cc-sources").inner_text()
    assert "El Salvador" in sources and "government series of homicide rates" in sources
    assert "serie gubernamental" not in sources  # the English page names sources in English (title_en)

    # survey: points with CI bands, the line broken at the missing wave 2020-Q2
    tr = wait_graph(page, "trends-trust-graph", "g.data.length === 4")
    names = [d["name"] for d in tr["data"] if d["fill"] is None]
    assert names == ["Women", "Men"]
    women = next(d for d in tr["data"] if d["name"] == "Women" and d["fill"] is None)
    gap = women["x"].index(None)
    assert women["x"][gap - 1].startswith("2020-01") and women["x"][gap + 1].startswith("2020-07")
    assert any(d["fill"] == "toself" for d in tr["data"])
    note = page.locator("#trends-survey-note").inner_text()
    assert "Survey:" in note and "ENSU" in note and "respondents" in note

    # side by side: two panels sharing the x axis, not a second y axis over the same plot
    sd = wait_graph(page, "trends-side-graph", "g.data.length === 3")
    assert sd["layout"]["yaxis2"]["domain"][1] < sd["layout"]["yaxis"]["domain"][0]
    assert "overlaying" not in sd["layout"]["yaxis2"]
    assert sd["layout"]["xaxis"]["matches"] == "x2"
    assert {d["yaxis"] for d in sd["data"]} == {"y", "y2"}
    crime = sd["data"][0]
    expected = trend_table(ds, "homicides", ["GTM"], "Q", "rate", "none").set_index("period_start")["value"]
    for x, y in zip(crime["x"], crime["y"]):
        want = expected[pd.Timestamp(x)]
        assert (y is None and math.isnan(want)) or y == pytest.approx(want)


def test_women_selected_rates_are_per_100000_women(page, demo_server):
    """Homicides of women on the crime chart: the axis, the 'today' card and the panel beside the survey
    name the women's denominator, and the plotted values are analytics' female counts over the female
    population; Men switches to men's; an indicator observed for women only offers Women only."""
    ds = dataset(demo_server)
    page.goto(demo_server.url + "/trends?ind=homicides&terr=GTM&measure=rate&freq=Y&sex=female")
    wait_for_dash(page)
    g = wait_graph(page, "trends-main-graph", "g.data.length === 1")
    assert g["layout"]["yaxis"]["title"]["text"] == "Tasa anual por 100,000 mujeres"
    assert g["layout"]["title"].startswith("Homicidios, mujeres — Guatemala")
    expected = trend_table(ds, "homicides", ["GTM"], "Y", "rate", "none", sex="female")
    assert_series_equal(g["data"][0]["y"], expected["value"])
    by_year = expected.set_index("period")
    assert by_year.at["2024", "population"] == ds.population_of("GTM", 2024, "female")
    assert by_year.at["2024", "value"] == pytest.approx(by_year.at["2024", "count"]
                                                        / ds.population_of("GTM", 2024, "female") * 100_000)
    assert "Tasa anual por 100,000 mujeres" in page.locator("#trends-latest").inner_text()
    assert "por cada 100,000 mujeres" in page.locator("#trends-method-note").inner_text()
    side = wait_graph(page, "trends-side-graph", "g.data.length >= 2")
    assert "Tasa trimestral por 100,000 mujeres" in side["layout"]["annotations"][0]
    # men
    page.locator("#trends-sex label", has_text="Hombres").click()
    g = wait_graph(page, "trends-main-graph", "g.layout.yaxis.title.text.includes('hombres')")
    assert_series_equal(g["data"][0]["y"], trend_table(ds, "homicides", ["GTM"], "Y", "rate", "none",
                                                       sex="male")["value"])
    page.wait_for_function("() => location.search.includes('sex=male')")
    # an indicator observed for women only: Women only, selected by itself
    page.locator("#trends-indicator").click()
    page.locator(".dash-dropdown-option", has_text="Muertes violentas de mujeres").first.click()
    g = wait_graph(page, "trends-main-graph", "(g.layout.title || '').startsWith('Muertes violentas')")
    assert page.locator("#trends-sex input[value='female']").is_checked()
    assert page.locator("#trends-sex input[value='male']").is_disabled()
    assert g["layout"]["yaxis"]["title"]["text"] == "Tasa anual por 100,000 mujeres"
