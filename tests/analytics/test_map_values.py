"""The map's numbers on a tiny hand-made dataset, every expected value computed by hand.

Country C; departments D1 (municipalities M1, M2) and D2 (M3). Monthly counts of `hom`, 2020-01 to
2023-12; populations constant: M1 1,000, M2 3,000, M3 6,000 (D1 4,000, D2 6,000, C 10,000).

    M1: 1 a month 2020–2022 (12 a year); 2023: 1 a month Jan–Jun, 0 Jul–Dec (6)
    M2: 2 a month 2020–2022 (24 a year); 2023: 2 a month Jan–Oct, 1 in Nov and Dec (22)
    M3: 4 a month 2020–2022 (48 a year); 2023: 3 a month (36)

Plus `trust`, a department-level survey percent for 2023-Q1 (D1 40.0, D2 55.5).
"""

from __future__ import annotations

import dataclasses

import math

import numpy as np
import pandas as pd
import pytest

from analytics.dataset import Dataset
from analytics.map_values import (
    MapQuery,
    normalize_filters,
    change_classes,
    change_classification,
    class_counts_within,
    classify,
    equal_interval_bins,
    quantile_bins,
    fisher_jenks_bins,
    indicator_options,
    map_values,
    percent_change,
    period_choices,
    period_freq,
    rank_values,
    ranking,
    view_for_bounds,
)
from tests.analytics import tiny as tiny_data

MONTHLY = {
    "M1": {2020: [1] * 12, 2021: [1] * 12, 2022: [1] * 12, 2023: [1] * 6 + [0] * 6},
    "M2": {2020: [2] * 12, 2021: [2] * 12, 2022: [2] * 12, 2023: [2] * 10 + [1, 1]},
    "M3": {2020: [4] * 12, 2021: [4] * 12, 2022: [4] * 12, 2023: [3] * 12},
}


def tiny(missing: tuple[str, str] | None = None) -> Dataset:
    """The dataset above; `missing` = (territory, month) leaves that month's count blank."""
    rows: list[tuple] = []
    for tid, years in MONTHLY.items():
        for year, months in years.items():
            for m, v in enumerate(months, start=1):
                period = f"{year}-{m:02d}"
                rows.append(("hom", tid, period, "total", None if missing == (tid, period) else float(v)))
    rows.append(("trust", "D1", "2023-Q1", "total", 40.0, 35.0, 45.0))
    rows.append(("trust", "D2", "2023-Q1", "total", 55.5, 50.0, 61.0))
    trust = tiny_data.indicator("trust", "Confianza", "Trust", domain="trust", unit="percent",
                                higher_is_worse=False, rate_base="none", rate_per=None)
    return tiny_data.tiny_dataset(rows, [tiny_data.HOMICIDES, trust], tiny_data.population(range(2020, 2024)))


def by_id(mv) -> pd.DataFrame:
    return mv.table.set_index("territory_id")


def test_options_of_a_count_and_a_survey_indicator():
    ds = tiny()
    hom = indicator_options(ds, "hom")
    assert hom.levels == (2, 1) and hom.measures == ("rate", "count", "change")
    assert hom.granularities == ("Y", "Q", "M") and hom.sexes == ("total",)
    trust = indicator_options(ds, "trust")
    assert trust.levels == (1,)  # department-level survey: no municipal map
    assert trust.measures == ("value",) and trust.granularities == ("Q",)
    assert period_choices(ds, "hom", "Y") == ["2020", "2021", "2022", "2023"]
    assert period_choices(ds, "hom", "Q")[-1] == "2023-Q4" and len(period_choices(ds, "hom", "Q")) == 16
    assert period_freq("2023") == "Y" and period_freq("2023-Q4") == "Q" and period_freq("2023-07") == "M"
    with pytest.raises(ValueError):
        period_freq("2023-13x")


