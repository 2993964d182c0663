"""The costs page's callback functions, called directly on the tiny hand-made dataset of
tests/analytics/test_costs.py (study s1: AAA 100.0 M USD = 10 %, c1 60 + c2 40 derived, BBB 50.0 without
population, REG regional 3.0 %; study s2: AAA 2014 30.0)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics import costs as ac
from callbacks import costs as cb
from callbacks.context import AppContext
from tests.analytics.test_costs import tiny_dataset


@pytest.fixture
def ctx() -> AppContext:
    return AppContext(dataset=tiny_dataset(), cache=None)  # type: ignore[arg-type]


def text_of(component) -> str:
    """All text inside a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def test_view_key_figures_reference_and_notes(ctx):
    v = cb.build_view(ctx, "s1", "AAA", "2019", "usd", "es")
    strip = text_of(v.keyfigures)
    assert "US$100" in strip and "millones" in strip  # total
    assert "10.00%" in strip.replace("\xa0", "")  # % of GDP
    assert "US$50" in strip  # 100e6 / 2e6 inhabitants
    assert "US$0.3" in strip  # 100 / 365 = 0.27 M per day
    ref = text_of(v.reference)
    assert "2.0 veces" in ref and "100.0 ÷ 50.0" in ref and "derivó" in ref  # derived reference explained
    notes = text_of(v.notes)
    assert "ilustrativas" in notes
    assert "promedio regional" in notes  # REG is not drawn as a bar
    assert "convirtieron" in notes  # c2's USD came from the implied GDP
    assert "Los 2 países de este estudio suman US$150 millones en 2019" in notes  # AAA + BBB, REG excluded


def test_treemap_values_and_hatching(ctx):
    v = cb.build_view(ctx, "s1", "AAA", 2019, "usd", "en")
    tr = v.treemap["data"][0]
    assert tr["type"] == "treemap" and tr["branchvalues"] == "total"
    vals = dict(zip(tr["ids"], tr["values"]))
    assert vals == {"total": 100.0, "c1": 60.0, "c2": pytest.approx(40.0), "c1/x": 25.0, "c1/y": 35.0}
    shapes = dict(zip(tr["ids"], tr["marker"]["pattern"]["shape"]))
    assert shapes["total"] == "" and shapes["c1"] == "/" and shapes["c1/x"] == "/"  # illustrative hatched
    # title and source inside the figure
    assert v.treemap["layout"]["title"]["text"].startswith("Aland 2019")
    assert any(a.get("name") == "source" and "Period: 2019" in a["text"] for a in v.treemap["layout"]["annotations"])
    # % of GDP: same hierarchy, published percentages
    pct = cb.build_view(ctx, "s1", "AAA", 2019, "pct_gdp", "en").treemap["data"][0]
    assert dict(zip(pct["ids"], pct["values"]))["c1/y"] == 3.5


def test_per_capita_without_population_is_no_data(ctx):
    v = cb.build_view(ctx, "s1", "BBB", 2019, "per_capita", "en")
    assert v.treemap["data"] == []
    assert "No data" in v.treemap["layout"]["annotations"][0]["text"]
    assert "no population for Bland in 2019" in text_of(v.keyfigures)
    bars = v.bars["data"]
    x = bars[0]["x"]
    assert x == ["Aland", "Bland"]  # REG is not a bar
    totals = next(tr for tr in bars if tr.get("name") == "totals")
    assert totals["text"] == ["US$50", "no data"]
    assert "USD per inhabitant: no data for Bland" in text_of(v.notes)


def test_bars_one_study_stacked_with_region_line(ctx):
    v = cb.build_view(ctx, "s1", "AAA", 2019, "pct_gdp", "es")
    bars = [tr for tr in v.bars["data"] if tr["type"] == "bar"]
    assert v.bars["layout"]["barmode"] == "stack"
    by_name = {tr["name"]: tr for tr in bars}
    # AAA: categories c1 (6.0) and c2 (4.0); BBB: its total only (5.0)
    assert by_name["c1/total es"]["y"] == [6.0, None]
    assert by_name["Total (sin desglose publicado)"]["y"] == [None, 5.0]
    assert by_name["c1/total es"]["marker"]["pattern"]["shape"] == ["/", ""]
    line = v.bars["layout"]["shapes"][0]
    assert (line["y0"], line["line"]["dash"]) == (3.0, "dash")  # REG 3.0 % as a reference line
    assert "<b>Aland</b>" in v.bars["layout"]["xaxis"]["ticktext"]  # selected country in bold
    # never two studies in one chart, whatever is passed
    mixed = pd.concat([ac.country_comparison(ctx.dataset, "s1", 2019), ac.country_comparison(ctx.dataset, "s2", 2014)])
    with pytest.raises(ac.CostMixError):
        cb.bars_figure(ctx, mixed, "s1", 2019, "usd", "AAA", "es", "src")


