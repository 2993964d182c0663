"""Rates from summed counts and summed population, with missing values kept missing.

The tiny dataset: country C, departments D1 (municipalities M1, M2) and D2 (M3); monthly counts
Jan–Mar 2020 of one indicator; population per year. The sex-specific rates use
tests/analytics/sex_tiny.py (counts and population by sex).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.dataset import Dataset
from analytics.rates import (NO_POPULATION, NO_RATE_BASE, add_rates, aggregate_counts, denominator_base,
                             has_rate_base, period_label, rate_denominator, rates, roll_up_counts)
from tests.analytics import tiny
from tests.analytics.sex_tiny import sex_dataset


def tiny_dataset(observations: list[tuple[str, str, float | None]]) -> Dataset:
    """The tiny dataset (tests/analytics/tiny.py) with monthly `hom` counts (territory, period, value)."""
    return tiny.tiny_dataset([("hom", tid, period, "total", value) for tid, period, value in observations])


FULL = [
    ("M1", "2020-01", 1), ("M1", "2020-02", 0), ("M1", "2020-03", 2),
    ("M2", "2020-01", 3), ("M2", "2020-02", 1), ("M2", "2020-03", 0),
    ("M3", "2020-01", 5), ("M3", "2020-02", 4), ("M3", "2020-03", 6),
]


def test_department_rate_is_summed_counts_over_summed_population():
    ds = tiny_dataset(FULL)
    out = rates(ds, "hom", level=1, freq="Y").set_index("territory_id")
    # D1: counts 1+0+2+3+1+0 = 7 over 1000+3000 people -> 175 per 100k
    assert out.at["D1", "value"] == 7
    assert out.at["D1", "population"] == 4000
    assert out.at["D1", "rate"] == pytest.approx(175.0)
    # the mean of member rates would be (300 + 133.3)/2 = 216.7: not what we compute
    assert out.at["D1", "rate"] != pytest.approx((300 + 400 / 3) / 2)
    assert out.at["D2", "rate"] == pytest.approx(15 / 6000 * 100000)


def test_country_and_quarter_aggregation():
    ds = tiny_dataset(FULL)
    out = rates(ds, "hom", level=0, freq="Q")
    assert out["period"].tolist() == ["2020-Q1"]
    assert out["value"].tolist() == [22]
    assert out["rate"].iloc[0] == pytest.approx(220.0)
    assert out["n_parts"].tolist() == [9]


def test_a_blank_month_makes_the_aggregate_missing_not_smaller():
    rows = [r if r[:2] != ("M2", "2020-02") else ("M2", "2020-02", None) for r in FULL]
    ds = tiny_dataset(rows)
    dept = rates(ds, "hom", level=1, freq="Y").set_index("territory_id")
    assert math.isnan(dept.at["D1", "value"]) and math.isnan(dept.at["D1", "rate"])
    assert dept.at["D1", "n_missing"] == 1
    assert dept.at["D2", "value"] == 15  # D2 is complete
    monthly = aggregate_counts(ds, "hom", level=2, freq="M").set_index(["territory_id", "period"])
    assert math.isnan(monthly.at[("M2", "2020-02"), "value"])
    assert monthly.at[("M2", "2020-03"), "value"] == 0  # a measured zero stays zero


def test_an_absent_row_counts_as_missing_too():
    ds = tiny_dataset([r for r in FULL if r[:2] != ("M3", "2020-03")])
    out = aggregate_counts(ds, "hom", level=0, freq="Y")
    assert math.isnan(out["value"].iloc[0]) and out["n_missing"].iloc[0] == 1


def test_within_limits_to_a_department_and_finer_frequency_is_refused():
    ds = tiny_dataset(FULL)
    out = aggregate_counts(ds, "hom", level=2, freq="Y", within="D1")
    assert out["territory_id"].tolist() == ["M1", "M2"]
    assert out["value"].tolist() == [3, 4]
    with pytest.raises(ValueError):
        aggregate_counts(ds, "hom", level=2, freq="W")  # type: ignore[arg-type]


def test_missing_population_gives_missing_rate():
    ds = tiny_dataset(FULL)
    counts = aggregate_counts(ds, "hom", level=2, freq="Y")
    counts.loc[0, "year"] = 2019  # no population for 2019
    out = add_rates(ds, counts, "hom")
    assert math.isnan(out.loc[0, "rate"])


def test_period_labels():
    s = pd.Series(pd.to_datetime(["2020-01-01", "2020-05-01", "2020-12-01"]))
    assert period_label(s, "Y").tolist() == ["2020", "2020", "2020"]
    assert period_label(s, "Q").tolist() == ["2020-Q1", "2020-Q2", "2020-Q4"]
    assert period_label(s, "M").tolist() == ["2020-01", "2020-05", "2020-12"]


def test_roll_up_counts_equals_aggregating_at_the_coarser_level():
    rows = [r if r[:2] != ("M2", "2020-02") else ("M2", "2020-02", None) for r in FULL]
    for data in (FULL, rows):
        ds = tiny_dataset(data)
        muni = aggregate_counts(ds, "hom", level=2, freq="Y")
        for level in (1, 0):
            rolled = roll_up_counts(ds, muni, level).reset_index(drop=True)
            direct = aggregate_counts(ds, "hom", level=level, freq="Y").reset_index(drop=True)
            pd.testing.assert_frame_equal(rolled, direct, check_dtype=False)
    ds = tiny_dataset(rows)
    dept = roll_up_counts(ds, aggregate_counts(ds, "hom", level=2, freq="Y"), 1).set_index("territory_id")
    assert math.isnan(dept.at["D1", "value"]) and dept.at["D1", "n_missing"] == 1 and dept.at["D2", "value"] == 15
    with pytest.raises(ValueError):
        roll_up_counts(ds, dept.reset_index(), 2)


# ---- sex-specific rates (tests/analytics/sex_tiny.py: every number below by hand) ----------------------


def test_denominator_base_rule():
    # an indicator counted for everybody: per 100,000 people, women or men as the sex selected
    assert denominator_base("total", "total") == "total"
    assert denominator_base("total", "female") == "female"
    assert denominator_base("total", "male") == "male"
    # a base that names a sex or an age group stays, whatever the sex
    for base in ("female", "male", "female_10_19"):
        for sex in ("total", "female", "male"):
            assert denominator_base(base, sex) == base
    assert denominator_base("none", "female") == "none"
    with pytest.raises(ValueError):
        denominator_base("total", "mujer")


def test_rate_denominator_fields_and_reasons():
    ds = sex_dataset(male_population=False)
    d = rate_denominator(ds, "hom", "female")
    assert (d.base, d.pop_sex, d.age_group, d.per, d.available, d.reason) == ("female", "female", "all", 100000.0,
                                                                              True, None)
    assert d.sex_specific and not rate_denominator(ds, "hom", "total").sex_specific
    m = rate_denominator(ds, "hom", "male")
    assert (m.base, m.available, m.reason) == ("male", False, NO_POPULATION)
    assert not has_rate_base(ds, "hom", "male") and has_rate_base(ds, "hom", "female") and has_rate_base(ds, "hom")
    v = rate_denominator(ds, "vaw", "female")
    assert (v.base, v.sex_specific, v.available) == ("female", False, True)
    ds2 = sex_dataset()
    ds2.indicators.loc["vaw", "rate_base"] = "none"  # (a copy per call: sex_dataset builds new frames)
    assert rate_denominator(ds2, "vaw", "female").reason == NO_RATE_BASE


def test_female_rate_is_female_count_over_female_population():
    ds = sex_dataset()
    muni = rates(ds, "hom", level=2, freq="Y", sex="female").set_index("territory_id")
    assert muni.at["M1", "value"] == 2 and muni.at["M1", "population"] == 500
    assert muni.at["M1", "rate"] == pytest.approx(400.0)  # 2 / 500 × 100,000
    assert muni.at["M2", "rate"] == pytest.approx(750.0)  # 12 / 1,600 × 100,000
    assert muni.at["M3", "rate"] == pytest.approx(24 / 2900 * 100000)  # 827.59
    # departments and the country: summed female counts over summed female population
    dept = rates(ds, "hom", level=1, freq="Y", sex="female").set_index("territory_id")
    assert dept.at["D1", "value"] == 14 and dept.at["D1", "population"] == 2100 == 500 + 1600
    assert dept.at["D1", "rate"] == pytest.approx(14 / 2100 * 100000)  # 666.67
    country = rates(ds, "hom", level=0, freq="Y", sex="female").iloc[0]
    assert country["value"] == 38 and country["population"] == 5000
    assert country["rate"] == pytest.approx(760.0)  # 38 / 5,000 × 100,000
    assert country["rate"] != pytest.approx(380.0)  # the old, wrong, 38 / 10,000 people
    # the same from counts rolled up (the profile's path)
    rolled = add_rates(ds, roll_up_counts(ds, aggregate_counts(ds, "hom", 2, "Y", "female"), 1), "hom", "female")
    assert rolled.set_index("territory_id").at["D1", "rate"] == pytest.approx(14 / 2100 * 100000)
    # a month: January's 3 female victims over 5,000 women (not annualised)
    jan = rates(ds, "hom", level=0, freq="M", sex="female").set_index("period").loc["2020-01"]
    assert jan["value"] == 3 and jan["rate"] == pytest.approx(60.0)


def test_male_and_total_rates():
    ds = sex_dataset()
    male = rates(ds, "hom", level=0, freq="Y", sex="male").iloc[0]
    assert male["population"] == 5000 and male["rate"] == pytest.approx(1440.0)  # 72 / 5,000
    total = rates(ds, "hom", level=0, freq="Y", sex="total").iloc[0]
    assert total["value"] == 110 and total["population"] == 10000 and total["rate"] == pytest.approx(1100.0)
    d2 = rates(ds, "hom", level=1, freq="Y").set_index("territory_id")
    assert d2.at["D2", "rate"] == pytest.approx(60 / 6000 * 100000)  # the total is per 100,000 people, as before


def test_without_a_male_population_male_rates_are_missing_not_total_based():
    ds = sex_dataset(male_population=False)
    for level in (2, 1, 0):
        out = rates(ds, "hom", level=level, freq="Y", sex="male")
        assert out["value"].notna().all()  # the counts are there ...
        assert out["population"].isna().all() and out["rate"].isna().all()  # ... the rate is not
    # the total and the female rates are unaffected
    assert rates(ds, "hom", 0, "Y", "total")["rate"].iloc[0] == pytest.approx(1100.0)
    assert rates(ds, "hom", 0, "Y", "female")["rate"].iloc[0] == pytest.approx(760.0)


def test_a_base_that_names_a_sex_is_unchanged():
    ds = sex_dataset()
    out = rates(ds, "vaw", level=0, freq="Y", sex="female").iloc[0]
    assert out["value"] == 36 and out["population"] == 5000 and out["rate"] == pytest.approx(720.0)
    muni = rates(ds, "vaw", level=2, freq="Y", sex="female").set_index("territory_id")
    assert muni.at["M1", "rate"] == pytest.approx(12 / 500 * 100000)