def test_a_year_the_series_does_not_cover_is_not_offered_and_not_the_default():
    """A monthly series that stops in June 2023 has no 2023 annual total: years stop at 2022 (the
    default), quarters at 2023-Q2, months at 2023-06."""
    ds = tiny()
    obs = ds.observations
    cut = obs.loc[~((obs["indicator_id"] == "hom") & (obs["period_start"] > pd.Timestamp(2023, 6, 1)))]
    ds = dataclasses.replace(ds, observations=cut.reset_index(drop=True))
    assert period_choices(ds, "hom", "Y") == ["2020", "2021", "2022"]
    assert period_choices(ds, "hom", "Q")[-1] == "2023-Q2"
    assert period_choices(ds, "hom", "M")[-1] == "2023-06"
    assert normalize_filters(ds, "hom", 2, "rate", "total", "Y").period == "2022"
    assert normalize_filters(ds, "hom", 2, "rate", "total", "Y", period="2023").period == "2022"


def test_municipal_rates_counts_small_numbers_and_ties():
    mv = map_values(tiny(), MapQuery("hom", "2023", level=2, measure="rate"))
    t = by_id(mv)
    assert t.loc["M1", "count"] == 6 and t.loc["M1", "population"] == 1000
    assert t.loc["M1", "value"] == pytest.approx(600.0)  # 6 / 1,000 × 100,000
    assert t.loc["M2", "value"] == pytest.approx(22 / 3000 * 100000)  # 733.33
    assert t.loc["M3", "value"] == pytest.approx(600.0)  # 36 / 6,000 × 100,000
    # competition ranking, worst first: M2 1; M1 and M3 tie at 600 and share rank 2
    assert t["rank"].to_dict() == {"M1": 2, "M2": 1, "M3": 2}
    assert t["tied"].to_dict() == {"M1": True, "M2": False, "M3": True}
    # fewer than 10 events behind M1's rate
    assert t["small"].to_dict() == {"M1": True, "M2": False, "M3": False}
    assert by_id(map_values(tiny(), MapQuery("hom", "2023", measure="rate", small_threshold=30)))["small"].sum() == 2
    assert mv.unit == "rate" and mv.rate_per == 100000 and mv.n_ranked == 3
    assert t.loc["M2", "parent_name"] == "Dept 1"
    counts = by_id(map_values(tiny(), MapQuery("hom", "2023", measure="count")))
    assert counts["value"].to_dict() == {"M1": 6, "M2": 22, "M3": 36}
    assert not counts["small"].any()  # counts are not flagged


def test_department_rate_is_summed_counts_over_summed_population():
    t = by_id(map_values(tiny(), MapQuery("hom", "2023", level=1, measure="rate")))
    assert t.loc["D1", "count"] == 28 and t.loc["D1", "population"] == 4000
    assert t.loc["D1", "value"] == pytest.approx(700.0)  # (6 + 22) / 4,000 × 100,000
    # not the mean of the member rates (600 + 733.3) / 2 = 666.7
    assert t.loc["D1", "value"] != pytest.approx((600 + 22 / 3000 * 100000) / 2)
    assert t.loc["D2", "value"] == pytest.approx(600.0)


def test_quarter_rate_is_not_annualised():
    mv = map_values(tiny(), MapQuery("hom", "2023-Q4", measure="rate"))
    t = by_id(mv)
    assert t.loc["M2", "count"] == 4  # Oct 2 + Nov 1 + Dec 1
    assert t.loc["M2", "value"] == pytest.approx(4 / 3000 * 100000)
    assert "not_annualised" in mv.notes


def test_pooled_three_year_rate():
    mv = map_values(tiny(), MapQuery("hom", "2023", measure="rate", pooled=True))
    t = by_id(mv)
    assert mv.period_label == "2021–2023"
    assert t.loc["M1", "count"] == 30 and t.loc["M1", "population"] == 3000  # 12 + 12 + 6; 3 × 1,000
    assert t.loc["M1", "value"] == pytest.approx(1000.0)
    assert t.loc["M3", "value"] == pytest.approx((48 + 48 + 36) / 18000 * 100000)  # 733.33
    assert not t.loc["M1", "small"]  # 30 events: stable once pooled
    # 2021 would need 2019, which is not in the data: no pooled value rather than a smaller one
    assert by_id(map_values(tiny(), MapQuery("hom", "2021", measure="rate", pooled=True)))["value"].isna().all()
    with pytest.raises(ValueError):
        map_values(tiny(), MapQuery("hom", "2023-Q1", measure="rate", pooled=True))


