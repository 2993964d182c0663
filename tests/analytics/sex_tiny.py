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

from analytics.dataset import Dataset
from tests.analytics import tiny

POP = {  # territory: (total, female, male)
    "M1": (1000.0, 500.0, 500.0), "M2": (3000.0, 1600.0, 1400.0), "M3": (6000.0, 2900.0, 3100.0),
    "D1": (4000.0, 2100.0, 1900.0), "D2": (6000.0, 2900.0, 3100.0), "C": (10000.0, 5000.0, 5000.0),
}
assert {tid: pops[0] for tid, pops in POP.items()} == tiny.TOTAL_POPULATION


def female_month(tid: str, month: int) -> float:
    if tid == "M1":
        return 1.0 if month in (3, 9) else 0.0
    return {"M2": 1.0, "M3": 2.0}[tid]


def male_month(tid: str, month: int) -> float:
    return {"M1": 1.0, "M2": 2.0, "M3": 3.0}[tid]


def sex_dataset(male_population: bool = True, female_population: bool = True) -> Dataset:
    """The dataset above; without `male_population` (or `female_population`) the population table has
    no rows of that sex (as many real municipal population files)."""
    by_sex = {}
    if female_population:
        by_sex["female"] = {tid: fem for tid, (_, fem, _) in POP.items()}
    if male_population:
        by_sex["male"] = {tid: mal for tid, (_, _, mal) in POP.items()}
    rows = []
    for tid in ("M1", "M2", "M3"):
        for m in range(1, 13):
            period = f"2020-{m:02d}"
            f, ma = female_month(tid, m), male_month(tid, m)
            rows += [("hom", tid, period, "total", f + ma), ("hom", tid, period, "female", f),
                     ("hom", tid, period, "male", ma), ("vaw", tid, period, "female", 1.0)]
    violence = tiny.indicator("vaw", "Violencia", "Violence", domain="vawg", rate_base="female")
    return tiny.tiny_dataset(rows, [tiny.HOMICIDES, violence], tiny.population([2020], by_sex))
