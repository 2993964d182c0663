"""Trends: rolling 12-month rates, moving averages, year-on-year change, same month of previous years,
before/after around an event, cross-country official rates and survey lines, on small series whose
results were computed by hand (including missing months, which must stay missing).

The tiny dataset: country C; departments D1 (municipalities M1, M2) and D2 (M3). Monthly homicide
counts Jan 2019 – Dec 2020: M1 = 1 each month, M2 = 2, M3 = 3 (so C = 6, D1 = 3 a month).
Population (total): M1 10,000, M2 20,000, M3 30,000 in 2019 and twice that in 2020.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.dataset import Dataset, DatasetMeta, Source
from analytics.trends import (
    before_after,
    broken_line,
    common_range,
    cross_country,
    events_for,
    moving_average,
    regular,
    rolling_12m_rate,
    rolling_sum,
    same_period_previous_years,
    survey_series,
    trend_table,
    year_on_year,
)

MONTHS = [f"{y}-{m:02d}" for y in (2019, 2020) for m in range(1, 13)]
BASE = {"M1": 1.0, "M2": 2.0, "M3": 3.0}


def _freq(period: str) -> str:
    return "Q" if "-Q" in period else "M" if len(period) == 7 else "Y"


def _start(period: str) -> pd.Timestamp:
    if "-Q" in period:
        return pd.Timestamp(int(period[:4]), (int(period[-1]) - 1) * 3 + 1, 1)
    if len(period) == 7:
        return pd.Timestamp(period + "-01")
    return pd.Timestamp(int(period), 1, 1)


def make_ds(counts: dict[tuple[str, str], float | None] | None = None, drop: set[tuple[str, str]] = frozenset(),
            extra_rows: list[dict] | None = None, events: pd.DataFrame | None = None) -> Dataset:
    territories = pd.DataFrame(
        {
            "territory_id": ["C", "D1", "D2", "M1", "M2", "M3", "X"],
            "name": ["Country", "Dept 1", "Dept 2", "Muni 1", "Muni 2", "Muni 3", "Other"],
            "level": [0, 1, 1, 2, 2, 2, 0],
            "parent_id": [None, "C", "C", "D1", "D1", "D2", None],
            "country_iso3": ["CCC"] * 6 + ["XXX"],
        }
    ).set_index("territory_id")
    pop1 = {"M1": 10_000.0, "M2": 20_000.0, "M3": 30_000.0, "D1": 30_000.0, "D2": 30_000.0, "C": 60_000.0}
    pop_rows = [(t, y, "total", "all", p * (1 if y == 2019 else 2)) for t, p in pop1.items() for y in (2019, 2020)]
    population = pd.DataFrame(pop_rows, columns=["territory_id", "year", "sex", "age_group", "population"])
    indicators = pd.DataFrame(
        {"indicator_id": ["hom", "rate_off", "trust"], "domain": ["crime", "crime", "trust"],
         "label_es": ["Homicidios", "Tasa", "Confianza"], "label_en": ["Homicides", "Rate", "Trust"],
         "unit": ["count", "rate", "percent"], "higher_is_worse": [True, True, False],
         "rate_base": ["total", "total", "none"], "rate_per": [100000, 100000, pd.NA],
         "source": ["syn", "official", "survey"], "synthetic": [True, False, True]}
    ).set_index("indicator_id")
    rows = []
    for tid, v in BASE.items():
        for p in MONTHS:
            if (tid, p) in drop:
                continue
            val = (counts or {}).get((tid, p), v)
            rows.append({"indicator_id": "hom", "territory_id": tid, "period": p, "sex": "total", "value": val})
    rows += extra_rows or []
    obs = pd.DataFrame(rows)
    for c in ("lower", "upper"):
        if c not in obs:
            obs[c] = np.nan
    if "source" not in obs:
        obs["source"] = None
    obs["value"] = obs["value"].astype(float)
    obs["freq"] = obs["period"].map(_freq)
    obs["period_start"] = obs["period"].map(_start)
    obs["year"] = obs["period_start"].dt.year
    meta = DatasetMeta("t", "t", "t", "1", "1.0", True, "", "", "es_419",
                       (Source("official", "Official statistics"), Source("src_x", "X national police")), ())
    empty = pd.DataFrame()
    ev = events if events is not None else pd.DataFrame(
        columns=["date", "territory_id", "label_es", "label_en", "kind", "synthetic", "source"])
    return Dataset(Path("."), meta, territories, population, indicators, obs, empty, empty, ev, None, [], {}, "fp")


def ms(*months: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(m + "-01") for m in months])


# ---- transformations on plain series -----------------------------------------------------------
def test_rolling_sum_needs_a_full_window_and_a_missing_month_blanks_every_window_containing_it():
    idx = pd.date_range("2019-01-01", periods=15, freq="MS")
    s = pd.Series(np.arange(1.0, 16.0), index=idx)  # 1..15
    r = rolling_sum(s, 12)
    assert r.iloc[:11].isna().all()
    assert r.iloc[11] == 78  # 1+...+12
    assert r.iloc[12] == 90  # 2+...+13
    assert r.iloc[14] == 114  # 4+...+15
    s2 = s.copy()
    s2.iloc[2] = np.nan  # March 2019 missing
    r2 = rolling_sum(s2, 12)
    # windows ending Dec 2019, Jan 2020, Feb 2020 contain March 2019 -> missing; the one ending Mar 2020 does not
    assert r2.iloc[11:14].isna().all()
    assert r2.iloc[14] == 114


def test_regular_inserts_absent_months_as_missing_not_zero():
    s = pd.Series([5.0, 7.0], index=ms("2020-01", "2020-03"))
    r = regular(s, "M")
    assert list(r.index) == list(ms("2020-01", "2020-02", "2020-03"))
    assert r.iloc[0] == 5 and math.isnan(r.iloc[1]) and r.iloc[2] == 7


def test_moving_average_3_and_missing():
    s = pd.Series([3.0, 6.0, 9.0, np.nan, 12.0, 15.0, 18.0], index=pd.date_range("2020-01-01", periods=7, freq="MS"))
    out = moving_average(s, 3).tolist()
    assert math.isnan(out[0]) and math.isnan(out[1])
    assert out[2] == 6.0
    assert all(math.isnan(v) for v in out[3:6])  # each of these windows contains April
    assert out[6] == 15.0


def test_year_on_year_monthly_with_missing_and_zero_base():
    idx = pd.date_range("2019-01-01", periods=24, freq="MS")
    vals = [10.0] * 12 + [12.0] * 12
    vals[1] = 0.0  # Feb 2019 = 0: no percent change can be computed against it
    vals[14] = np.nan  # Mar 2020 missing
    out = year_on_year(pd.Series(vals, index=idx), "M")
    assert out.iloc[:12].isna().all()
    assert out.iloc[12] == pytest.approx(20.0)  # 12 vs 10
    assert math.isnan(out.iloc[13])  # base 0
    assert math.isnan(out.iloc[14])  # missing
    assert out.iloc[23] == pytest.approx(20.0)
    yearly = year_on_year(pd.Series([50.0, 40.0], index=pd.date_range("2019-01-01", periods=2, freq="YS")), "Y")
    assert yearly.iloc[1] == pytest.approx(-20.0)


def test_rolling_12m_rate_uses_the_population_of_the_last_months_year():
    idx = pd.date_range("2019-01-01", periods=14, freq="MS")
    counts = pd.Series(10.0, index=idx)
    pop = pd.Series({2019: 120_000.0, 2020: 150_000.0})
    r = rolling_12m_rate(counts, pop, 100_000)
    assert r["rate"].iloc[:11].isna().all()
    assert r["sum12"].iloc[11] == 120
    assert r["rate"].iloc[11] == pytest.approx(100.0)  # Dec 2019: 120 / 120,000 × 100,000
    assert r["population_year"].iloc[12] == 2020
    assert r["rate"].iloc[12] == pytest.approx(80.0)  # Jan 2020: 120 / 150,000 × 100,000


# ---- the main table on a tiny dataset ------------------------------------------------------------
def test_trend_table_rates_are_summed_counts_over_summed_population():
    ds = make_ds()
    t = trend_table(ds, "hom", ["C", "D1", "M3"], "M", "rate", "none")
    c = t[t.territory_id == "C"].set_index("period")
    # country: 6 a month over 60,000 (2019) -> 10 per 100k; over 120,000 (2020) -> 5
    assert c.at["2019-01", "count"] == 6
    assert c.at["2019-01", "value"] == pytest.approx(10.0)
    assert c.at["2020-12", "value"] == pytest.approx(5.0)
    d1 = t[t.territory_id == "D1"].set_index("period")
    assert d1.at["2019-05", "value"] == pytest.approx(3 / 30_000 * 100_000)
    assert list(t["territory_id"].unique()) == ["C", "D1", "M3"]
    assert len(t) == 3 * 24
    counts = trend_table(ds, "hom", ["C"], "Q", "count", "none")
    assert counts["period"].tolist()[:2] == ["2019-Q1", "2019-Q2"]
    assert counts["value"].tolist()[0] == 18
    annual = trend_table(ds, "hom", ["D2"], "Y", "rate", "none").set_index("period")
    assert annual.at["2019", "value"] == pytest.approx(36 / 30_000 * 100_000)  # 120
    assert annual.at["2020", "value"] == pytest.approx(36 / 60_000 * 100_000)  # 60


def test_trend_table_roll12_for_the_country_with_a_missing_month():
    ds = make_ds(counts={("M2", "2019-06"): None})
    t = trend_table(ds, "hom", ["C", "D2"], "M", "rate", "roll12")
    c = t[t.territory_id == "C"].set_index("period")
    # June 2019 of M2 missing -> C and D1 missing that month; every 12-month window containing it is missing
    assert math.isnan(c.at["2019-06", "count"])
    for p in ["2019-12", "2020-01", "2020-05"]:
        assert math.isnan(c.at[p, "value"]), p
    # window Jul 2019 – Jun 2020: 72 cases over the 2020 population (120,000) -> 60 per 100k
    assert c.at["2020-06", "value"] == pytest.approx(72 / 120_000 * 100_000)
    assert c.at["2020-06", "population_year"] == 2020
    d2 = t[t.territory_id == "D2"].set_index("period")  # D2 is untouched by M2's gap
    assert d2.at["2019-12", "value"] == pytest.approx(36 / 30_000 * 100_000)
    cnt = trend_table(ds, "hom", ["D2"], "M", "count", "roll12").set_index("period")
    assert cnt.at["2020-03", "value"] == 36


def test_trend_table_absent_row_moving_average_and_yoy():
    ds = make_ds(drop={("M1", "2020-02")}, counts={("M3", "2020-01"): 9.0})
    ma = trend_table(ds, "hom", ["M3"], "M", "count", "ma3").set_index("period")
    assert ma.at["2020-01", "value"] == pytest.approx((3 + 3 + 9) / 3)
    assert ma.at["2020-03", "value"] == pytest.approx((9 + 3 + 3) / 3)
    d1 = trend_table(ds, "hom", ["D1"], "M", "count", "ma3").set_index("period")
    assert all(math.isnan(d1.at[p, "value"]) for p in ["2020-02", "2020-03", "2020-04"])
    assert d1.at["2020-05", "value"] == 3
    yoy = trend_table(ds, "hom", ["M3"], "M", "count", "yoy").set_index("period")
    assert yoy.at["2020-01", "value"] == pytest.approx(200.0)  # 9 vs 3
    assert yoy.at["2020-02", "value"] == pytest.approx(0.0)
    with pytest.raises(ValueError):
        trend_table(ds, "hom", ["M3"], "Y", "count", "ma3")
    with pytest.raises(ValueError):
        trend_table(ds, "trust", ["C"], "M", "count", "none")


def test_same_month_of_previous_years():
    ds = make_ds(counts={("M3", "2020-03"): 7.0, ("M3", "2019-04"): None})
    t = trend_table(ds, "hom", ["M3"], "M", "count", "none")
    view = same_period_previous_years(t, "M")
    assert view.years == [2019, 2020]
    tab = view.table.set_index(["year", "sub"])
    assert tab.at[(2020, 3), "value"] == 7
    assert tab.at[(2019, 3), "value"] == 3
    assert math.isnan(tab.at[(2019, 4), "value"])
    assert len(view.table) == 24


# ---- before / after --------------------------------------------------------------------------------
def test_before_after_excludes_the_event_month():
    idx = pd.date_range("2020-01-01", periods=12, freq="MS")
    s = pd.Series([10, 20, 30, 40, 999, 5, 15, 25, 35, 0, 0, 0], index=idx, dtype=float)
    ba = before_after(s, pd.Timestamp("2020-05-15"), 3)
    assert ba.event_period == "2020-05"
    assert (ba.before_first, ba.before_last, ba.after_first, ba.after_last) == ("2020-02", "2020-04", "2020-06", "2020-08")
    assert ba.before_mean == pytest.approx(30.0)  # (20+30+40)/3; May (999) is in neither window
    assert ba.after_mean == pytest.approx(15.0)  # (5+15+25)/3
    assert ba.change_pct == pytest.approx(-50.0)


def test_before_after_with_missing_month_or_window_outside_the_data():
    idx = pd.date_range("2020-01-01", periods=12, freq="MS")
    s = pd.Series([10, 20, 30, 40, 50, 5, np.nan, 25, 35, 1, 1, 1], index=idx, dtype=float)
    ba = before_after(s, pd.Timestamp("2020-05-01"), 3)
    assert ba.before_mean == pytest.approx(30.0)
    assert math.isnan(ba.after_mean) and ba.after_missing == 1
    assert math.isnan(ba.change_pct)
    early = before_after(s, pd.Timestamp("2020-02-01"), 3)  # Nov–Dec 2019 are not in the data
    assert early.before_missing == 2 and math.isnan(early.before_mean)
    zero = before_after(pd.Series([0.0, 0.0, 5.0, 4.0], index=idx[:4]), pd.Timestamp("2020-03-01"), 1)
    assert zero.before_mean == 0 and math.isnan(zero.change_pct)


def test_events_apply_to_ancestors_and_descendants():
    ev = pd.DataFrame({
        "date": pd.to_datetime(["2020-03-22", "2019-06-01", "2020-01-01"]),
        "territory_id": ["C", "M1", "M3"],
        "label_es": ["Toque", "Auditoría", "Programa"], "label_en": ["Curfew", "Audit", "Programme"],
        "kind": ["shock", "intervention", "intervention"], "synthetic": [False, True, True],
        "source": ["a", "b", "c"],
    })
    ds = make_ds(events=ev)
    d1 = events_for(ds, ["D1"])
    assert d1["label_en"].tolist() == ["Audit", "Curfew"]
    assert d1["scope"].tolist() == ["descendant", "ancestor"]
    assert events_for(ds, ["M3"])["label_en"].tolist() == ["Programme", "Curfew"]
    assert len(events_for(ds, ["C"])) == 3


# ---- cross-country ----------------------------------------------------------------------------------
def test_cross_country_keeps_gaps_and_names_each_points_source():
    extra = [
        {"indicator_id": "rate_off", "territory_id": "C", "period": "2015", "sex": "total", "value": 20.0, "source": None},
        {"indicator_id": "rate_off", "territory_id": "C", "period": "2017", "sex": "total", "value": 18.5, "source": "src_x"},
        {"indicator_id": "rate_off", "territory_id": "X", "period": "2016", "sex": "total", "value": None, "source": None},
    ]
    ds = make_ds(extra_rows=extra)
    cc = cross_country(ds, "rate_off")
    assert cc["territory_id"].unique().tolist() == ["C"]  # X has no figure at all
    c = cc.set_index("year")
    assert c.index.tolist() == [2015, 2016, 2017]
    assert math.isnan(c.at[2016, "value"])  # a gap, not zero, not interpolated (19.25)
    assert c.at[2016, "source"] is None
    assert c.at[2015, "source"] == "official" and c.at[2015, "source_title"] == "Official statistics"
    assert c.at[2017, "source"] == "src_x" and c.at[2017, "source_title"] == "X national police"


# ---- survey --------------------------------------------------------------------------------------------
def test_survey_series_and_line_broken_across_a_missing_wave():
    waves = ["2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4", "2021-Q1"]
    vals = [30.0, 32.0, None, 35.0, 36.0]
    extra = [{"indicator_id": "trust", "territory_id": "D1", "period": p, "sex": "total", "value": v,
              "lower": None if v is None else v - 2, "upper": None if v is None else v + 2}
             for p, v in zip(waves, vals)]
    extra += [{"indicator_id": "trust", "territory_id": "D1", "period": p, "sex": "female", "value": 31.0,
               "lower": 29.0, "upper": 33.0} for p in waves if p != "2020-Q2"]  # female: Q2 row absent
    ds = make_ds(extra_rows=extra)
    s = survey_series(ds, "trust", "D1", ("total", "female"))
    assert s["sex"].tolist()[:5] == ["total"] * 5
    tot = s[s.sex == "total"]
    assert tot["period"].tolist() == waves
    assert math.isnan(tot["value"].iloc[2]) and tot["lower"].iloc[0] == 28
    fem = s[s.sex == "female"]
    assert math.isnan(fem["value"].iloc[1])  # absent row -> missing wave
    xs, ys = broken_line(list(tot["period_start"]), list(tot["value"]), "Q")
    assert ys == [30.0, 32.0, None, 35.0, 36.0]
    assert xs[2] is None and xs[3] == pd.Timestamp("2020-10-01")
    xs2, ys2 = broken_line(list(fem["period_start"]), list(fem["value"]), "Q")
    assert ys2 == [31.0, None, 31.0, 31.0, 31.0]
    xs3, ys3 = broken_line(list(pd.to_datetime(["2019-01-01", "2020-01-01", "2022-01-01"])), [1.0, 2.0, 3.0], "Y")
    assert ys3 == [1.0, 2.0, None, 3.0]


def test_common_range():
    a = pd.Series([1.0, 2.0, np.nan], index=ms("2020-01", "2020-02", "2020-03"))
    b = pd.Series([np.nan, 5.0, 6.0, 7.0], index=ms("2020-01", "2020-02", "2020-03", "2020-04"))
    assert common_range(a, b) == (pd.Timestamp("2020-02-01"), pd.Timestamp("2020-02-01"))
    assert common_range(a, pd.Series(dtype=float)) is None


def test_level_tables_give_the_same_series_as_single_territory_aggregation():
    from analytics.trends import base_series, level_rates

    ds = make_ds(counts={("M2", "2019-06"): None}, drop={("M3", "2020-02")})
    calls = []

    def level_table(ind, level, freq, sex):
        calls.append((ind, level, freq, sex))
        return level_rates(ds, ind, level, freq, sex)

    for freq in ("M", "Q", "Y"):
        direct = trend_table(ds, "hom", ["C", "D1", "D2", "M2"], freq, "rate", "none")
        via = trend_table(ds, "hom", ["C", "D1", "D2", "M2"], freq, "rate", "none", level_table=level_table)
        pd.testing.assert_frame_equal(direct.reset_index(drop=True), via.reset_index(drop=True), check_dtype=False)
    assert ("hom", 1, "Q", "total") in calls
    one = base_series(ds, "hom", "M3", "M", level_table=level_table)
    assert math.isnan(one.set_index("period").at["2020-02", "count"])


def test_latest_value_against_the_same_period_a_year_earlier():
    from analytics.trends import latest_vs_year_before

    # M3: 3 a month, but Dec 2020 missing and Nov 2019 = 2 -> latest is Nov 2020 (3) vs Nov 2019 (2): +50 %
    ds = make_ds(counts={("M3", "2020-12"): None, ("M3", "2019-11"): 2.0, ("M1", "2019-12"): 0.0})
    t = trend_table(ds, "hom", ["M3", "M1"], "M", "count", "none")
    m3, m1 = latest_vs_year_before(t, "M")
    assert (m3.territory_id, m3.period, m3.value, m3.previous_period, m3.previous) == ("M3", "2020-11", 3, "2019-11", 2)
    assert m3.change_pct == pytest.approx(50.0)
    assert (m1.period, m1.previous_period, m1.previous) == ("2020-12", "2019-12", 0)
    assert math.isnan(m1.change_pct)  # against 0 no percent change
    annual = latest_vs_year_before(trend_table(ds, "hom", ["D2"], "Y", "rate", "none"), "Y")[0]
    # D2 (= M3) 2020 is missing (December missing), so the latest year is 2019: 35 cases / 30,000;
    # there is no 2018 to compare with
    assert annual.period == "2019" and annual.value == pytest.approx(35 / 30_000 * 100_000)
    assert annual.previous_period == "2018" and math.isnan(annual.previous) and math.isnan(annual.change_pct)


# ---- sex-specific rates ----------------------------------------------------------------------------------
FEMALE = {"M1": 0.0, "M2": 1.0, "M3": 1.0}  # female victims a month (of the 1, 2, 3 of `make_ds`)


def with_sexes(ds: Dataset, male_population: bool = False) -> Dataset:
    """`make_ds` plus a female and a male series of `hom` (female: M1 0, M2 1, M3 1 a month; male: the
    rest) and a female population of half of everybody (M1 5,000, M2 10,000, M3 15,000, D1 15,000,
    D2 15,000, C 30,000 in 2019, twice that in 2020). No male population unless asked."""
    import dataclasses

    obs = ds.observations
    hom = obs[(obs["indicator_id"] == "hom") & (obs["sex"] == "total")]
    fem = hom.assign(sex="female", value=hom["territory_id"].map(FEMALE).where(hom["value"].notna()))
    male = hom.assign(sex="male", value=hom["value"] - fem["value"])
    pop = ds.population
    extra = [pop.assign(sex="female", population=pop["population"] / 2)]
    if male_population:
        extra.append(pop.assign(sex="male", population=pop["population"] / 2))
    return dataclasses.replace(ds, observations=pd.concat([obs, fem, male], ignore_index=True),
                               population=pd.concat([pop, *extra], ignore_index=True))


def test_female_trend_rates_are_per_100000_women():
    ds = with_sexes(make_ds())
    t = trend_table(ds, "hom", ["C", "D1", "D2"], "M", "rate", "none", sex="female")
    c = t[t.territory_id == "C"].set_index("period")
    # country: 2 female victims a month over 30,000 women (2019) -> 6.67; over 60,000 (2020) -> 3.33
    assert c.at["2019-01", "count"] == 2 and c.at["2019-01", "population"] == 30_000
    assert c.at["2019-01", "value"] == pytest.approx(2 / 30_000 * 100_000)
    assert c.at["2020-12", "value"] == pytest.approx(2 / 60_000 * 100_000)
    assert c.at["2019-01", "value"] != pytest.approx(2 / 60_000 * 100_000)  # the old all-people denominator
    d1 = t[t.territory_id == "D1"].set_index("period")  # M1 0 + M2 1 over 5,000 + 10,000 women
    assert d1.at["2019-05", "population"] == 15_000 and d1.at["2019-05", "value"] == pytest.approx(1 / 15_000 * 100_000)
    q = trend_table(ds, "hom", ["C"], "Q", "rate", "none", sex="female").set_index("period")
    assert q.at["2019-Q1", "value"] == pytest.approx(6 / 30_000 * 100_000)  # 20, not annualised
    y = trend_table(ds, "hom", ["D2"], "Y", "rate", "none", sex="female").set_index("period")
    assert y.at["2019", "value"] == pytest.approx(12 / 15_000 * 100_000)  # 80
    assert y.at["2020", "value"] == pytest.approx(12 / 30_000 * 100_000)  # 40
    # the total is unchanged: 6 a month over 60,000 people
    tot = trend_table(ds, "hom", ["C"], "M", "rate", "none").set_index("period")
    assert tot.at["2019-01", "value"] == pytest.approx(10.0)


def test_female_rolling_moving_average_and_year_on_year_use_women():
    ds = with_sexes(make_ds())
    r12 = trend_table(ds, "hom", ["C"], "M", "rate", "roll12", sex="female").set_index("period")
    # Jul 2019 – Jun 2020: 24 female victims over the 2020 women (60,000)
    assert r12.at["2020-06", "value"] == pytest.approx(24 / 60_000 * 100_000)
    assert r12.at["2019-12", "value"] == pytest.approx(24 / 30_000 * 100_000)
    ma = trend_table(ds, "hom", ["C"], "M", "rate", "ma3", sex="female").set_index("period")
    assert ma.at["2020-02", "value"] == pytest.approx((2 / 30_000 + 2 / 60_000 + 2 / 60_000) / 3 * 100_000)
    yoy = trend_table(ds, "hom", ["C"], "M", "rate", "yoy", sex="female").set_index("period")
    assert yoy.at["2020-01", "value"] == pytest.approx(-50.0)  # same victims, twice the women
    monthly = trend_table(ds, "hom", ["C"], "M", "rate", "none", sex="female")
    s = monthly.set_index("period_start")["value"]
    ba = before_after(s, pd.Timestamp("2020-01-15"), 3)
    assert ba.before_mean == pytest.approx(2 / 30_000 * 100_000) and ba.after_mean == pytest.approx(2 / 60_000 * 100_000)
    assert ba.change_pct == pytest.approx(-50.0)


def test_male_trend_rates_without_a_male_population_are_missing():
    ds = with_sexes(make_ds())
    t = trend_table(ds, "hom", ["C", "M3"], "M", "rate", "none", sex="male")
    assert t["count"].notna().all() and t["population"].isna().all() and t["value"].isna().all()
    assert trend_table(ds, "hom", ["C"], "M", "rate", "roll12", sex="male")["value"].isna().all()
    # with a male population they are per 100,000 men: C 4 a month over 30,000 men (2019)
    ds2 = with_sexes(make_ds(), male_population=True)
    c = trend_table(ds2, "hom", ["C"], "M", "rate", "none", sex="male").set_index("period")
    assert c.at["2019-01", "count"] == 4 and c.at["2019-01", "value"] == pytest.approx(4 / 30_000 * 100_000)