def test_change_against_own_baseline_and_traffic_light_classes():
    mv = map_values(tiny(), MapQuery("hom", "2023", measure="change"))
    t = by_id(mv)
    assert mv.period_label == "2023" and mv.baseline_label == "2020–2022"
    # M1: 6 now vs (12 + 12 + 12) / 3 = 12 -> -50 %
    assert t.loc["M1", "count"] == 6 and t.loc["M1", "baseline"] == 12
    assert t.loc["M1", "value"] == pytest.approx(-50.0)
    # M2: 22 vs 24 -> -8.33 %; M3: 36 vs 48 -> exactly -25 % (counts as "at least 25 % below")
    assert t.loc["M2", "value"] == pytest.approx(-100 / 12)
    assert t.loc["M3", "value"] == pytest.approx(-25.0)
    assert t["change_class"].to_dict() == {"M1": 0, "M2": 1, "M3": 0}
    assert t["small"].to_dict() == {"M1": False, "M2": False, "M3": False}  # baselines 12, 24, 48 ≥ 10
    assert by_id(map_values(tiny(), MapQuery("hom", "2023", measure="change", small_threshold=20)))["small"].sum() == 1
    # rank 1 = the largest increase (least decrease): M2 (-8.3), then M3 (-25), then M1 (-50)
    assert t["rank"].to_dict() == {"M1": 3, "M2": 1, "M3": 2}
    cls = change_classification(mv)
    assert cls.counts == (2, 1, 0) and cls.n_missing == 0


def test_change_for_a_month_uses_rolling_12_months_and_needs_the_whole_baseline():
    # 12 months to 2023-06 need a baseline from 2019-07, before the data start: no value, not a smaller one
    t = by_id(map_values(tiny(), MapQuery("hom", "2023-06", measure="change")))
    assert t["value"].isna().all() and t["rank"].isna().all()
    assert t["change_class"].tolist() == [-1, -1, -1]


def test_a_missing_month_makes_values_missing_not_smaller():
    ds = tiny(missing=("M1", "2021-05"))
    change = by_id(map_values(ds, MapQuery("hom", "2023", measure="change")))
    assert math.isnan(change.loc["M1", "value"]) and math.isnan(change.loc["M1", "rank"])
    assert change.loc["M2", "rank"] == 1 and change.loc["M3", "rank"] == 2  # the others still rank
    dept = by_id(map_values(ds, MapQuery("hom", "2021", level=1, measure="rate")))
    assert math.isnan(dept.loc["D1", "value"]) and dept.loc["D2", "value"] == pytest.approx(800.0)
    assert map_values(ds, MapQuery("hom", "2021", level=1)).n_ranked == 1


def test_survey_percent_is_shown_as_observed_at_department_level_only():
    mv = map_values(tiny(), MapQuery("trust", "2023-Q1", level=1, measure="value"))
    t = by_id(mv)
    assert t.loc["D1", "value"] == 40.0 and t.loc["D1", "lower"] == 35.0 and t.loc["D2", "upper"] == 61.0
    # higher trust is better: the worst (rank 1) is the lowest value
    assert t["rank"].to_dict() == {"D1": 1, "D2": 2}
    assert mv.unit == "percent" and mv.rate_per is None
    with pytest.raises(ValueError, match="level 2"):
        map_values(tiny(), MapQuery("trust", "2023-Q1", level=2, measure="value"))
    with pytest.raises(ValueError):
        map_values(tiny(), MapQuery("trust", "2023-Q1", level=1, measure="rate"))


def test_ranking_table_filters_orders_and_limits():
    mv = map_values(tiny(), MapQuery("hom", "2023", measure="rate"))
    assert ranking(mv)["territory_id"].tolist() == ["M2", "M1", "M3"]  # ties by name
    assert ranking(mv, order="best")["territory_id"].tolist() == ["M1", "M3", "M2"]
    assert ranking(mv, within="D1")["territory_id"].tolist() == ["M2", "M1"]
    assert ranking(mv, top=1)["territory_id"].tolist() == ["M2"]
    ds = tiny(missing=("M1", "2023-02"))
    r = ranking(map_values(ds, MapQuery("hom", "2023", measure="rate")))
    assert r["territory_id"].tolist() == ["M2", "M3", "M1"]  # no data last, without a rank
    assert math.isnan(r["rank"].iloc[-1])


