"""One builder for the tiny hand-made datasets of the analytics tests.

Every tiny dataset has the same geography: country C; departments D1 = {M1, M2} and D2 = {M3}, with
total populations M1 1,000, M2 3,000, M3 6,000 (D1 4,000, D2 6,000, C 10,000). Each test module
chooses its observations, indicators, years and (for sex-specific rates) populations by sex, and
writes the expected values by hand in its own docstring.

The tables are typed by the loader's own functions (`analytics.loader.build_*`), so a tiny dataset has
the dtypes, optional columns and derived period columns (freq, period_start, year) of a loaded one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd

from analytics.dataset import Dataset, DatasetMeta
from analytics.loader import build_events, build_indicators, build_observations, build_population, build_territories
from analytics.validation import period_table

IDS = ("C", "D1", "D2", "M1", "M2", "M3")
LEVELS = (0, 1, 1, 2, 2, 2)
PARENTS = (None, "C", "C", "D1", "D1", "D2")
NAMES = {"C": "Country", "D1": "Dept 1", "D2": "Dept 2", "M1": "Muni 1", "M2": "Muni 2", "M3": "Muni 3"}
TOTAL_POPULATION = {"M1": 1000.0, "M2": 3000.0, "M3": 6000.0, "D1": 4000.0, "D2": 6000.0, "C": 10000.0}

OBSERVATION_COLUMNS = ("indicator_id", "territory_id", "period", "sex", "value", "lower", "upper")


def indicator(indicator_id: str, label_es: str, label_en: str, *, domain: str = "crime", unit: str = "count",
              higher_is_worse: bool = True, rate_base: str = "total", rate_per: float | None = 100000,
              source: str = "test", synthetic: bool = True) -> dict[str, Any]:
    """One row of the indicators table (defaults: a crime count with rates per 100,000 people)."""
    return {"indicator_id": indicator_id, "domain": domain, "label_es": label_es, "label_en": label_en,
            "unit": unit, "higher_is_worse": higher_is_worse, "rate_base": rate_base, "rate_per": rate_per,
            "source": source, "synthetic": synthetic}


HOMICIDES = indicator("hom", "Homicidios", "Homicides")


def population(years: Iterable[int], by_sex: dict[str, dict[str, float]] | None = None) -> list[tuple]:
    """Population rows (territory_id, year, sex, age_group, population): the total populations above
    in each year, plus, per sex in `by_sex`, that sex's population of each territory."""
    sexes = {"total": TOTAL_POPULATION, **(by_sex or {})}
    return [(tid, year, sex, "all", pop) for year in years for sex, pops in sexes.items() for tid, pop in pops.items()]


def tiny_dataset(observations: Sequence[tuple], indicators: Sequence[dict[str, Any]] = (HOMICIDES,),
                 population_rows: Sequence[tuple] | None = None, names: dict[str, str] | None = None,
                 events: pd.DataFrame | None = None) -> Dataset:
    """A `Dataset` held in memory only.

    `observations`: tuples (indicator_id, territory_id, period, sex, value[, lower, upper]); a value of
    None or NaN is a blank cell (missing, never zero). `population_rows` default to the total
    populations in 2020. `names` overrides territory names (accents for the search tests)."""
    territories = pd.DataFrame({"territory_id": IDS, "name": [{**NAMES, **(names or {})}[t] for t in IDS],
                                "level": LEVELS, "parent_id": PARENTS, "country_iso3": ["CCC"] * len(IDS)})
    pop = pd.DataFrame(population_rows if population_rows is not None else population([2020]),
                       columns=["territory_id", "year", "sex", "age_group", "population"])
    rows = [tuple(r) + (None,) * (len(OBSERVATION_COLUMNS) - len(r)) for r in observations]
    obs = pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))
    for c in ("value", "lower", "upper"):
        obs[c] = pd.to_numeric(obs[c], errors="raise").astype(float)
    for c in ("indicator_id", "territory_id", "period", "sex"):
        obs[c] = obs[c].astype("str").astype("category")
    meta = DatasetMeta("t", "t", "t", "1", "1.0", True, "", "", "es_419", (), ())
    empty = pd.DataFrame()
    return Dataset(Path("."), meta, build_territories(territories), build_population(pop),
                   build_indicators(pd.DataFrame(list(indicators))),
                   build_observations(obs, period_table(obs["period"].astype("str"))), empty, empty,
                   build_events(events), None, [], {}, "fp")
