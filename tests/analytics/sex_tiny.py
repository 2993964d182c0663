"""A tiny dataset with counts and population by sex, for the sex-specific rates (every expected value
below is computed by hand in the tests that use it).

Country C; departments D1 = {M1, M2}, D2 = {M3}. Population 2020 (the only year):

    territory   total   female   male
    M1          1,000      500    500
    M2          3,000    1,600  1,400
    M3          6,000    2,900  3,100
    D1          4,000    2,100  1,900      (= M1 + M2)
    D2          6,000    2,900  3,100      (= M3)
    C          10,000    5,000  5,000

`hom` (rate_base total, per 100,000): monthly counts for every month of 2020, by sex, total = female +
male:

    M1  female 1 in March and in September (2 a year), male 1 a month (12)      total 14
    M2  female 1 a month (12), male 2 a month (24)                              total 36
    M3  female 2 a month (24), male 3 a month (36)                              total 60
        → C: female 38, male 72, total 110 a year; January: female 3, male 6, total 9

`vaw` (rate_base female, per 100,000 women), observed for women only: 1 a month everywhere (12 a year).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analytics.dataset import Dataset, DatasetMeta

POP = {  # territory: (total, female, male)
    "M1": (1000.0, 500.0, 500.0), "M2": (3000.0, 1600.0, 1400.0), "M3": (6000.0, 2900.0, 3100.0),
    "D1": (4000.0, 2100.0, 1900.0), "D2": (6000.0, 2900.0, 3100.0), "C": (10000.0, 5000.0, 5000.0),
}


def female_month(tid: str, month: int) -> float:
    if tid == "M1":
        return 1.0 if month in (3, 9) else 0.0
    return {"M2": 1.0, "M3": 2.0}[tid]


def male_month(tid: str, month: int) -> float:
    return {"M1": 1.0, "M2": 2.0, "M3": 3.0}[tid]


def sex_dataset(male_population: bool = True, female_population: bool = True) -> Dataset:
    """The dataset above; without `male_population` (or `female_population`) the population table has
    no rows of that sex (as many real municipal population files)."""
    territories = pd.DataFrame(
        {
            "territory_id": ["C", "D1", "D2", "M1", "M2", "M3"],
            "name": ["Country", "Dept 1", "Dept 2", "Muni 1", "Muni 2", "Muni 3"],
            "level": [0, 1, 1, 2, 2, 2],
            "parent_id": [None, "C", "C", "D1", "D1", "D2"],
            "country_iso3": ["CCC"] * 6,
        }
    ).set_index("territory_id")
    pop_rows = []
    for tid, (tot, fem, mal) in POP.items():
        pop_rows.append((tid, 2020, "total", "all", tot))
        if female_population:
            pop_rows.append((tid, 2020, "female", "all", fem))
        if male_population:
            pop_rows.append((tid, 2020, "male", "all", mal))
    population = pd.DataFrame(pop_rows, columns=["territory_id", "year", "sex", "age_group", "population"])
    indicators = pd.DataFrame(
        {"indicator_id": ["hom", "vaw"], "domain": ["crime", "vawg"], "label_es": ["Homicidios", "Violencia"],
         "label_en": ["Homicides", "Violence"], "unit": ["count", "count"], "higher_is_worse": [True, True],
         "rate_base": ["total", "female"], "rate_per": [100000, 100000], "source": ["test", "test"],
         "synthetic": [True, True]}
    ).set_index("indicator_id")
    rows = []
    for tid in ("M1", "M2", "M3"):
        for m in range(1, 13):
            period = f"2020-{m:02d}"
            f, ma = female_month(tid, m), male_month(tid, m)
            rows += [("hom", tid, period, "total", f + ma), ("hom", tid, period, "female", f),
                     ("hom", tid, period, "male", ma), ("vaw", tid, period, "female", 1.0)]
    obs = pd.DataFrame(rows, columns=["indicator_id", "territory_id", "period", "sex", "value"])
    obs["value"] = obs["value"].astype(float)
    obs["lower"] = np.nan
    obs["upper"] = np.nan
    obs["source"] = None
    obs["freq"] = "M"
    obs["period_start"] = pd.to_datetime(obs["period"] + "-01")
    obs["year"] = obs["period_start"].dt.year
    meta = DatasetMeta("t", "t", "t", "1", "1.0", True, "", "", "es_419", (), ())
    empty = pd.DataFrame()
    events = pd.DataFrame(columns=["date", "territory_id", "label_es", "label_en", "kind", "synthetic", "source"])
    return Dataset(Path("."), meta, territories, population, indicators, obs, empty, empty, events, None, [], {},
                   "fp")