def test_rank_values_ties_and_polarity():
    v = pd.Series([5.0, 9.0, 5.0, np.nan, 1.0])
    r, tied = rank_values(v, higher_is_worse=True)
    assert r.tolist()[:3] == [2, 1, 2] and math.isnan(r[3]) and r[4] == 4
    assert tied.tolist() == [True, False, True, False, False]
    r2, _ = rank_values(v, higher_is_worse=False)
    assert r2[4] == 1 and r2[0] == 2 and r2[1] == 4


def test_percent_change_and_classes_at_the_boundaries():
    cur = pd.Series([75.0, 76.0, 99.0, 99.5, 5.0, 0.0, np.nan])
    base = pd.Series([100.0, 100.0, 100.0, 100.0, 0.0, 0.0, 10.0])
    ch = percent_change(cur, base)
    assert ch[:4].tolist() == pytest.approx([-25.0, -24.0, -1.0, -0.5])
    assert math.isnan(ch[4]) and math.isnan(ch[5]) and math.isnan(ch[6])  # zero or missing baseline/current
    cls = change_classes(ch)
    # -25 -> at least 25 % below; -24, -1 -> 1–25 % below; -0.5 -> above; zero baseline or missing -> -1
    assert cls.tolist() == [0, 1, 1, 2, -1, -1, -1]


def test_a_departments_legend_counts_its_municipalities_in_the_countrys_classes():
    # 2023 rates: M1 6/1,000 = 600, M2 22/3,000 = 733.3, M3 36/6,000 = 600 per 100,000 → two distinct
    # values, two classes (600 | 733.3); D1 holds M1 and M2, D2 holds M3
    mv = map_values(tiny(), MapQuery("hom", "2023", 2, "total", "rate"))
    cls = classify(mv.table["value"], "quantiles", 5)
    assert cls.counts == (2, 1)
    assert class_counts_within(mv, cls, "D1") == ((1, 1), 0)
    assert class_counts_within(mv, cls, "D2") == ((1, 0), 0)
    # a blank month in M2 leaves its 2023 rate missing: counted as no data in D1, not in a class
    mv = map_values(tiny(missing=("M2", "2023-05")), MapQuery("hom", "2023", 2, "total", "rate"))
    cls = classify(mv.table["value"], "quantiles", 5)
    assert cls.counts == (2,) and cls.n_missing == 1
    assert class_counts_within(mv, cls, "D1") == ((1,), 1)
    assert class_counts_within(mv, cls, "D2") == ((1,), 0)


def test_classification_bounds_and_counts():
    y = pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan])
    eq = classify(y, "equal_interval", k=3)
    assert eq.bounds == ((1.0, 4.0), (4.0, 7.0), (7.0, 10.0))  # width (10 - 1) / 3 = 3
    assert eq.counts == (4, 3, 3) and eq.n_missing == 1
    assert eq.classes.tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, -1]
    q = classify(y, "quantiles", k=2)
    assert q.bounds == ((1.0, 5.5), (5.5, 10.0)) and q.counts == (5, 5)
    nb = classify(pd.Series([1.0, 2, 2, 3, 5, 8, 13, 21, 34, 55]), "natural_breaks", k=5)
    assert [b[1] for b in nb.bounds] == [5, 13, 21, 34, 55] and nb.counts == (5, 2, 1, 1, 1)
    # a value equal to an upper bound belongs to the lower class
    assert classify(pd.Series([1.0, 4.0, 7.0, 10.0]), "equal_interval", k=3).classes.tolist() == [0, 0, 1, 2]
    # fewer distinct values than classes: as many classes as values; none at all: no class
    few = classify(pd.Series([3.0, 3.0, 3.0]), "quantiles", k=5)
    assert few.bounds == ((3.0, 3.0),) and few.counts == (3,)
    assert classify(pd.Series([np.nan, np.nan]), "quantiles").counts == ()
    with pytest.raises(ValueError):
        classify(y, "jenks2")


