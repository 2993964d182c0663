"""The profile of a territory: key figures, change and its polarity, comparison, events, search.

The tiny dataset (values chosen so every figure can be computed by hand):
country C (pop 10,000), departments D1 = {M1 (1,000), M2 (3,000)} and D2 = {M3 (6,000)};
monthly homicides per month: M1 1 (2019) and 2 (2020), M2 0 and 1, M3 3 and 3, and Jan–Jun 2021 only;
a quarterly trust survey (higher is better) at D1 and C with 95 % intervals; yearly poverty (percent)
at M1; events at C, M1 and M3.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.dataset import Dataset
from analytics.profile import (
    comparison,
    comparison_series,
    direction,
    fold,
    key_figure,
    key_figures,
    search,
    series,
    territory_events,
)
from analytics.rates import complete_periods
from tests.analytics import tiny

MONTHLY = {"M1": {2019: 1, 2020: 2, 2021: 5}, "M2": {2019: 0, 2020: 1, 2021: 5}, "M3": {2019: 3, 2020: 3, 2021: 5}}


def profile_dataset(blank: tuple[str, str] | None = None) -> Dataset:
    """The dataset above; `blank` = (territory, month) leaves that month's homicides blank."""
    rows: list[tuple] = []
    for tid, per_year in MONTHLY.items():
        for year, v in per_year.items():
            for m in range(1, 13 if year < 2021 else 7):
                period = f"{year}-{m:02d}"
                rows.append(("hom", tid, period, "total", None if blank == (tid, period) else float(v)))
    for tid, vals in {"D1": [(40, 37, 43), (50, 47, 53)], "C": [(45, 44, 46), (46, 45, 47)]}.items():
        for q, (v, lo, hi) in zip(("2020-Q3", "2020-Q4"), vals):
            rows.append(("trust", tid, q, "total", float(v), float(lo), float(hi)))
    rows += [("pov", "M1", "2019", "total", 60.0), ("pov", "M1", "2020", "total", 55.0)]
    indicators = [
        tiny.indicator("hom", "Homicidios", "Homicides", source="pnc"),
        tiny.indicator("trust", "Confianza", "Trust", domain="trust", unit="percent", higher_is_worse=False,
                       rate_base="none", rate_per=None, source="survey", synthetic=False),
        tiny.indicator("pov", "Pobreza", "Poverty", domain="risk", unit="percent", rate_base="none",
                       rate_per=None, source="ine"),
    ]
    events = pd.DataFrame(
        {
            "date": ["2020-03-22", "2019-06-01", "2021-02-01"],
            "territory_id": ["C", "M1", "M3"],
            "label_es": ["Toque de queda", "Auditoría", "Programa"],
            "label_en": ["Curfew", "Audit", "Programme"],
            "kind": ["shock", "intervention", "intervention"],
            "synthetic": [False, True, True],
            "source": ["decree", "test", "test"],
        }
    )
    names = {"D1": "Sacatepéquez", "M1": "Santa Lucía Milpas Altas", "M3": "Ñuñoa"}
    return tiny.tiny_dataset(rows, indicators, tiny.population((2019, 2020, 2021)), names, events)


def test_fold_and_accent_insensitive_search():
    assert fold("Sacatepéquez") == "sacatepequez"
    assert fold("ÑUÑOA") == "nunoa"
    ds = profile_dataset()
    assert search(ds, "santa lucia")["territory_id"].tolist() == ["M1"]
    assert search(ds, "SANTA LUCÍA milpas")["territory_id"].tolist() == ["M1"]
    # the department's name finds the department first, then its municipalities
    assert search(ds, "sacatepequez")["territory_id"].tolist() == ["D1", "M2", "M1"]
    assert search(ds, "nunoa")["territory_id"].tolist() == ["M3"]
    assert search(ds, "zzz").empty and search(ds, "  ").empty


def test_complete_periods_leave_out_a_partial_year():
    ds = profile_dataset()
    assert complete_periods(ds, "hom", "Y") == ["2019", "2020"]
    assert complete_periods(ds, "hom", "Q")[-1] == "2021-Q2"
    assert complete_periods(ds, "trust", "Q") == ["2020-Q3", "2020-Q4"]


def test_series_are_rates_from_summed_counts_of_complete_years():
    ds = profile_dataset()
    s = series(ds, "hom", "M1")
    assert s["period"].tolist() == ["2019", "2020"]  # 2021 has only six months
    assert s["count"].tolist() == [12, 24]
    assert s["value"].tolist() == pytest.approx([1200.0, 2400.0])  # 12 / 1,000 × 100,000
    d1 = series(ds, "hom", "D1")
    assert d1["value"].tolist() == pytest.approx([300.0, 900.0])  # (12+0)/4,000 and (24+12)/4,000
    # a survey percent for a municipality is its department's, and says so
    t = series(ds, "trust", "M1")
    assert set(t["observed_at"]) == {"D1"} and t["value"].tolist() == [40, 50]


