"""Costs of violence: conversions, shares, refusals to mix studies, missing kept missing.

Tiny hand-made accounts (million USD, % of GDP):

study s1, AAA, 2019:  total 100.0 (10.0 %)
                      c1 60.0 (6.0 %) = c1/x 25.0 + c1/y 35.0 (illustrative)
                      c2 only 4.0 % published (USD derived from the implied GDP 100 / 10 % = 1,000 -> 40.0)
study s1, BBB, 2019:  total 50.0 (5.0 %), no population in the dataset
study s1, REG, 2019:  regional aggregate (not a territory) total 300.0 (3.0 %)
study s2, AAA, 2014:  total 30.0, % of GDP not published
Population AAA: 2,000,000 (2019), 1,800,000 (2014).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analytics.costs import (
    CostMixError,
    add_costs,
    account,
    breakdown,
    check_split,
    country_comparison,
    countries_total,
    country_population,
    days_in_year,
    ensure_one_basis,
    implied_gdp,
    is_country,
    key_figures,
    pct_of_gdp,
    per_capita,
    per_day,
    reference_comparisons,
    resolve_selection,
    shares,
    split_checks,
    studies,
    sum_missing_aware,
    times,
    unit_column,
    usd_from_pct,
    years,
)
from analytics.dataset import Dataset, DatasetMeta

NAN = float("nan")
COLS = ["country_iso3", "year", "study", "category", "subcategory", "label_es", "label_en", "value_usd", "pct_gdp",
        "illustrative", "source"]


def row(c, y, s, cat, sub, usd, pct, ill=False, src="src"):
    return (c, y, s, cat, sub, f"{cat}/{sub} es", f"{cat}/{sub} en", usd, pct, ill, src)


COSTS = [
    row("AAA", 2019, "s1", "total", "total", 100.0, 10.0),
    row("AAA", 2019, "s1", "c1", "total", 60.0, 6.0, True),
    row("AAA", 2019, "s1", "c1", "x", 25.0, 2.5, True),
    row("AAA", 2019, "s1", "c1", "y", 35.0, 3.5, True),
    row("AAA", 2019, "s1", "c2", "total", None, 4.0, True),
    row("BBB", 2019, "s1", "total", "total", 50.0, 5.0),
    row("REG", 2019, "s1", "total", "total", 300.0, 3.0),
    row("AAA", 2014, "s2", "total", "total", 30.0, None, False, "other"),
]

REFS = pd.DataFrame(
    [("AAA", 2019, "budget", "Presupuesto", "Budget", 50.0, True, "ref"),
     ("AAA", 2022, "national", "Nacional", "National", 400.0, False, "ref")],
    columns=["country_iso3", "year", "reference", "label_es", "label_en", "value_usd", "derived", "source"],
)


def costs_frame(rows=COSTS) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLS)
    df["value_usd"] = df["value_usd"].astype(float)
    df["pct_gdp"] = df["pct_gdp"].astype(float)
    df["year"] = df["year"].astype(int)
    return df


def tiny_dataset(costs: pd.DataFrame | None = None) -> Dataset:
    territories = pd.DataFrame(
        {"territory_id": ["AAA", "BBB", "A1"], "name": ["Aland", "Bland", "Dept"], "level": [0, 0, 1],
         "parent_id": [None, None, "AAA"], "country_iso3": ["AAA", "BBB", "AAA"]}
    ).set_index("territory_id")
    population = pd.DataFrame(
        [("AAA", 2019, "total", "all", 2_000_000.0), ("AAA", 2014, "total", "all", 1_800_000.0),
         ("AAA", 2019, "female", "all", 1_000_000.0), ("A1", 2019, "total", "all", 500_000.0)],
        columns=["territory_id", "year", "sex", "age_group", "population"],
    )
    meta = DatasetMeta("t", "t", "t", "1", "1.0", True, "", "", "es_419", (), ())
    empty = pd.DataFrame()
    return Dataset(Path("."), meta, territories, population, empty, empty,
                   costs_frame() if costs is None else costs, REFS, empty, None, [], {}, "fp")


# ---- conversions ------------------------------------------------------------------------------------------

def test_conversions_on_hand_computed_values():
    assert per_capita(100.0, 2_000_000) == pytest.approx(50.0)  # 100e6 / 2e6
    assert per_capita(7495.0, 16_597_354) == pytest.approx(451.5778, abs=1e-3)
    assert per_day(100.0, 2019) == pytest.approx(100 / 365)
    assert per_day(366.0, 2020) == pytest.approx(1.0)  # leap year: 366 days
    assert days_in_year(2019) == 365 and days_in_year(2000) == 366 and days_in_year(1900) == 365
    assert implied_gdp(100.0, 10.0) == pytest.approx(1000.0)
    assert pct_of_gdp(40.0, 1000.0) == pytest.approx(4.0)
    assert usd_from_pct(4.0, 1000.0) == pytest.approx(40.0)
    assert times(7495.0, 3258.7) == pytest.approx(2.29999, abs=1e-4)
    assert shares(pd.Series([60.0, 40.0, NAN]), 100.0).tolist()[:2] == pytest.approx([60.0, 40.0])


def test_missing_stays_missing_in_every_conversion():
    assert math.isnan(per_capita(100.0, NAN))
    assert math.isnan(per_capita(100.0, 0))
    assert math.isnan(per_capita(NAN, 1000))
    assert math.isnan(implied_gdp(100.0, NAN))
    assert math.isnan(pct_of_gdp(NAN, 1000.0))
    assert math.isnan(usd_from_pct(4.0, NAN))
    assert math.isnan(times(100.0, NAN))
    assert math.isnan(times(100.0, 0.0))
    assert math.isnan(per_day(NAN, 2019))
    assert math.isnan(shares(pd.Series([60.0, NAN]), 100.0).iloc[1])
    assert shares(pd.Series([1.0]), NAN).isna().all()
    assert math.isnan(sum_missing_aware(pd.Series([1.0, NAN, 2.0])))  # not 3
    assert math.isnan(sum_missing_aware(pd.Series([], dtype=float)))  # nothing is not zero
    assert sum_missing_aware(pd.Series([1.0, 0.0, 2.0])) == 3.0


# ---- refusals ---------------------------------------------------------------------------------------------

def test_refuses_to_add_figures_of_different_studies():
    c = costs_frame()
    aaa = c[(c["country_iso3"] == "AAA") & (c["category"] == "total")]  # one s1 total and one s2 total
    with pytest.raises(CostMixError, match="different study values: s1, s2"):
        add_costs(aaa)
    with pytest.raises(CostMixError):
        breakdown(aaa)
    with pytest.raises(CostMixError):
        check_split(aaa)
    # one study alone is fine
    assert add_costs(c[(c["study"] == "s1") & (c["category"] == "total")]) == pytest.approx(450.0)


def test_refuses_different_currencies_and_price_bases_when_present():
    c = costs_frame()
    s1 = c[(c["study"] == "s1") & (c["category"] == "total")].copy()
    s1["currency"] = ["USD", "USD", "EUR"]
    with pytest.raises(CostMixError, match="currency values: EUR, USD"):
        add_costs(s1)
    s1["currency"] = ["USD", "USD", None]  # a blank currency is not assumed to be USD
    with pytest.raises(CostMixError, match="<blank>"):
        ensure_one_basis(s1)
    s1["currency"] = "USD"
    s1["price_base"] = ["current", "current", "constant_2010"]
    with pytest.raises(CostMixError, match="price_base"):
        add_costs(s1)
    s1["price_base"] = "current"
    assert add_costs(s1) == pytest.approx(450.0)


def test_sum_with_a_missing_part_is_missing():
    c = costs_frame()
    cats = c[(c["study"] == "s1") & (c["country_iso3"] == "AAA") & (c["category"] != "total") & (c["subcategory"] == "total")]
    assert math.isnan(add_costs(cats, "value_usd"))  # c2 has no USD figure
    assert add_costs(cats, "pct_gdp") == pytest.approx(10.0)


# ---- splits -----------------------------------------------------------------------------------------------

def test_split_that_adds_up_is_detected_as_consistent():
    acc = account(costs_frame(), "s1", "AAA", 2019)
    sub = check_split(acc, "c1", "value_usd")
    assert (sub.total, sub.parts_sum, sub.n_parts) == (60.0, 60.0, 2)
    assert sub.consistent is True and sub.illustrative is True
    pct = check_split(acc, "total", "pct_gdp")  # 6.0 + 4.0 = 10.0
    assert pct.consistent is True
    usd = check_split(acc, "total", "value_usd")  # c2 USD missing: cannot be checked
    assert math.isnan(usd.parts_sum) and usd.consistent is None


def test_split_that_does_not_add_up_is_flagged():
    rows = list(COSTS)
    rows[3] = row("AAA", 2019, "s1", "c1", "y", 25.0, 3.5, True)  # 25 + 25 = 50, not 60
    acc = account(costs_frame(rows), "s1", "AAA", 2019)
    chk = check_split(acc, "c1", "value_usd")
    assert chk.difference == pytest.approx(-10.0)
    assert chk.consistent is False
    # rounding of published figures is tolerated: 0.53 + 0.64 = 1.17 exactly; 1.18 is within 0.01 per part
    assert check_split(pd.DataFrame([row("G", 1, "s", "h", "total", None, 1.18), row("G", 1, "s", "h", "a", None, 0.53),
                                     row("G", 1, "s", "h", "b", None, 0.64)], columns=COLS), "h", "pct_gdp").consistent
    checks = split_checks(acc)
    assert {(c.parent, c.column) for c in checks} == {("total", "value_usd"), ("total", "pct_gdp"),
                                                      ("c1", "value_usd"), ("c1", "pct_gdp")}


# ---- breakdown, key figures, comparisons ----------------------------------------------------------------

def test_breakdown_hierarchy_units_and_derived_conversions():
    ds = tiny_dataset()
    acc = account(ds.costs, "s1", "AAA", 2019)
    b = breakdown(acc, 2_000_000).set_index("node_id")
    assert list(b.index) == ["total", "c1", "c2", "c1/x", "c1/y"]
    assert b.at["c1/x", "parent_id"] == "c1" and b.at["c1", "parent_id"] == "total" and b.at["total", "parent_id"] == ""
    assert b.at["c1", "share_of_total"] == pytest.approx(60.0)
    assert b.at["c2", "share_of_total"] == pytest.approx(40.0)
    assert b.at["c1/y", "usd_per_capita"] == pytest.approx(17.5)  # 35e6 / 2e6
    # c2: USD derived from 4.0 % of the implied GDP (100 / 0.10 = 1,000) -> 40.0, flagged as derived
    assert b.at["c2", "value_usd"] == pytest.approx(40.0)
    assert bool(b.at["c2", "usd_derived"]) and not bool(b.at["c1", "usd_derived"])
    assert bool(b.at["c2", "illustrative"]) and not bool(b.at["total", "illustrative"])
    # no conversion for a regional aggregate (its % of GDP is an average, the implied "GDP" is not one)
    nb = breakdown(acc, 2_000_000, convert=False).set_index("node_id")
    assert math.isnan(nb.at["c2", "value_usd"]) and not bool(nb.at["c2", "usd_derived"])
    assert is_country(ds, "AAA") and not is_country(ds, "REG")
    # with no population, per-capita is missing (not zero)
    assert breakdown(acc)["usd_per_capita"].isna().all()
    assert unit_column("per_capita") == "usd_per_capita"
    with pytest.raises(ValueError, match="unknown unit"):
        unit_column("eur")


def test_key_figures_from_population_table():
    ds = tiny_dataset()
    assert country_population(ds, "AAA", 2019) == 2_000_000
    assert math.isnan(country_population(ds, "AAA", 2020))  # no interpolation
    assert math.isnan(country_population(ds, "BBB", 2019))  # no population row
    assert math.isnan(country_population(ds, "REG", 2019))  # not a territory
    k = key_figures(ds, "s1", "AAA", 2019)
    assert (k.total_usd, k.pct_gdp, k.per_capita_usd) == (100.0, 10.0, 50.0)
    assert k.per_day_usd == pytest.approx(0.273973, abs=1e-6)
    assert k.split is not None and k.split.consistent is None  # c2 USD missing in the published table
    kb = key_figures(ds, "s1", "BBB", 2019)
    assert kb.total_usd == 50.0 and math.isnan(kb.per_capita_usd)
    k2 = key_figures(ds, "s2", "AAA", 2014)
    assert k2.total_usd == 30.0 and math.isnan(k2.pct_gdp)  # no GDP in that study: % stays missing
    assert k2.per_capita_usd == pytest.approx(30e6 / 1.8e6)
    assert k2.split is None


def test_reference_comparison_uses_same_country_and_year_only():
    comps = reference_comparisons(REFS, "AAA", 2019, 100.0)
    assert [c.reference for c in comps] == ["budget"]  # the 2022 reference is not compared with 2019 costs
    assert comps[0].ratio == pytest.approx(2.0) and comps[0].derived
    assert reference_comparisons(REFS, "BBB", 2019, 50.0) == []
    assert math.isnan(reference_comparisons(REFS, "AAA", 2019, NAN)[0].ratio)


def test_country_comparison_is_one_study_with_categories_or_totals():
    ds = tiny_dataset()
    cc = country_comparison(ds, "s1", 2019)
    assert set(cc["study"]) == {"s1"}
    aaa = cc[cc["country_iso3"] == "AAA"].set_index("category")
    assert list(aaa.index) == ["c1", "c2"]  # categories as segments
    assert aaa.at["c2", "value_usd"] == pytest.approx(40.0)
    assert aaa["country_total_usd"].iloc[0] == 100.0
    assert aaa["country_total_per_capita"].iloc[0] == pytest.approx(50.0)
    bbb = cc[cc["country_iso3"] == "BBB"]
    assert bbb["category"].tolist() == ["total"] and math.isnan(bbb["country_total_per_capita"].iloc[0])
    assert countries_total(cc) == (150.0, 2)  # AAA 100 + BBB 50; the regional REG is not added
    with pytest.raises(CostMixError):
        countries_total(pd.concat([cc, country_comparison(ds, "s2", 2014)]))
    reg = cc[cc["country_iso3"] == "REG"]
    assert not bool(reg["is_territory"].iloc[0]) and bool(bbb["is_territory"].iloc[0])


def test_selection_resolution_and_listing():
    c = costs_frame()
    assert studies(c) == ["s1", "s2"]  # most recent reference year first
    assert years(c, "s2", "AAA") == [2014]
    sel = resolve_selection(c, "s2", "BBB", "2019")  # BBB is not in s2 -> first country, its latest year
    assert (sel.study, sel.country, sel.year) == ("s2", "AAA", 2014)
    sel = resolve_selection(c, "nope", None, None, preferred_country="BBB")
    assert (sel.study, sel.country, sel.year) == ("s1", "BBB", 2019)
    assert resolve_selection(c.iloc[0:0], "s1", "AAA", 2019).study is None