@pytest.mark.filterwarnings("ignore:Numba", "ignore:Not enough unique values")
def test_quantile_and_equal_interval_bounds_are_mapclassifys_to_the_last_bit():
    """The classes are computed with numpy (mapclassify's classifiers also compute a goodness-of-fit
    summary the map never uses, which cost ~20 ms at 2,475 territories); the bounds are the same
    numbers, bit for bit, on skewed rates, rounded values with many ties and sparse counts."""
    import mapclassify

    rng = np.random.default_rng(11)
    cases = [rng.gamma(1.5, 10, 2475), np.round(rng.gamma(1.5, 10, 340)), rng.poisson(0.7, 500).astype(float),
             rng.lognormal(2, 1, 37)]
    for y in cases:
        for k in (2, 3, 5, 7):
            if len(np.unique(y)) < k:
                continue
            assert np.array_equal(quantile_bins(y, k), mapclassify.Quantiles(y, k=k).bins)
            assert np.array_equal(equal_interval_bins(y, k), mapclassify.EqualInterval(y, k=k).bins)
    # hand-computed: the 50th percentile of 1..10 is 5.5; widths of (10 - 1) / 3
    assert quantile_bins(np.arange(1.0, 11.0), 2).tolist() == [5.5, 10.0]
    assert equal_interval_bins(np.arange(1.0, 11.0), 3).tolist() == [4.0, 7.0, 10.0]


@pytest.mark.filterwarnings("ignore:Numba")
def test_fisher_jenks_matches_mapclassify():
    import mapclassify

    rng = np.random.default_rng(7)
    y = rng.gamma(2.0, 10.0, 60)
    assert np.allclose(fisher_jenks_bins(y, 5), mapclassify.FisherJenks(y, k=5).bins)


def test_view_for_bounds_centres_and_zooms_in_on_smaller_boxes():
    centre, zoom = view_for_bounds((-92.0, 13.7, -88.2, 17.8))
    assert centre == pytest.approx({"lon": -90.1, "lat": 15.75})
    _, zoom_small = view_for_bounds((-90.6, 14.5, -90.4, 14.7))
    assert zoom_small > zoom + 3


def test_normalize_filters_falls_back_to_what_the_indicator_has():
    from analytics.map_values import normalize_filters

    ds = tiny()
    f = normalize_filters(ds, "nope", level="x", measure="bogus", sex="male", granularity="W", period="1999")
    assert (f.indicator_id, f.level, f.measure, f.sex, f.granularity, f.period) == ("hom", 2, "rate", "total", "Y",
                                                                                   "2023")
    assert f.periods == ("2020", "2021", "2022", "2023")
    # pooled: rate only, annual, periods with two years behind them
    p = normalize_filters(ds, "hom", 2, "rate", "total", "M", True, "2021")
    assert p.pooled and p.granularity == "Y" and p.periods == ("2022", "2023") and p.period == "2023"
    assert not normalize_filters(ds, "hom", 2, "count", "total", "Y", True).pooled
    # change: periods with four years of data up to them
    c = normalize_filters(ds, "hom", 2, "change", "total", "Q", False, "2023-Q4")
    assert c.periods == ("2023-Q4",) and c.period == "2023-Q4"
    # a department survey: level 1, value, its own quarters
    s = normalize_filters(ds, "trust", 2, "rate", None, "Y", False, None)
    assert (s.level, s.measure, s.granularity, s.period) == (1, "value", "Q", "2023-Q1")