def test_key_figure_change_and_polarity():
    ds = profile_dataset()
    kf = key_figure(ds, "hom", "M1")
    assert kf.period == "2020" and kf.previous_period == "2019"
    assert kf.value == pytest.approx(2400.0) and kf.count == 24
    assert kf.change == pytest.approx(1200.0) and kf.change_pct == pytest.approx(100.0)
    assert kf.direction == "worse"  # more homicides is worse
    assert kf.synthetic
    pov = key_figure(ds, "pov", "M1")
    assert pov.change == pytest.approx(-5.0) and pov.change_pct == pytest.approx(-5 / 60 * 100)
    assert pov.direction == "better"
    trust = key_figure(ds, "trust", "M1")
    assert trust.from_ancestor and trust.observed_at == "D1"
    assert trust.change == 10 and trust.direction == "better"  # more trust is better; intervals apart
    trust_c = key_figure(ds, "trust", "C")
    assert trust_c.direction == "unclear"  # 45 [44, 46] -> 46 [45, 47]: within the margin of error
    # a previous value of zero: no relative change, but the direction is still known
    m2 = key_figure(ds, "hom", "M2")
    assert m2.previous_value == 0 and math.isnan(m2.change_pct) and m2.direction == "worse"


def test_direction_rules():
    assert direction(2.0, True) == "worse" and direction(2.0, False) == "better"
    assert direction(-1.0, True) == "better" and direction(-1.0, False) == "worse"
    assert direction(0.0, True) == "same"
    assert direction(float("nan"), True) is None
    assert direction(1.0, True, overlap=True) == "unclear"


def test_missing_previous_period_gives_missing_change_not_a_zero():
    ds = profile_dataset(blank=("M1", "2019-05"))
    kf = key_figure(ds, "hom", "M1")
    assert kf.value == pytest.approx(2400.0)
    assert math.isnan(kf.previous_value) and math.isnan(kf.change) and kf.direction is None
    # the department and the country are missing for 2019 too
    assert math.isnan(key_figure(ds, "hom", "C").previous_value)


def test_key_figures_order_and_levels():
    ds = profile_dataset()
    assert [k.indicator_id for k in key_figures(ds, "M1")] == ["hom", "pov", "trust"]
    # poverty is only municipal: a department has no poverty figure (percents are never summed)
    assert [k.indicator_id for k in key_figures(ds, "D1")] == ["hom", "trust"]
    assert [k.indicator_id for k in key_figures(ds, "D2")] == ["hom", "trust"]
    assert key_figures(ds, "D2")[1].observed_at == "C"


def test_comparison_with_department_and_country():
    ds = profile_dataset()
    c = comparison(ds, "M1").set_index("indicator_id")
    assert c.at["hom", "self"] == pytest.approx(2400.0)
    assert c.at["hom", "department"] == pytest.approx(900.0)
    assert c.at["hom", "country"] == pytest.approx(720.0)  # (24+12+36) / 10,000 × 100,000
    assert c.at["hom", "ratio_country"] == pytest.approx(2400 / 720)
    assert math.isnan(c.at["pov", "department"]) and math.isnan(c.at["pov", "country"])
    assert "trust" not in c.index  # not observed at the municipality itself
    cs = comparison_series(ds, "hom", "M1")
    assert set(cs["role"]) == {"self", "department", "country"}
    assert cs.loc[cs["role"] == "country", "value"].tolist() == pytest.approx([480.0, 720.0])
    assert set(comparison_series(ds, "trust", "M1")["role"]) == {"department", "country"}


def test_events_of_the_territory_its_ancestors_and_within():
    ds = profile_dataset()
    ev = territory_events(ds, "M1")
    assert ev["label_en"].tolist() == ["Curfew", "Audit"]
    assert ev["scope"].tolist() == ["above", "here"]
    assert territory_events(ds, "M2")["label_en"].tolist() == ["Curfew"]
    c = territory_events(ds, "C")
    assert c["label_en"].tolist() == ["Programme", "Curfew", "Audit"]
    assert c["scope"].tolist() == ["within", "here", "within"]