def test_stale_selection_is_resolved_and_controls_follow_the_study(ctx):
    v = cb.build_view(ctx, "s2", "BBB", "2019", "eur", "es")  # BBB not in s2, unknown unit
    assert (v.key.study, v.key.country_iso3, v.key.year) == ("s2", "AAA", 2014)
    assert v.key.total_usd == 30.0 and math.isnan(v.key.pct_gdp)
    assert "solo el total" in text_of(v.notes)
    c_opts, c_val, y_opts, y_val = cb.control_options(ctx, "s2", "BBB", "2019", "es")
    assert [o["value"] for o in c_opts] == ["AAA"] and c_val == "AAA"
    assert y_opts == [{"label": "2014", "value": "2014"}] and y_val == "2014"


def test_download_frame_is_the_data_behind_the_view(ctx):
    v = cb.build_view(ctx, "s1", "AAA", 2019, "usd", "en")
    df = cb.download_frame(ctx, v, "en")
    assert set(df["section"]) == {"breakdown", "country_comparison"}
    bd = df[df["section"] == "breakdown"].set_index("category")
    assert bd.loc["total", "value_usd"] == 100.0 and bd.loc["total", "usd_per_capita"] == 50.0
    comp = df[df["section"] == "country_comparison"].set_index("country_iso3")
    assert math.isnan(comp.loc["BBB", "usd_per_capita"])  # missing stays missing (empty in the CSV)
    csv = df.to_csv(index=False)
    assert "BBB,Bland,2019,total,total" in csv
    assert set(df["study"]) == {"s1"}


def test_text_helpers():
    assert cb.short_label("Salud (ilustrativo)") == "Salud"
    assert cb.legend_label("Costos indirectos (inversión y crecimiento) (ilustrativo)") == "Costos indirectos"
    assert cb.text_colour("#F0E442") == "#1b1f24" and cb.text_colour("#0072B2") == "#ffffff"
    assert cb.mix("#000000", "#ffffff", 0.5) == "#808080"
    assert "<br>" in cb.wrap_for_figure("x " * 80, 50)


def test_split_note_says_equal_rounding_or_mismatch():
    from tests.analytics.test_costs import COSTS, costs_frame, row

    def note(rows):
        c = AppContext(dataset=tiny_dataset(costs_frame(rows)), cache=None)  # type: ignore[arg-type]
        return text_of(cb.build_view(c, "s1", "AAA", 2019, "usd", "en").notes)

    # c2 has no USD figure -> the check falls back to % of GDP: 6.0 + 4.0 = 10.0
    assert "equal to the published total (10.00%" in note(COSTS).replace("\xa0", "")
    rounding = [r if r[3] != "c2" else row("AAA", 2019, "s1", "c2", "total", None, 3.98, True) for r in COSTS]
    assert "a rounding difference in the source" in note(rounding)
    wrong = [r if r[3] != "c2" else row("AAA", 2019, "s1", "c2", "total", None, 2.0, True) for r in COSTS]
    assert "Warning: the breakdown adds up to 8.00%" in note(wrong).replace("\xa0", "")


def test_layout_without_costs_says_so_and_layout_reads_url_params(ctx):
    from components import costs as page

    empty = tiny_dataset(costs=ac.account(tiny_dataset().costs, "none", "AAA", 2019))
    out = page.layout(AppContext(dataset=empty, cache=None), {}, "en")  # type: ignore[arg-type]
    assert "no cost-of-violence accounts" in text_of(out)
    # URL params set the controls; an invalid unit falls back to USD
    lay = page.layout(ctx, {"study": "s2", "country": "AAA", "unit": "per_capita"}, "es")

    def find(node, cid):
        if getattr(node, "id", None) == cid:
            return node
        kids = getattr(node, "children", None)
        for k in kids if isinstance(kids, (list, tuple)) else [kids] if kids is not None else []:
            hit = find(k, cid)
            if hit is not None:
                return hit
        return None

    assert find(lay, "costs-study").value == "s2"
    assert find(lay, "costs-year").value == "2014"
    assert find(lay, "costs-unit").value == "per_capita"
    assert find(page.layout(ctx, {"unit": "eur"}, "es"), "costs-unit").value == "usd"
    cfg = find(lay, "costs-treemap").config
    assert "sendChartToCloud" in cfg["modeBarButtonsToRemove"] and cfg["toImageButtonOptions"]["width"] == 1600