# ---- sex-specific rates (tests/analytics/sex_tiny.py: counts and population by sex, 2020) ---------------
def test_female_map_rate_is_per_100000_women_with_departments_from_summed_counts():
    from tests.analytics.sex_tiny import sex_dataset

    ds = sex_dataset()
    mv = map_values(ds, MapQuery("hom", "2020", level=2, sex="female", measure="rate"))
    t = by_id(mv)
    assert mv.rate_base == "female" and mv.rate_per == 100000
    assert t.loc["M1", "count"] == 2 and t.loc["M1", "population"] == 500
    assert t.loc["M1", "value"] == pytest.approx(400.0)  # 2 / 500 women × 100,000
    assert t.loc["M2", "value"] == pytest.approx(750.0)  # 12 / 1,600
    assert t.loc["M3", "value"] == pytest.approx(24 / 2900 * 100000)
    d = by_id(map_values(ds, MapQuery("hom", "2020", level=1, sex="female", measure="rate")))
    assert d.loc["D1", "count"] == 14 and d.loc["D1", "population"] == 2100
    assert d.loc["D1", "value"] == pytest.approx(14 / 2100 * 100000)  # not (400 + 750) / 2
    # a quarter: Q1 female victims of D1 = M1 1 (March) + M2 3 over 2,100 women, not annualised
    q = by_id(map_values(ds, MapQuery("hom", "2020-Q1", level=1, sex="female", measure="rate")))
    assert q.loc["D1", "value"] == pytest.approx(4 / 2100 * 100000)
    # the total stays per 100,000 people; the male rate is per 100,000 men
    tot = map_values(ds, MapQuery("hom", "2020", level=1, sex="total", measure="rate"))
    assert tot.rate_base == "total" and by_id(tot).loc["D1", "value"] == pytest.approx(50 / 4000 * 100000)
    male = by_id(map_values(ds, MapQuery("hom", "2020", level=2, sex="male", measure="rate")))
    assert male.loc["M3", "population"] == 3100 and male.loc["M3", "value"] == pytest.approx(36 / 3100 * 100000)
    # counts and change use counts only
    assert by_id(map_values(ds, MapQuery("hom", "2020", level=2, sex="female", measure="count")))["value"].to_dict() \
        == {"M1": 2, "M2": 12, "M3": 24}


def test_female_pooled_rate_sums_three_years_of_female_counts_and_women():
    """Pooled 3-year rate for women on the map's own tiny dataset, with a female series added: female
    victims = a third of each month's count (rounded down), women = half of the population."""
    ds = tiny()
    obs = ds.observations
    hom = obs[obs["indicator_id"] == "hom"]
    fem = hom.assign(sex="female", value=(hom["value"] // 3))
    pop = ds.population
    women = pop.assign(sex="female", population=pop["population"] / 2)
    ds = dataclasses.replace(ds, observations=pd.concat([obs, fem], ignore_index=True),
                             population=pd.concat([pop, women], ignore_index=True))
    t = by_id(map_values(ds, MapQuery("hom", "2023", level=2, sex="female", measure="rate", pooled=True)))
    # M3: 4 a month 2021–2022 → 1 a month (12 a year), 3 a month 2023 → 1 a month: 36 over 3 × 3,000 women
    assert t.loc["M3", "count"] == 36 and t.loc["M3", "population"] == 9000
    assert t.loc["M3", "value"] == pytest.approx(400.0)
    # M1: 1 a month → 0: no female victims, a rate of 0 per 100,000 women (a measured zero)
    assert t.loc["M1", "count"] == 0 and t.loc["M1", "value"] == 0.0


def test_without_a_male_population_the_male_rate_is_missing_with_its_reason():
    from tests.analytics.sex_tiny import sex_dataset

    ds = sex_dataset(male_population=False)
    assert indicator_options(ds, "hom").sexes == ("total", "female", "male")
    mv = map_values(ds, MapQuery("hom", "2020", level=2, sex="male", measure="rate"))
    assert mv.table["value"].isna().all() and mv.table["population"].isna().all() and mv.n_ranked == 0
    assert mv.table["count"].tolist() == [12, 24, 36]  # the counts are known; only the rate is not
    assert "no_population" in mv.notes and mv.rate_base == "male"
    ok = map_values(ds, MapQuery("hom", "2020", level=2, sex="female", measure="rate"))
    assert "no_population" not in ok.notes and ok.table["value"].notna().all()
    # the count map of men is unaffected
    assert map_values(ds, MapQuery("hom", "2020", level=2, sex="male", measure="count")).table["value"].notna().all()