def test_children_values_in_the_latest_period():
    from analytics.profile import children_values

    ds = profile_dataset()
    c = children_values(ds, "hom", "C").set_index("territory_id")
    assert c["period"].unique().tolist() == ["2020"]
    assert c.at["D1", "value"] == pytest.approx(900.0) and c.at["D2", "value"] == pytest.approx(600.0)  # 36/6,000
    m = children_values(ds, "pov", "D1")  # observed values: the loader's categorical periods
    assert m["territory_id"].tolist() == ["M1", "M2"] and m["value"].isna().tolist() == [False, True]
    assert m["period"].tolist() == ["2020", "2020"] and m.at[0, "value"] == 55.0
    t = children_values(ds, "trust", "C")  # a survey observed at one department only
    assert t["territory_id"].tolist() == ["D1", "D2"] and t["period"].tolist() == ["2020-Q4"] * 2
    assert t.at[0, "value"] == 50.0 and math.isnan(t.at[1, "value"])


@pytest.mark.parametrize("blank", [None, ("M2", "2019-05")])
def test_rollup_equals_a_fresh_aggregation(blank):
    from analytics.rates import aggregate_counts, roll_up_counts

    ds = profile_dataset(blank=blank)
    munis = aggregate_counts(ds, "hom", level=2, freq="Y")
    for level in (1, 0):
        fresh = aggregate_counts(ds, "hom", level=level, freq="Y")
        rolled = roll_up_counts(ds, munis, level)
        pd.testing.assert_frame_equal(rolled.reset_index(drop=True), fresh.reset_index(drop=True), check_dtype=False)
    d1 = roll_up_counts(ds, munis, 1).set_index(["territory_id", "period"])
    assert d1.at[("D1", "2020"), "value"] == 36  # 24 + 12
    if blank:
        assert math.isnan(d1.at[("D1", "2019"), "value"]) and d1.at[("D1", "2019"), "n_missing"] == 1
    with pytest.raises(ValueError):
        roll_up_counts(ds, roll_up_counts(ds, munis, 1), 2)


def test_index_summary_counts_groups_and_top_of_a_department_and_the_country():
    from analytics.profile import index_summary

    nan = float("nan")
    ranking = pd.DataFrame(
        {"name": ["A", "B", "C", "D", "E", "F"], "department_id": ["01", "02", "01", "01", "02", "01"],
         "department_name": ["Uno", "Dos", "Uno", "Uno", "Dos", "Uno"],
         "score": [90.0, 80.0, 55.5, 30.0, 10.0, nan], "rank": [1, 2, 3, 4, 5, nan],
         "group": [1, 1, 3, 4, 5, nan]},
        index=pd.Index(["m1", "m2", "m3", "m4", "m5", "m6"], name="territory_id"))
    d1 = index_summary(ranking, "01", "GTM", top=2)
    assert d1.n == 4 and d1.unscored == 1  # F has no score: not counted in any group
    assert d1.counts.tolist() == [1, 0, 1, 1, 0]  # groups 1..5
    assert d1.top.index.tolist() == ["m1", "m3"] and d1.top["score"].tolist() == [90.0, 55.5]
    country = index_summary(ranking, "GTM", "GTM")
    assert country.n == 6 and country.counts.tolist() == [2, 0, 1, 1, 1]
    assert country.top.index.tolist() == ["m1", "m2", "m3", "m4", "m5"]
    assert index_summary(ranking, "99", "GTM").counts.sum() == 0


def test_key_figure_of_an_indicator_seen_by_sex_only_is_per_100000_of_that_sex():
    """An indicator counted for everybody (rate_base total) that the data hold for women and men only:
    the profile shows the female series (indicator_sex), as a rate per 100,000 women
    (tests/analytics/sex_tiny.py: C 38 female victims over 5,000 women in 2020)."""
    import dataclasses

    from analytics.profile import indicator_rate_base, indicator_sex
    from tests.analytics.sex_tiny import sex_dataset

    ds = sex_dataset()
    obs = ds.observations
    ds = dataclasses.replace(ds, observations=obs[obs["sex"] != "total"].reset_index(drop=True))
    assert indicator_sex(ds, "hom") == "female" and indicator_rate_base(ds, "hom") == "female"
    kf = key_figure(ds, "hom", "C")
    assert kf.sex == "female" and kf.rate_base == "female" and kf.count == 38
    assert kf.value == pytest.approx(760.0)  # 38 / 5,000 × 100,000 (not 380, per 100,000 people)
    d1 = key_figure(ds, "hom", "D1")
    assert d1.value == pytest.approx(14 / 2100 * 100000)
    # with the total observed, the profile shows the total per 100,000 people
    full = sex_dataset()
    kt = key_figure(full, "hom", "C")
    assert (kt.sex, kt.rate_base, kt.count) == ("total", "total", 110) and kt.value == pytest.approx(1100.0)
    # an indicator whose base is women stays per 100,000 women
    assert key_figure(full, "vaw", "C").rate_base == "female"
