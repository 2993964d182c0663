"""Counts aggregated over territories and time, and rates from summed counts and summed population.

The rules (docs/data-contract.md):
- a rate for a region is (sum of counts) / (sum of population) × rate_per, never an average of rates;
- the population is the one of the rate's own group (`rate_denominator`): an indicator counted for
  everybody (rate_base 'total') is per 100,000 people for the total, per 100,000 women for its female
  counts and per 100,000 men for its male counts (sex-specific rates, as UNODC, WHO and INE/INEGI
  publish them); a base that names a group ('female', 'female_10_19') is kept; a group the dataset has
  no population for gives a missing rate, never one over another group;
- missing is not zero: an aggregate of counts is missing when any of its parts (a municipality, a
  month) is missing, and `n_missing` says how many parts were;
- values that are not counts (percentages, official rates) are never summed: they are returned only
  at the level and frequency at which they were observed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.dataset import RATE_BASES, Dataset

FREQ_ORDER = {"M": 0, "Q": 1, "Y": 2}


def period_label(period_start: pd.Series, freq: str) -> pd.Series:
    """Period strings of a target frequency for datetimes: 'YYYY', 'YYYY-Qn' or 'YYYY-MM'."""
    dt = pd.Series(pd.to_datetime(period_start))
    # Label the few distinct dates once, then map: formatting row by row is slow on large tables.
    uniq = pd.Series(dt.unique())
    year = uniq.dt.year.astype(str)
    if freq == "Y":
        labels = year
    elif freq == "Q":
        labels = year + "-Q" + uniq.dt.quarter.astype(str)
    else:
        labels = year + "-" + uniq.dt.month.astype(str).str.zfill(2)
    out = dt.map(pd.Series(labels.values, index=uniq.values))
    out.index = period_start.index if isinstance(period_start, pd.Series) else out.index
    return out.astype(str)


def periods_in_range(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    """Start dates of every period of `freq` from `first` to `last` inclusive."""
    rule = {"Y": "YS", "Q": "QS", "M": "MS"}[freq]
    return pd.date_range(first, last, freq=rule)


def indicator_observations(ds: Dataset, indicator_id: str, sex: str = "total") -> pd.DataFrame:
    """The observations of one indicator and sex (all territories, all periods, by period_start)."""
    return ds.series_observations(indicator_id, sex)


@dataclass(frozen=True)
class CountGrid:
    """Counts of one indicator summed to territories × periods, as arrays (see `count_grid`).

    value[i, j] is the count of territory_ids[i] in periods[j] (NaN when any part is missing);
    n_parts and n_missing say how many parts (finest territory × source period) each cell has and how
    many of them were missing."""

    territory_ids: pd.Index  # sorted
    periods: pd.Index  # period labels of the target frequency, sorted
    period_starts: pd.DatetimeIndex  # first day of each period
    value: np.ndarray  # float, shape (territories, periods)
    n_parts: np.ndarray  # int, same shape
    n_missing: np.ndarray  # int, same shape

    def long(self) -> pd.DataFrame:
        """One row per territory and period: territory_id, period, period_start, year, value,
        n_parts, n_missing (sorted by territory_id, period)."""
        nt, npd = self.value.shape
        out = pd.DataFrame({
            "territory_id": np.repeat(self.territory_ids.to_numpy(dtype=object), npd).astype(str),
            "period": np.tile(self.periods.to_numpy(dtype=object), nt).astype(str),
            "period_start": np.tile(self.period_starts.to_numpy(), nt),
            "value": self.value.ravel(),
            "n_parts": self.n_parts.ravel().astype(int),
            "n_missing": self.n_missing.ravel().astype(int),
        })
        out["year"] = out["period_start"].dt.year.astype(int)
        return out[["territory_id", "period", "period_start", "year", "value", "n_parts", "n_missing"]]


def aggregate_counts(ds: Dataset, indicator_id: str, level: int, freq: str, sex: str = "total",
                     within: str | None = None, start: pd.Timestamp | None = None,
                     end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Counts of a `count` indicator summed to territories of `level` and periods of `freq`.

    Source observations are those at the finest level the indicator has (usually municipalities) and
    at its own frequency; `freq` must be the same or coarser. Every expected part (each territory of
    that finest level × each of its sub-periods between the indicator's first and last period) is
    counted; an absent row or a blank value makes the aggregate missing.

    `start`/`end` (optional, inclusive dates) restrict the computation to the source periods that
    start in that window; every source period of the window is then an expected part, also those
    outside the indicator's observed range (which are therefore missing, never zero).

    Returns columns: territory_id, period, period_start, year, value (float, NaN when incomplete),
    n_parts, n_missing. Sorted by territory_id, period.
    """
    grid = count_grid(ds, indicator_id, level, freq, sex, within, start, end)
    return _empty_aggregate() if grid is None else grid.long()


