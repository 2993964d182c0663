"""The Trends page's figure builders, called directly on the tiny dataset of tests/analytics/test_trends.py:
what is plotted equals analytics/, gaps stay gaps, events, reference line, notices, the two-panel layout
and the URL state round trip."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.trends import before_after, base_series, trend_table
from callbacks.trends import (
    before_after_view,
    countries_view,
    main_view,
    side_view,
    survey_view,
    url_search,
    wrap_text,
)
from components.trends import state_from_params
from components.urlstate import parse_search
from tests.analytics.test_trends import make_ds

EVENTS = pd.DataFrame({
    "date": pd.to_datetime(["2020-03-22", "2019-06-01"]),
    "territory_id": ["C", "M1"],
    "label_es": ["Toque de queda", "Auditoría"], "label_en": ["Curfew", "Audit"],
    "kind": ["shock", "intervention"], "synthetic": [False, True], "source": ["a", "b"],
})


def nan_to_none(values: pd.Series) -> list:
    return [None if math.isnan(v) else v for v in values.astype(float)]


def survey_rows() -> list[dict]:
    rows = []
    for tid in ("C", "D1"):
        for i, p in enumerate(["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4", "2020-Q1", "2020-Q2", "2020-Q3"]):
            for sex in ("total", "female", "male"):
                v = None if p == "2019-Q3" else 30.0 + i
                rows.append({"indicator_id": "trust", "territory_id": tid, "period": p, "sex": sex, "value": v,
                             "lower": None if v is None else v - 2, "upper": None if v is None else v + 2})
    return rows


def test_main_view_plots_analytics_values_with_reference_and_events():
    ds = make_ds(counts={("M2", "2019-06"): None}, events=EVENTS)
    v = main_view(ds, "hom", ["D1", "M3"], "rate", "M", "none", True, True, "es")
    expected = trend_table(ds, "hom", ["D1", "M3", "C"], "M", "rate", "none")
    assert [d["meta"]["territory_id"] for d in v.figure["data"]] == ["D1", "M3", "C"]
    for d in v.figure["data"]:
        assert d["y"] == nan_to_none(expected.loc[expected.territory_id == d["meta"]["territory_id"], "value"])
        assert d["connectgaps"] is False
    ref = v.figure["data"][2]
    assert ref["meta"]["reference"] is True and ref["line"]["dash"] == "dash"
    assert "referencia nacional" in ref["name"]
    assert v.figure["data"][0]["y"][5] is None  # June 2019 of D1 is missing (M2 blank), not 0
    # both events concern D1 (the curfew at the country above it, the audit in M1 below it)
    assert len(v.figure["layout"]["shapes"]) == 2
    texts = [a["text"] for a in v.figure["layout"]["annotations"]]
    assert "Toque de queda" in texts and any(t.startswith("Auditoría (sintético)") for t in texts)
    assert v.figure["layout"]["title"]["text"].startswith("Homicidios — Dept 1 (depto.), Muni 3")
    assert "DATOS SINTÉTICOS" in v.source and "Periodo: ene 2019 – dic 2020" in v.source
    assert v.table["value"].tolist()[:3] == pytest.approx(expected["value"].tolist()[:3])
    latest = v.extra["latest"]
    assert [x.territory_id for x in latest] == ["D1", "M3"]
    assert latest[0].period == "2020-12" and latest[0].value == pytest.approx(3 / 60_000 * 100_000)
    assert latest[0].change_pct == pytest.approx(-50.0)  # same cases, population doubled
    off = main_view(ds, "hom", ["C"], "count", "M", "none", False, True, "en")
    assert "shapes" not in off.figure["layout"] and len(off.figure["data"]) == 1  # C selected: no extra reference


def test_main_view_notices_and_fallbacks():
    ds = make_ds()
    many = main_view(ds, "hom", ["C", "D1", "D2", "M1", "M2", "M3", "C", "D1", "D2"], "count", "M", "none", False,
                     False, "en")
    assert "first 8" in " ".join(many.notices)
    yearly = main_view(ds, "hom", ["D1"], "rate", "Y", "ma3", False, False, "en")
    assert any("needs monthly data" in n for n in yearly.notices)
    assert yearly.extra["tf"] == "none"
    seasonal = main_view(ds, "hom", ["M3", "D1"], "count", "M", "samemonth", True, True, "en")
    assert [d["name"] for d in seasonal.figure["data"]] == ["2019", "2020"]
    assert seasonal.figure["data"][1]["y"] == [3.0] * 12
    assert seasonal.figure["data"][1]["x"][0] == "Jan"
    assert any("first selected territory" in n for n in seasonal.notices)
    with pytest.raises(ValueError):
        main_view(ds, "trust", ["C"], "count", "M", "none", False, False, "en")


def test_before_after_view_uses_the_events_territory_and_excludes_its_month():
    ds = make_ds(counts={("M1", "2019-05"): 4.0, ("M1", "2019-07"): 7.0}, events=EVENTS)
    v = before_after_view(ds, "hom", "1", 2, "count", "en")  # the audit in M1, June 2019
    ba = v.extra["result"]
    series = base_series(ds, "hom", "M1", "M").set_index("period_start")["count"]
    assert ba == before_after(series, pd.Timestamp("2019-06-01"), 2)
    assert ba.before_mean == pytest.approx((1 + 4) / 2) and ba.after_mean == pytest.approx((7 + 1) / 2)
    assert ba.change_pct == pytest.approx(60.0)
    windows = dict(zip(v.table["period"], v.table["window"]))
    assert windows["2019-04"] == "before" and windows["2019-06"] == "event" and windows["2019-08"] == "after"
    assert "Jun 2019" in v.notes[0]
    assert before_after_view(ds, "hom", None, 2, "count", "en").notices


def test_countries_view_keeps_gaps_and_sources():
    extra = [
        {"indicator_id": "rate_off", "territory_id": "C", "period": "2015", "sex": "total", "value": 20.0,
         "source": "src_x"},
        {"indicator_id": "rate_off", "territory_id": "C", "period": "2016", "sex": "total", "value": None},
        {"indicator_id": "rate_off", "territory_id": "C", "period": "2017", "sex": "total", "value": 18.0},
    ]
    v = countries_view(make_ds(extra_rows=extra), "en", "rate_off")
    d = v.figure["data"][0]
    assert d["y"] == [20.0, None, 18.0] and d["connectgaps"] is False
    assert d["customdata"][0][1] == "X national police"
    assert d["customdata"][2][1] == "Official statistics"  # the indicator's source when the row has none
    assert v.table["source_id"].tolist() == ["src_x", None, "official"]


def test_survey_view_breaks_lines_at_a_missing_wave_and_bands_are_polygons():
    ds = make_ds(extra_rows=survey_rows())
    v = survey_view(ds, "trust", "D1", "sex", "en")
    bands = [d for d in v.figure["data"] if d.get("fill") == "toself"]
    lines = [d for d in v.figure["data"] if d.get("fill") is None]
    assert [d["name"] for d in lines] == ["Women", "Men"]
    assert lines[0]["y"] == [30.0, 31.0, None, 33.0, 34.0, 35.0, 36.0]
    assert lines[0]["x"][2] is None
    assert len(bands) == 2 and None in bands[0]["x"]  # one polygon per run of consecutive waves
    assert "Survey:" in v.notes[0]
    inst = survey_view(ds, "trust", "D1", "institution", "en")
    assert [d["name"] for d in inst.figure["data"] if d.get("fill") is None] == ["Trust"]


def test_side_view_is_two_aligned_panels_not_a_dual_axis():
    ds = make_ds(extra_rows=survey_rows())
    v = side_view(ds, "hom", "trust", "D1", "en")
    lay = v.figure["layout"]
    assert lay["yaxis"]["domain"][0] > lay["yaxis2"]["domain"][1]
    assert "overlaying" not in lay["yaxis2"] and lay["xaxis"]["matches"] == "x2"
    crime = v.figure["data"][0]
    # common period: 2019-Q1 .. 2020-Q3 (the survey ends there); D1 quarterly rate = 9 / 30,000 × 100,000 in 2019
    assert crime["x"][0] == "2019-01-01" and crime["x"][-1] == "2020-07-01"
    assert crime["y"][0] == pytest.approx(30.0) and crime["y"][-1] == pytest.approx(15.0)
    assert {d.get("yaxis") for d in v.figure["data"][1:]} == {"y2"}
    assert set(v.table.columns) >= {"period", "hom_rate_per_100000_people", "trust", "trust_lower", "trust_upper"}


def test_url_state_round_trip():
    ds = make_ds(events=EVENTS)
    search = url_search("hom", ["D1", "M3"], "count", "Q", "yoy", False, True, "1", 12, "trust", "D1", "sex",
                        "?lang=en")
    params = parse_search(search)
    assert params["lang"] == "en" and params["terr"] == "D1,M3"
    s = state_from_params(ds, params)
    assert (s["terr"], s["measure"], s["freq"], s["tf"], s["events"], s["ref"], s["ev"], s["n"]) == (
        ["D1", "M3"], "count", "Q", "yoy", False, True, "1", 12)
    bad = state_from_params(ds, {"terr": "NOPE,D2", "measure": "x", "tf": "zzz", "n": "5", "ev": "99"})
    assert bad["terr"] == ["D2"] and bad["measure"] == "rate" and bad["tf"] == "none" and bad["n"] == 3
    assert bad["ev"] == "0"  # the national event is the default


def test_wrap_text():
    assert wrap_text("aa bb cc", 5) == ["aa bb", "cc"]
    assert wrap_text("short", 50) == ["short"]


def test_women_selected_the_trends_charts_say_per_100000_women_with_analytics_values():
    from tests.analytics.test_trends import with_sexes

    ds = with_sexes(make_ds(events=EVENTS))
    for lang, unit, title in (("en", "Monthly rate per 100,000 women", "Homicides, women — "),
                              ("es", "Tasa mensual por 100,000 mujeres", "Homicidios, mujeres — ")):
        v = main_view(ds, "hom", ["D1"], "rate", "M", "none", True, True, lang, sex="female")
        assert v.figure["layout"]["yaxis"]["title"]["text"] == unit
        assert v.figure["layout"]["title"]["text"].startswith(title)
        expected = trend_table(ds, "hom", ["D1", "C"], "M", "rate", "none", sex="female")
        for d in v.figure["data"]:
            assert d["y"] == nan_to_none(expected.loc[expected.territory_id == d["meta"]["territory_id"], "value"])
        # D1: 1 female victim a month over 15,000 women in 2019
        assert v.figure["data"][0]["y"][0] == pytest.approx(1 / 15_000 * 100_000)
        assert any("100,000" in n and ("women" in n or "mujeres" in n) for n in v.notes)
        assert not any("habitantes)" in n or "inhabitants)" in n for n in v.notes)
    # the CSV names the denominator in its headers
    assert {"sex", "population_women", "rate_per_100000_women", "unit"} <= set(v.table.columns)
    assert "rate" not in v.table.columns and set(v.table["sex"]) == {"female"}
    # 12-month rolling, before/after and the crime panel beside the survey follow the sex too
    r = main_view(ds, "hom", ["C"], "rate", "M", "roll12", False, False, "en", sex="female")
    assert r.figure["layout"]["yaxis"]["title"]["text"] == "12-month rolling rate per 100,000 women"
    assert r.figure["data"][0]["y"][17] == pytest.approx(24 / 60_000 * 100_000)  # Jun 2020
    ba = before_after_view(ds, "hom", "0", 3, "rate", "en", sex="female")
    assert ba.extra["unit"] == "Monthly rate per 100,000 women"
    # curfew of March 2020 at C: Dec 2019 – Feb 2020 (2 victims over 30,000, then 60,000 women), Apr – Jun 2020
    assert ba.extra["result"].before_mean == pytest.approx((2 / 30_000 + 2 / 60_000 + 2 / 60_000) / 3 * 100_000)
    assert ba.extra["result"].after_mean == pytest.approx(2 / 60_000 * 100_000)
    ds_s = with_sexes(make_ds(extra_rows=survey_rows()))
    side = side_view(ds_s, "hom", "trust", "D1", "en", sex="female")
    assert "per 100,000 women" in side.figure["layout"]["annotations"][0]["text"]
    assert "hom_female_rate_per_100000_women" in side.table.columns
    assert side.figure["data"][0]["y"][0] == pytest.approx(3 / 15_000 * 100_000)  # 2019-Q1 of D1
    # the total is unchanged: per 100,000 inhabitants
    tot = main_view(ds, "hom", ["D1"], "rate", "M", "none", False, False, "en")
    assert tot.figure["layout"]["yaxis"]["title"]["text"] == "Monthly rate per 100,000 inhabitants"
    assert "rate_per_100000_people" in tot.table.columns


def test_men_without_a_male_population_get_no_rate_and_a_reason():
    from tests.analytics.test_trends import with_sexes

    ds = with_sexes(make_ds())
    v = main_view(ds, "hom", ["C"], "rate", "M", "none", False, False, "en", sex="male")
    assert all(y is None for d in v.figure["data"] for y in d["y"])
    assert any("no population of men" in n for n in v.notices)
    assert side_view(with_sexes(make_ds(extra_rows=survey_rows())), "hom", "trust", "D1", "en",
                     sex="male").notices[0].startswith("No rate: the data have no population of men")
    # cases of men are there
    c = main_view(ds, "hom", ["C"], "count", "M", "none", False, False, "en", sex="male")
    assert c.figure["data"][0]["y"][0] == 4


def test_sex_in_the_url_round_trip():
    from tests.analytics.test_trends import with_sexes

    ds = with_sexes(make_ds())
    search = url_search("hom", ["C"], "rate", "M", "none", True, True, None, 3, None, None, "sex", "?lang=en",
                        "female")
    params = parse_search(search)
    assert params["sex"] == "female"
    assert state_from_params(ds, params)["sex"] == "female"
    assert "sex=" not in url_search("hom", ["C"], "rate", "M", "none", True, True, None, 3, None, None, "sex", "",
                                    "total")
    assert state_from_params(ds, {"sex": "other"})["sex"] == "total"