def count_grid(ds: Dataset, indicator_id: str, level: int, freq: str, sex: str = "total",
               within: str | None = None, start: pd.Timestamp | None = None,
               end: pd.Timestamp | None = None) -> CountGrid | None:
    """The same sums as `aggregate_counts` (same rules and arguments) as a CountGrid of arrays, without
    building a long table: what the map needs when it sums a few periods for thousands of
    territories. None when the indicator has no observations for `sex` or the window is empty."""
    if freq not in FREQ_ORDER:
        raise ValueError(f"unknown frequency {freq!r}: use 'Y', 'Q' or 'M'")
    meta = ds.indicator(indicator_id)
    if meta["unit"] != "count":
        raise ValueError(f"{indicator_id}: only count indicators can be summed (unit is {meta['unit']})")
    span = ds.series_span(indicator_id, sex)
    if span is None:
        return None
    src_freq, first, last, finest = span
    if FREQ_ORDER[freq] < FREQ_ORDER[src_freq]:
        raise ValueError(f"{indicator_id} is observed with frequency {src_freq}; cannot split it into {freq}")
    if level > finest:
        raise ValueError(f"{indicator_id} has no data below level {finest}")
    cols = ["territory_id", "period_start", "value"]
    if start is not None or end is not None:
        lo = pd.Timestamp(start) if start is not None else first
        hi = pd.Timestamp(end) if end is not None else last
        sel = ds.series_observations(indicator_id, sex, lo, hi, columns=cols)
        starts = periods_in_range(lo, hi, src_freq)
    else:
        sel = ds.series_observations(indicator_id, sex, columns=cols)
        starts = periods_in_range(first, last, src_freq)
    if len(starts) == 0:
        return None
    parts = ds.territories_at(finest, within=within).index
    if finest > 0:
        country_parts = ds.territories_at(finest, within=ds.main_country).index
        parts = parts.intersection(country_parts)
    parts = pd.Index(parts.astype(str)).sort_values()
    # A dense grid of every expected part (finest territory × source period), NaN where no value
    # arrived; rows of other levels or outside the window fall outside the grid.
    tcodes, tcats = _codes(sel["territory_id"])
    t_of_cat = np.append(parts.get_indexer(tcats), -1)  # code -1 (no id) -> outside the grid
    tpos = t_of_cat[tcodes]
    start_vals = starts.to_numpy().astype("datetime64[us]")
    sel_starts = sel["period_start"].to_numpy().astype("datetime64[us]")
    ppos = np.searchsorted(start_vals, sel_starts)
    ppos_ok = ppos < len(start_vals)
    ppos_ok[ppos_ok] = start_vals[ppos[ppos_ok]] == sel_starts[ppos_ok]
    keep = (tpos >= 0) & ppos_ok
    parts_grid = np.full((len(parts), len(starts)), np.nan)
    parts_grid[tpos[keep], ppos[keep]] = sel["value"].to_numpy(float)[keep]
    # Group parts into targets (ancestors at `level`) and source periods into target periods.
    targets = _ancestors(ds, pd.Series(parts), finest, level)
    t_codes, t_uniques = pd.factorize(targets, sort=True)
    p_codes, p_uniques = pd.factorize(period_label(pd.Series(starts), freq), sort=True)
    nt, npd = len(t_uniques), len(p_uniques)
    group = (t_codes[:, None] * npd + p_codes[None, :]).ravel()
    flat = parts_grid.ravel()
    present = ~np.isnan(flat)
    total = np.bincount(group, weights=np.where(present, flat, 0.0), minlength=nt * npd)
    n_parts = np.bincount(group, minlength=nt * npd)
    n_missing = n_parts - np.bincount(group, weights=present, minlength=nt * npd).astype(int)
    value = np.where(n_missing > 0, np.nan, total)
    periods = pd.Index(np.asarray(p_uniques, dtype=object).astype(str))
    return CountGrid(pd.Index(np.asarray(t_uniques, dtype=object).astype(str)), periods,
                     pd.DatetimeIndex(_period_start(pd.Series(periods))), value.reshape(nt, npd),
                     n_parts.reshape(nt, npd), n_missing.reshape(nt, npd))


def complete_periods(ds: Dataset, indicator_id: str, freq: str) -> list[str]:
    """Periods of `freq` (e.g. years) that the indicator's series covers entirely: every sub-period
    (month, quarter) of them lies between the indicator's first and last period with a value. A year
    whose series stops in June is not complete, and its sum is not an annual total; nor is a year whose
    December is present but blank in every territory (not yet published). Sorted."""
    obs = ds.observations
    sel = obs.loc[obs["indicator_id"] == indicator_id]
    if sel.empty:
        return []
    src_freq = str(sel["freq"].iloc[0])
    if FREQ_ORDER[freq] < FREQ_ORDER[src_freq]:
        raise ValueError(f"{indicator_id} is observed with frequency {src_freq}; cannot split it into {freq}")
    first, last = valued_span(ds, indicator_id)
    if first is None:
        return []
    starts = periods_in_range(first, last, src_freq)
    labels = period_label(pd.Series(starts), freq)
    per = {"M": {"M": 1, "Q": 3, "Y": 12}, "Q": {"Q": 1, "Y": 4}, "Y": {"Y": 1}}[src_freq][freq]
    counts = labels.value_counts()
    return sorted(str(p) for p, n in counts.items() if n == per)


def valued_span(ds: Dataset, indicator_id: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First and last period_start at which the indicator has a value in some territory: periods before
    or after them are rows without a value everywhere (not yet published, not collected), which no
    table or map should open on. (None, None) when it has no value at all."""
    key = ("valued_span", str(indicator_id))
    if key not in ds.derived:
        obs = ds.observations
        sel = obs.loc[(obs["indicator_id"] == indicator_id) & obs["value"].notna(), "period_start"]
        ds.derived[key] = (None, None) if sel.empty else (pd.Timestamp(sel.min()), pd.Timestamp(sel.max()))
    return ds.derived[key]


def roll_up_counts(ds: Dataset, counts: pd.DataFrame, level: int) -> pd.DataFrame:
    """Sum a table of counts returned by aggregate_counts (territories of one level, one frequency) up
    to their ancestors at a coarser `level`, with the same rule: a total is missing when any part is
    missing; n_parts and n_missing add up. Much cheaper than a new aggregate_counts from the source
    observations when several levels of the same indicator are needed. Same columns and order."""
    cols = ["territory_id", "period", "period_start", "year", "value", "n_parts", "n_missing"]
    if counts.empty:
        return counts[cols].copy()
    from_level = ds.level(str(counts["territory_id"].iloc[0]))
    if level > from_level:
        raise ValueError(f"cannot roll level {from_level} up to the finer level {level}")
    target = _ancestors(ds, counts["territory_id"], from_level, level)
    grouped = counts.assign(target=target.values).groupby(["target", "period"], sort=True)
    out = pd.DataFrame(
        {
            "period_start": grouped["period_start"].first(),
            "year": grouped["year"].first(),
            "value": grouped["value"].sum(min_count=1),
            "n_parts": grouped["n_parts"].sum(),
            "n_missing": grouped["n_missing"].sum(),
        }
    ).reset_index()
    out.loc[out["n_missing"] > 0, "value"] = np.nan
    out = out.rename(columns={"target": "territory_id"})
    out["n_parts"] = out["n_parts"].astype(int)
    out["n_missing"] = out["n_missing"].astype(int)
    out["year"] = out["year"].astype(int)
    return out[cols]


# ---- the denominator of a rate ---------------------------------------------------------------------
#: bases that a sex selection turns into a sex-specific one: an indicator counted for everybody
#: (rate_base 'total') observed for women is a rate per 100,000 women, not per 100,000 people
SEX_BASES: dict[str, str] = {"female": "female", "male": "male"}

#: machine-readable reasons why a rate has no denominator (Denominator.reason)
NO_RATE_BASE = "no_rate_base"  # the indicator's rate_base is 'none': counts only
NO_POPULATION = "no_population"  # the dataset has no population of the denominator's group


def denominator_base(rate_base: str, sex: str) -> str:
    """The population group (a key of RATE_BASES, or 'none') that a rate of an indicator with this
    `rate_base`, observed for `sex`, divides by. The rule of sex-specific rates used in public
    statistics (UNODC, WHO, INE/INEGI):

    - rate_base 'total' and sex 'total' -> 'total': cases per 100,000 people (both sexes);
    - rate_base 'total' and sex 'female' / 'male' -> 'female' / 'male': female cases per 100,000
      women, male cases per 100,000 men (all ages), never per 100,000 people;
    - a rate_base that already names a sex or an age group ('female', 'male', 'female_10_19') is
      kept whatever the sex: violence against women per 100,000 women, births to adolescent mothers
      per 1,000 girls aged 10–19;
    - 'none' stays 'none' (the indicator has no rate).

    Raises ValueError for a sex other than 'total', 'female' or 'male'."""
    if sex not in ("total", *SEX_BASES):
        raise ValueError(f"unknown sex {sex!r}: use 'total', 'female' or 'male'")
    if rate_base == "total" and sex in SEX_BASES:
        return SEX_BASES[sex]
    return rate_base


@dataclass(frozen=True)
class Denominator:
    """What a rate of one indicator and one sex is divided by (see `denominator_base`).

    indicator_id, sex: the numerator (the indicator's counts for that sex);
    indicator_base: the indicator's own `rate_base`;
    base: the population group of the denominator, a key of RATE_BASES ('total' = people of both
    sexes, 'female' = women of all ages, 'male' = men of all ages, 'female_10_19' = girls aged 10–19),
    or 'none' when the indicator has no rate;
    pop_sex, age_group: the population rows used (`population.sex`, `population.age_group`), '' for 'none';
    per: the rate's multiplier (`rate_per`: 100,000 or 1,000), NaN for 'none';
    available: the dataset has at least one (non-missing) population value of that group;
    reason: None when available, else NO_RATE_BASE or NO_POPULATION. A rate without its own
    denominator is missing: it is never computed against another group (e.g. the total population)."""

    indicator_id: str
    sex: str
    indicator_base: str
    base: str
    pop_sex: str
    age_group: str
    per: float
    available: bool
    reason: str | None

    @property
    def sex_specific(self) -> bool:
        """True when the selected sex, not the indicator, chose the denominator (a 'total' indicator
        shown for women or men)."""
        return self.base != self.indicator_base


def has_population(ds: Dataset, base: str) -> bool:
    """Whether the dataset has at least one non-missing population value of a RATE_BASES group
    (memoized per dataset). False for 'none' or an unknown base."""
    if base not in RATE_BASES:
        return False
    key = ("has_rate_base", base)
    if key not in ds.derived:
        sex, age = RATE_BASES[base]
        p = ds.population
        ds.derived[key] = bool(((p["sex"] == sex) & (p["age_group"] == age) & p["population"].notna()).any())
    return bool(ds.derived[key])


def rate_denominator(ds: Dataset, indicator_id: str, sex: str = "total") -> Denominator:
    """The denominator of the rate of `indicator_id` observed for `sex`: the one place that decides it
    (maps, trends, profiles and the index all ask here). See `denominator_base` for the rule and
    `Denominator` for the fields."""
    meta = ds.indicator(indicator_id)
    ind_base = str(meta["rate_base"])
    base = denominator_base(ind_base, str(sex))
    if base not in RATE_BASES:
        return Denominator(str(indicator_id), str(sex), ind_base, "none", "", "", float("nan"), False, NO_RATE_BASE)
    pop_sex, age = RATE_BASES[base]
    per = float(meta["rate_per"]) if not pd.isna(meta["rate_per"]) else float("nan")
    ok = has_population(ds, base)
    return Denominator(str(indicator_id), str(sex), ind_base, base, pop_sex, age, per, ok,
                       None if ok else NO_POPULATION)


def has_rate_base(ds: Dataset, indicator_id: str, sex: str | None = None) -> bool:
    """Whether a rate of the indicator can be computed anywhere: it has a rate base and the dataset has
    population rows of that base (a femicide count whose rate_base is 'female' has no rate in a dataset
    with only total population; its counts can still be shown). With `sex`, the base of that sex
    (`rate_denominator`): homicides of men have no rate in a dataset without a male population."""
    if sex is not None:
        return rate_denominator(ds, indicator_id, sex).available
    return has_population(ds, str(ds.indicator(indicator_id)["rate_base"]))


def population_table(ds: Dataset, rate_base: str) -> pd.DataFrame:
    """Population (persons) of a RATE_BASES group (the `base` of a `rate_denominator`, not necessarily
    the indicator's own rate_base): columns territory_id, year, population."""
    sex, age = RATE_BASES[rate_base]
    p = ds.population
    m = (p["sex"] == sex) & (p["age_group"] == age)
    return p.loc[m, ["territory_id", "year", "population"]]


def population_matrix(ds: Dataset, rate_base: str) -> pd.DataFrame:
    """Population (persons) of the rate_base group as a wide table: index territory_id, one column
    per year, NaN where unknown. Computed once per dataset."""
    key = ("population_matrix", rate_base)
    if key not in ds.derived:
        pop = population_table(ds, rate_base)
        wide = pop.pivot(index="territory_id", columns="year", values="population")
        wide.index = wide.index.astype(str)
        ds.derived[key] = wide
    return ds.derived[key]


def population_at(ds: Dataset, rate_base: str, territory_ids: pd.Index, years: list[int]) -> np.ndarray:
    """Population of each territory (rows) in each year (columns) for the rate_base group: an array of
    shape (len(territory_ids), len(years)), NaN where the population is unknown."""
    wide = population_matrix(ds, rate_base)
    rows = wide.index.get_indexer(pd.Index(territory_ids).astype(str))
    cols = wide.columns.get_indexer(pd.Index(years))
    vals = np.column_stack([wide.to_numpy(float), np.full(len(wide), np.nan)])  # last column: unknown year
    vals = np.vstack([vals, np.full(vals.shape[1], np.nan)])  # last row: unknown territory
    return vals[rows[:, None], cols[None, :]]


def add_rates(ds: Dataset, counts: pd.DataFrame, indicator_id: str, sex: str = "total") -> pd.DataFrame:
    """Add `population` (persons of the denominator's group in the period's year) and `rate`
    = value / population × rate_per (cases per rate_per persons of that group) to a table of counts of
    `sex` (as returned by aggregate_counts for that sex). The group is `rate_denominator(ds,
    indicator_id, sex)`: female homicides per 100,000 women, total homicides per 100,000 people.
    Pass the sex of the counts: a table of female counts with the default 'total' would be divided by
    everybody. A missing count or population gives a missing rate; a dataset without population of that
    group gives missing rates everywhere (never the total population instead)."""
    den = rate_denominator(ds, indicator_id, sex)
    if den.reason == NO_RATE_BASE:
        raise ValueError(f"{indicator_id} has no population base (rate_base is none)")
    pop = population_table(ds, den.base)
    out = counts.merge(pop, on=["territory_id", "year"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = out["value"] / out["population"] * den.per
    out["rate"] = rate.where(out["population"] > 0)
    return out


def rates(ds: Dataset, indicator_id: str, level: int, freq: str, sex: str = "total",
          within: str | None = None) -> pd.DataFrame:
    """aggregate_counts + add_rates for the same `sex`: counts, population (of the sex's denominator
    group, see `rate_denominator`) and rate per territory and period."""
    return add_rates(ds, aggregate_counts(ds, indicator_id, level, freq, sex, within), indicator_id, sex)


def _ancestors(ds: Dataset, ids: pd.Series, from_level: int, to_level: int) -> pd.Series:
    """Map territory ids of `from_level` to their ancestors at `to_level`."""
    out = ids.astype(str)
    parent = ds.territories["parent_id"]
    for _ in range(from_level - to_level):
        out = out.map(parent).astype(str)
    return out


def _codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column of ids and the ids they stand for (-1: no id). The loader stores ids
    as categoricals, whose codes are free; hand-built frames may hold plain strings."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        return ids.cat.codes.to_numpy(), pd.Index(ids.cat.categories.astype(str))
    codes, uniques = pd.factorize(ids.astype(str))
    return codes, pd.Index(uniques)


def _period_start(period: pd.Series) -> pd.Series:
    """First day of 'YYYY', 'YYYY-Qn' or 'YYYY-MM' periods."""
    p = period.astype(str)
    year = p.str.slice(0, 4).astype(int)
    month = pd.Series(1, index=p.index)
    q = p.str.contains("-Q", regex=False)
    month[q] = (p[q].str.slice(6, 7).astype(int) - 1) * 3 + 1
    mth = ~q & (p.str.len() == 7)
    month[mth] = p[mth].str.slice(5, 7).astype(int)
    return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))


def _empty_aggregate() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "territory_id": pd.Series(dtype=str),
            "period": pd.Series(dtype=str),
            "period_start": pd.Series(dtype="datetime64[ns]"),
            "year": pd.Series(dtype=int),
            "value": pd.Series(dtype=float),
            "n_parts": pd.Series(dtype=int),
            "n_missing": pd.Series(dtype=int),
        }
    )

