"""The numbers behind the map explorer: one value per territory for a set of filters, its class,
its rank and whether it rests on too few events to be stable.

Measures (`MapQuery.measure`):

- ``count``  — events in the period, summed over the territory's municipalities (count indicators);
- ``rate``   — events per `rate_per` persons of the rate's denominator group in the period: summed
  counts / summed population × rate_per, never an average of member rates (analytics.rates). The group
  is `rates.rate_denominator(indicator, sex)`: homicides per 100,000 people for the total, female
  homicides per 100,000 women and male homicides per 100,000 men (sex-specific rates); indicators whose
  base names a group keep it (violence against women per 100,000 women, adolescent births per 1,000
  girls aged 10–19). A dataset without population of that group gives no rate anywhere (all "no data",
  note ``no_population``), never a rate over the total population. Rates of a month or a quarter are
  **not** annualised. With ``pooled=True`` (annual periods only) the rate is the pooled 3-year rate:
  the events of the year and the two before, over the sum of the three years' populations (of the
  same group), × rate_per (an average annual rate that rests on three times as many events);
- ``change`` — the last 12 months up to the end of the period against the territory's own baseline,
  the average 12 months of the 36 months before them: (current − baseline) / baseline × 100, in
  percent. Traffic-light classes: at least 25 % below the baseline, 1–25 % below, and above (or less
  than 1 % below). A baseline of zero gives no percentage: such a territory has no change value (it is
  shown as "no data" for this measure, with its events in the ranking's count column);
- ``value``  — non-count indicators (survey percentages, official rates) as observed, only at the
  level and periods at which they were observed (they are never summed or averaged).

Missing stays missing: a value is NaN when any month or municipality behind it is missing, and such
territories are listed as "no data", never as zero.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from analytics.dataset import Dataset
from analytics.rates import (FREQ_ORDER, complete_periods, count_grid, has_rate_base, indicator_observations,
                             population_at, rate_denominator, valued_span)

MEASURES = ("rate", "count", "change", "value")
METHODS = ("quantiles", "equal_interval", "natural_breaks")
DEFAULT_SMALL_THRESHOLD = 10

# traffic-light classes of `change` (index = class id)
CHANGE_CLASSES = ("down25", "down1_25", "up")
CHANGE_STRONG_DROP = -25.0  # percent: at or below this, "at least 25 % below"
CHANGE_DROP = -1.0  # percent: at or below this (and above -25), "1–25 % below"

_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")


# ---- periods --------------------------------------------------------------------------------------
def period_freq(period: str) -> str:
    """'2024' -> 'Y', '2024-Q2' -> 'Q', '2024-05' -> 'M'. Raises ValueError on anything else."""
    m = _PERIOD.match(str(period))
    if not m:
        raise ValueError(f"period {period!r} is not YYYY, YYYY-Qn or YYYY-MM")
    return "Q" if m.group(2) else "M" if m.group(3) else "Y"


def period_window(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a period."""
    m = _PERIOD.match(str(period))
    if not m:
        raise ValueError(f"period {period!r} is not YYYY, YYYY-Qn or YYYY-MM")
    year = int(m.group(1))
    if m.group(2):
        start = pd.Timestamp(year, (int(m.group(2)) - 1) * 3 + 1, 1)
        end = start + pd.DateOffset(months=3) - pd.Timedelta(days=1)
    elif m.group(3):
        start = pd.Timestamp(year, int(m.group(3)), 1)
        end = start + pd.DateOffset(months=1) - pd.Timedelta(days=1)
    else:
        start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    return start, end


# ---- what an indicator offers ---------------------------------------------------------------------
@dataclass(frozen=True)
class IndicatorOptions:
    """What the map can show for one indicator."""

    indicator_id: str
    is_count: bool
    freq: str  # frequency of the observations: "Y", "Q" or "M"
    levels: tuple[int, ...]  # sub-national levels with values (2 = municipalities, 1 = departments)
    sexes: tuple[str, ...]
    measures: tuple[str, ...]
    granularities: tuple[str, ...]  # period frequencies that can be selected ("Y", "Q", "M")
    first_period: str
    last_period: str


@lru_cache(maxsize=512)
def indicator_options(ds: Dataset, indicator_id: str) -> IndicatorOptions:
    """Levels, sexes, measures and period granularities available for an indicator.

    Count indicators can be summed to every level above the finest observed one and to any coarser
    frequency; other indicators are offered only at the levels and frequency observed."""
    meta = ds.indicator(indicator_id)
    obs = ds.observations
    sel = obs.loc[obs["indicator_id"] == indicator_id]
    if sel.empty:
        raise ValueError(f"{indicator_id}: no observations")
    freq = str(sel["freq"].iloc[0])
    tids = pd.Series(pd.unique(sel["territory_id"].astype(str)))
    levels_obs = sorted({int(x) for x in tids.map(ds.territories["level"]).unique()})
    is_count = str(meta["unit"]) == "count"
    if is_count:
        finest = max(levels_obs)
        levels = tuple(lv for lv in (2, 1) if lv <= finest)
        measures: tuple[str, ...] = ("rate", "count", "change") if has_rate_base(ds, indicator_id) else ("count", "change")
        granularities = tuple(f for f in ("Y", "Q", "M") if FREQ_ORDER[f] >= FREQ_ORDER[freq])
    else:
        levels = tuple(lv for lv in (2, 1) if lv in levels_obs)
        measures = ("value",)
        granularities = (freq,)
    present = {str(x) for x in pd.unique(sel["sex"])}
    sexes = tuple(s for s in ("total", "female", "male") if s in present)
    periods = pd.Series(pd.unique(sel["period"])).astype(str)
    return IndicatorOptions(indicator_id, is_count, freq, levels, sexes, measures, granularities,
                            str(periods.min()), str(periods.max()))


@lru_cache(maxsize=512)
def period_choices(ds: Dataset, indicator_id: str, granularity: str) -> list[str]:
    """The selectable periods of an indicator at a granularity ('Y', 'Q', 'M'), oldest first.

    For count indicators summed to a coarser granularity, only the periods the series covers entirely:
    a year whose monthly series stops in June has no annual total (its sum would be read as one), so
    it is not offered; its months are, at monthly granularity. Otherwise the observed periods."""
    return list(_period_choices(ds, indicator_id, granularity))


@lru_cache(maxsize=1024)
def _period_choices(ds: Dataset, indicator_id: str, granularity: str) -> tuple[str, ...]:
    opts = indicator_options(ds, indicator_id)
    if not opts.is_count or granularity == opts.freq:
        # the observed periods, without those at either end that have no value anywhere (a month
        # present but blank in every territory: not yet published); gaps inside stay selectable
        obs = ds.observations
        first, last = valued_span(ds, indicator_id)
        sel = obs.loc[obs["indicator_id"] == indicator_id, ["period", "period_start"]].drop_duplicates("period")
        if first is not None:
            sel = sel[(sel["period_start"] >= first) & (sel["period_start"] <= last)]
        return tuple(sorted(str(p) for p in sel["period"]))
    if FREQ_ORDER[granularity] < FREQ_ORDER[opts.freq]:
        raise ValueError(f"{indicator_id} is observed with frequency {opts.freq}; cannot show {granularity}")
    return tuple(complete_periods(ds, indicator_id, granularity))


# ---- values ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MapQuery:
    """The filters of the map (all hashable, so results can be memoized by them)."""

    indicator_id: str
    period: str
    level: int = 2
    sex: str = "total"
    measure: str = "rate"
    pooled: bool = False
    small_threshold: int = DEFAULT_SMALL_THRESHOLD


@dataclass(frozen=True)
class MapValues:
    """One row per territory of the level (in the main country), values NaN where there are no data.

    `table` columns: territory_id, name, parent_id, parent_name, value (the measure), count (events
    behind the value: in the period, in the pooled 3 years, or in the current 12 months for change),
    population (summed population behind a rate; NaN otherwise), baseline (average yearly events of the
    baseline, change only), lower, upper (survey intervals, value only), change_class (0, 1, 2 for
    change, else -1), small (bool), rank (1 = worst; NaN for no data), tied (bool).
    """

    query: MapQuery
    table: pd.DataFrame
    unit: str  # "count", "rate", "percent_change" or the indicator's unit (percent, rate, ...)
    rate_per: float | None
    higher_is_worse: bool
    period_label: str  # the period the values describe, e.g. '2022–2024' for a pooled rate
    n_ranked: int
    notes: tuple[str, ...] = field(default=())  # machine-readable notes ("not_annualised", "pooled", "no_population")
    baseline_label: str = ""  # change only: the baseline window, e.g. '2020–2022'
    # the population group a rate divides by (rates.rate_denominator: 'total' = people, 'female' = women,
    # 'male' = men, 'female_10_19' = girls aged 10–19); 'none' for an indicator without a rate
    rate_base: str = "none"


def map_values(ds: Dataset, q: MapQuery) -> MapValues:
    """Values of `q.measure` for every territory of `q.level` in the main country (see module doc)."""
    if q.measure not in MEASURES:
        raise ValueError(f"unknown measure {q.measure!r}: use one of {MEASURES}")
    opts = indicator_options(ds, q.indicator_id)
    meta = ds.indicator(q.indicator_id)
    if q.level not in opts.levels:
        raise ValueError(f"{q.indicator_id} has no values at level {q.level} (levels: {opts.levels})")
    if q.measure not in opts.measures:
        raise ValueError(f"{q.indicator_id} cannot be shown as {q.measure} (measures: {opts.measures})")
    if q.sex not in opts.sexes:
        raise ValueError(f"{q.indicator_id} has no values for sex {q.sex!r} (sexes: {opts.sexes})")
    base = _base_table(ds, q.level)
    hiw = bool(meta["higher_is_worse"])
    notes: list[str] = []
    den = rate_denominator(ds, q.indicator_id, q.sex)
    per = den.per if den.base != "none" and not math.isnan(den.per) else None
    label = q.period
    baseline_label = ""
    if q.measure == "value":
        vals = _observed_values(ds, q)
        unit = str(meta["unit"])
    elif q.measure == "change":
        vals = _change_values(ds, q, opts.freq)
        unit = "percent_change"
        b0, c0, c1, b1 = _change_windows(q.period, opts.freq)
        label = _window_label(c0, c1, opts.freq)
        baseline_label = _window_label(b0, b1, opts.freq)
    else:
        vals = _count_values(ds, q, opts.freq)
        unit = q.measure
        if q.pooled:
            y = int(q.period)
            label = f"{y - 2}–{y}"
            notes.append("pooled")
        elif q.measure == "rate" and period_freq(q.period) != "Y":
            notes.append("not_annualised")
        if q.measure == "rate" and not den.available:
            notes.append("no_population")  # e.g. men's rates in a dataset without a male population
    table = base.merge(vals, on="territory_id", how="left")
    for col in ("value", "count", "population", "baseline", "lower", "upper"):
        if col not in table:
            table[col] = np.nan
        table[col] = table[col].astype(float)
    if q.measure == "change":
        table["change_class"] = change_classes(table["value"])
    else:
        table["change_class"] = -1
    table["small"] = small_number_flags(table, q.measure, q.small_threshold)
    rank, tied = rank_values(table["value"], higher_is_worse=hiw)
    table["rank"] = rank
    table["tied"] = tied
    return MapValues(q, table.reset_index(drop=True), unit, per, hiw, label, int(rank.notna().sum()), tuple(notes),
                     baseline_label, den.base)


def _base_table(ds: Dataset, level: int) -> pd.DataFrame:
    t = ds.territories_at(level, within=ds.main_country)
    parents = t["parent_id"].astype(str)
    names = ds.territories["name"]
    return pd.DataFrame(
        {
            "territory_id": t.index.astype(str),
            "name": t["name"].astype(str).values,
            "parent_id": parents.values,
            "parent_name": parents.map(names).astype(str).values,
        }
    ).sort_values("territory_id", kind="stable")


def _observed_values(ds: Dataset, q: MapQuery) -> pd.DataFrame:
    sel = indicator_observations(ds, q.indicator_id, q.sex)
    sel = sel.loc[sel["period"].astype(str) == q.period]
    return pd.DataFrame(
        {
            "territory_id": sel["territory_id"].astype(str).values,
            "value": sel["value"].astype(float).values,
            "lower": sel["lower"].astype(float).values,
            "upper": sel["upper"].astype(float).values,
        }
    )


def _count_values(ds: Dataset, q: MapQuery, src_freq: str) -> pd.DataFrame:
    """count (and population, rate) per territory for a period, or pooled over three years."""
    pfreq = period_freq(q.period)
    if FREQ_ORDER[pfreq] < FREQ_ORDER[src_freq]:
        raise ValueError(f"{q.indicator_id} is observed with frequency {src_freq}; period {q.period} is finer")
    if q.pooled:
        if pfreq != "Y":
            raise ValueError("a pooled 3-year rate needs an annual period")
        y = int(q.period)
        start, end = pd.Timestamp(y - 2, 1, 1), pd.Timestamp(y, 12, 31)
    else:
        start, end = period_window(q.period)
    grid = count_grid(ds, q.indicator_id, q.level, "Y" if q.pooled else pfreq, q.sex, start=start, end=end)
    if grid is None:
        return pd.DataFrame({"territory_id": [], "count": [], "population": [], "value": []})
    years = list(grid.period_starts.year)
    # the population of the rate's own group: women for female counts of a 'total' indicator
    den = rate_denominator(ds, q.indicator_id, q.sex)
    if den.available:
        pop = population_at(ds, den.base, grid.territory_ids, years)
    else:
        pop = np.full(grid.value.shape, np.nan)  # no population of that group: no rate, never another group's
    # one period, or three years summed strictly: a missing year (count or population) -> missing
    count = grid.value.sum(axis=1)
    population = pop.sum(axis=1)
    out = pd.DataFrame({"territory_id": grid.territory_ids, "count": count, "population": population})
    if q.measure == "rate":
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = out["count"] / out["population"] * den.per
        out["value"] = rate.where(out["population"] > 0)
    else:
        out["value"] = out["count"]
    return out


def _change_windows(period: str, src_freq: str) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """(baseline start, current start, current end, baseline end) for the change ending with `period`:
    the current window is the 12 months ending on the last day of the period; the baseline the 36
    months before it."""
    _, end = period_window(period)
    first_day_next = end + pd.Timedelta(days=1)
    cur_start = first_day_next - pd.DateOffset(months=12)
    base_start = cur_start - pd.DateOffset(months=36)
    return base_start, cur_start, end, cur_start - pd.Timedelta(days=1)


def _window_label(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> str:
    """'2023' for one calendar year, '2020–2022' for whole years, else '2023-03–2024-02' (months)."""
    if start.month == 1 and end.month == 12:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    return f"{_fmt_window(start, 'M')}–{_fmt_window(end, 'M')}"


def _fmt_window(ts: pd.Timestamp, freq: str) -> str:
    if freq == "Y":
        return str(ts.year)
    if freq == "Q":
        return f"{ts.year}-Q{(ts.month - 1) // 3 + 1}"
    return f"{ts.year}-{ts.month:02d}"


def _change_values(ds: Dataset, q: MapQuery, src_freq: str) -> pd.DataFrame:
    base_start, cur_start, cur_end, _ = _change_windows(q.period, src_freq)
    if cur_start.month != 1 and src_freq == "Y":
        raise ValueError(f"{q.indicator_id} is annual: change needs an annual period")
    grid = count_grid(ds, q.indicator_id, q.level, src_freq, q.sex, start=base_start, end=cur_end)
    if grid is None:
        return pd.DataFrame({"territory_id": [], "count": [], "baseline": [], "value": [], "population": []})
    is_cur = np.asarray(grid.period_starts >= cur_start)
    # the grid holds every expected period (absent ones as NaN), and a NaN anywhere makes a sum NaN
    out = pd.DataFrame({"territory_id": grid.territory_ids,
                        "count": grid.value[:, is_cur].sum(axis=1),
                        "baseline": grid.value[:, ~is_cur].sum(axis=1) / 3.0})
    out["value"] = percent_change(out["count"], out["baseline"])
    out["population"] = np.nan
    return out


def percent_change(current: pd.Series, baseline: pd.Series) -> pd.Series:
    """(current − baseline) / baseline × 100; NaN when either is missing or the baseline is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ch = (current - baseline) / baseline * 100.0
    return ch.where(baseline > 0)


def change_classes(change: pd.Series) -> pd.Series:
    """Traffic-light class of a percent change: 0 = at least 25 % below the baseline (change ≤ −25),
    1 = 1–25 % below (−25 < change ≤ −1), 2 = above or less than 1 % below (change > −1); -1 = no value
    (missing data, or a zero baseline, which has no percentage)."""
    c = pd.Series(-1, index=change.index, dtype=int)
    c[change <= CHANGE_STRONG_DROP] = 0
    c[(change > CHANGE_STRONG_DROP) & (change <= CHANGE_DROP)] = 1
    c[change > CHANGE_DROP] = 2
    return c


def small_number_flags(table: pd.DataFrame, measure: str, threshold: int) -> pd.Series:
    """True where a rate or change rests on fewer than `threshold` events (an unstable value):
    rate: events behind the rate < threshold; change: the baseline's average events per 12 months
    < threshold. Counts and observed values are never flagged; missing values are not flagged."""
    if measure == "rate":
        return (table["count"] < threshold) & table["value"].notna()
    if measure == "change":
        return (table["baseline"] < threshold) & table["count"].notna()
    return pd.Series(False, index=table.index)


def rank_values(values: pd.Series, higher_is_worse: bool = True) -> tuple[pd.Series, pd.Series]:
    """Rank 1 = worst (highest value when higher is worse, else lowest). Ties share the best rank
    of the tie ("competition" ranking: 1, 2, 2, 4) and are marked in `tied`. Missing values have
    no rank (NaN) and are never tied."""
    ranks = values.rank(method="min", ascending=not higher_is_worse, na_option="keep")
    tied = values.notna() & values.duplicated(keep=False)
    return ranks, tied


# ---- classification -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Classification:
    """Classes of the values of a map: bounds[i] = (lower, upper) of class i (class 0 includes its
    lower bound; class i > 0 is lower < v ≤ upper), counts[i] territories in class i, `classes` the
    class of each value (-1 = no data), and n_missing territories without data."""

    method: str
    bounds: tuple[tuple[float, float], ...]
    counts: tuple[int, ...]
    classes: np.ndarray
    n_missing: int


def classify(values: pd.Series | np.ndarray, method: str = "quantiles", k: int = 5) -> Classification:
    """Classify values: quantiles, equal intervals or natural breaks (Fisher–Jenks, see
    `fisher_jenks_bins`). Quantiles and equal intervals give mapclassify's bounds (`quantile_bins`,
    `equal_interval_bins`) without its goodness-of-fit summary, which cost more than the map's other
    analytics at 2,500 territories. Missing values get class -1 and are counted in n_missing. With
    fewer distinct values than `k`, there are as many classes as distinct values."""
    if method not in METHODS:
        raise ValueError(f"unknown classification {method!r}: use one of {METHODS}")
    v = np.asarray(values, dtype=float)
    ok = ~np.isnan(v)
    y = v[ok]
    classes = np.full(v.shape, -1, dtype=int)
    if y.size == 0:
        return Classification(method, (), (), classes, int((~ok).sum()))
    k = max(1, min(k, len(np.unique(y))))
    if k == 1:
        bins = np.array([y.max()])
    elif method == "quantiles":
        bins = quantile_bins(y, k)
    elif method == "equal_interval":
        bins = equal_interval_bins(y, k)
    else:
        bins = fisher_jenks_bins(y, k)
    bins = np.unique(np.asarray(bins, dtype=float))
    bins[-1] = max(bins[-1], y.max())
    yb = np.searchsorted(bins, y, side="left")  # lower < v <= upper
    classes[ok] = yb
    counts = np.bincount(yb, minlength=len(bins))
    lowers = np.concatenate([[y.min()], bins[:-1]])
    bounds = tuple((float(lo), float(hi)) for lo, hi in zip(lowers, bins))
    return Classification(method, bounds, tuple(int(c) for c in counts), classes, int((~ok).sum()))


def class_counts_within(mv: MapValues, cls: Classification, within: str) -> tuple[tuple[int, ...], int]:
    """How many of the territories inside `within` (those whose parent it is) fall in each class of
    `cls`, and how many of them have no data. The classes stay those of the whole map, so colours
    compare across the country; only the counting is local (a department's legend)."""
    inside = (mv.table["parent_id"].astype(str) == str(within)).to_numpy()
    c = np.asarray(cls.classes)[inside]
    counts = np.bincount(c[c >= 0], minlength=len(cls.counts))
    return tuple(int(x) for x in counts), int((c < 0).sum())


def quantile_bins(y: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of `k` quantile classes, as mapclassify.Quantiles computes them: the linearly
    interpolated percentiles 100/k, 200/k, ..., 100 of the values, repeated bounds merged (then there
    are fewer than k classes)."""
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    p[-1] = min(p[-1], 100.0)
    x = np.sort(np.asarray(y, dtype=float))
    # scipy.stats.scoreatpercentile's 'fraction' interpolation, term by term (numpy's percentile
    # differs in the last bit, which could move a value that equals a bound into the next class)
    idx = p / 100.0 * (x.size - 1)
    j = np.floor(idx).astype(int)
    frac = idx != j
    j1 = np.minimum(j + 1, x.size - 1)
    score = np.where(frac, x[j] * (j + 1 - idx) + x[j1] * (idx - j), x[j])
    return np.unique(score)


def equal_interval_bins(y: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of `k` classes of equal width between the minimum and the maximum, as
    mapclassify.EqualInterval computes them (the last bound is the maximum)."""
    y = np.asarray(y, dtype=float)
    lo, hi = float(y.min()), float(y.max())
    width = (hi - lo) / k
    cuts = np.arange(lo + width, hi + width, width)[:k] if width > 0 else np.array([hi])
    cuts[-1] = hi
    return cuts


def fisher_jenks_bins(y: np.ndarray, k: int, max_n: int = 600) -> np.ndarray:
    """Upper bounds of the `k` natural-breaks classes (Fisher–Jenks: the partition of the sorted
    values into k contiguous groups with the least total within-group sum of squares), the same
    result as mapclassify.FisherJenks, computed with numpy (mapclassify's version is pure Python
    without numba: seconds for a few hundred values). Above `max_n` values, the breaks are computed
    on `max_n` evenly spaced order statistics (deterministic), and the last bound is the maximum."""
    x = np.sort(np.asarray(y, dtype=float))
    top = x[-1]
    if x.size > max_n:
        x = x[np.linspace(0, x.size - 1, max_n).round().astype(int)]
    n = x.size
    k = min(k, n)
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    length = j - i + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        ssd = (s2[j + 1] - s2[i]) - (s1[j + 1] - s1[i]) ** 2 / length
    ssd = np.where(length > 0, np.maximum(ssd, 0.0), np.inf)
    cost = ssd[0]  # one class covering x[0..j]
    back: list[np.ndarray] = []
    cols = np.arange(n)
    for _ in range(1, k):
        cand = cost[:-1][:, None] + ssd[1:, :]  # row r: last class starts at i = r + 1
        arg = np.argmin(cand, axis=0)
        cost = cand[arg, cols]
        back.append(arg + 1)
    uppers = [top]
    end = n - 1
    for b in reversed(back):
        start = int(b[end])
        uppers.append(x[start - 1])
        end = start - 1
    return np.array(sorted(uppers))


def change_classification(mv: MapValues) -> Classification:
    """The fixed traffic-light classes of a change map, as a Classification (bounds in percent)."""
    cls = mv.table["change_class"].to_numpy()
    counts = tuple(int((cls == i).sum()) for i in range(3))
    bounds = ((-math.inf, CHANGE_STRONG_DROP), (CHANGE_STRONG_DROP, CHANGE_DROP), (CHANGE_DROP, math.inf))
    return Classification("change", bounds, counts, cls, int((cls < 0).sum()))


# ---- the ranking ----------------------------------------------------------------------------------
def ranking(mv: MapValues, within: str | None = None, top: int | None = None,
            order: str = "worst") -> pd.DataFrame:
    """The ranking table: territories with a value, sorted by rank (worst first; `order="best"`
    reverses it), limited to the parent `within` when given, then to the first `top` rows
    (`top=None`: all). Territories without data follow at the end when no `top` is given."""
    t = mv.table
    if within:
        t = t.loc[t["parent_id"] == within]
    ranked = t.loc[t["rank"].notna()].sort_values(["rank", "name"], ascending=[order != "best", True],
                                                  kind="stable")
    if top is not None:
        return ranked.head(top).reset_index(drop=True)
    missing = t.loc[t["rank"].isna()].sort_values("name", kind="stable")
    return pd.concat([ranked, missing], ignore_index=True)


# ---- geometry ------------------------------------------------------------------------------------
def boundary_bounds(geojson_path: str) -> dict[str, tuple[float, float, float, float]]:
    """(min lon, min lat, max lon, max lat) of every feature of a GeoJSON file, by feature id."""
    import json

    import shapely

    with open(geojson_path, encoding="utf-8") as fh:
        gj = json.load(fh)
    out: dict[str, tuple[float, float, float, float]] = {}
    for f in gj["features"]:
        fid = str(f.get("id", f.get("properties", {}).get("territory_id")))
        geom = shapely.geometry.shape(f["geometry"])
        out[fid] = tuple(float(x) for x in geom.bounds)  # type: ignore[assignment]
    return out


def view_for_bounds(bounds: tuple[float, float, float, float], width_px: int = 800,
                    height_px: int = 560) -> tuple[dict[str, float], float]:
    """Map centre {lon, lat} and web-mercator zoom that fit a bounding box in a viewport."""
    x0, y0, x1, y1 = bounds
    centre = {"lon": (x0 + x1) / 2, "lat": (y0 + y1) / 2}

    def merc(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx = max(x1 - x0, 1e-6) / 360.0
    dy = max(merc(y1) - merc(y0), 1e-6) / (2 * math.pi)
    zx = math.log2(width_px / 512.0 / dx)
    zy = math.log2(height_px / 512.0 / dy)
    return centre, round(max(min(zx, zy) - 0.05, 0.0), 2)


# ---- consistent filters ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MapFilters:
    """A consistent set of map filters and what the controls may offer for them."""

    indicator_id: str
    level: int
    measure: str
    sex: str
    granularity: str
    pooled: bool
    period: str
    periods: tuple[str, ...]
    options: IndicatorOptions

    def query(self, small_threshold: int = DEFAULT_SMALL_THRESHOLD) -> MapQuery:
        return MapQuery(self.indicator_id, self.period, self.level, self.sex, self.measure, self.pooled,
                        small_threshold)


def default_indicator(ds: Dataset) -> str:
    """'homicides' when present, else the first count indicator with municipal values, else the first."""
    ids = list(ds.indicators.index)
    if "homicides" in ids:
        return "homicides"
    for iid in ids:
        try:
            o = indicator_options(ds, iid)
        except ValueError:
            continue
        if o.is_count and 2 in o.levels:
            return iid
    return str(ids[0])


def mappable_indicators(ds: Dataset) -> list[str]:
    """Indicators with sub-national values (the ones the map can show), in domain then label order."""
    out = []
    for iid in ds.indicators.index:
        try:
            if indicator_options(ds, str(iid)).levels:
                out.append(str(iid))
        except ValueError:
            continue
    return out


def normalize_filters(ds: Dataset, indicator_id: str | None, level: int | str | None = None,
                      measure: str | None = None, sex: str | None = None, granularity: str | None = None,
                      pooled: bool = False, period: str | None = None) -> MapFilters:
    """Turn requested filters (from the URL or the controls; any may be missing or invalid) into a
    consistent set: an unavailable level, measure, sex or granularity falls back to the indicator's
    first available one; the pooled rate needs the rate measure and annual periods; periods are limited
    to those with a full window behind them (three years for a pooled rate, four for a change); an
    unknown period falls back to the latest."""
    mappable = mappable_indicators(ds)
    if indicator_id not in mappable:
        indicator_id = default_indicator(ds)
    opts = indicator_options(ds, indicator_id)
    try:
        lv = int(level) if level is not None else opts.levels[0]
    except (TypeError, ValueError):
        lv = opts.levels[0]
    if lv not in opts.levels:
        lv = opts.levels[0]
    if measure not in opts.measures:
        measure = opts.measures[0]
    if sex not in opts.sexes:
        sex = "total" if "total" in opts.sexes else opts.sexes[0]
    pooled = bool(pooled) and measure == "rate"
    if pooled:
        granularity = "Y"
    if granularity not in opts.granularities:
        granularity = opts.granularities[0] if opts.is_count else opts.freq
    periods = period_choices(ds, indicator_id, granularity)
    first = period_window(opts.first_period)[0]
    if pooled:
        periods = [p for p in periods if period_window(p)[0] >= first + pd.DateOffset(years=2)]
    elif measure == "change":
        periods = [p for p in periods if _change_windows(p, opts.freq)[0] >= first]
    if not periods and (pooled or measure == "change"):
        # too short a series for a pooled rate or a change: fall back to plain values
        return normalize_filters(ds, indicator_id, lv, opts.measures[0], sex, granularity, False, period)
    if not periods:
        # not one complete period at this granularity (e.g. a monthly series shorter than a year): the
        # next finer granularity that has one (the observed frequency always has its periods)
        finer = list(opts.granularities)[list(opts.granularities).index(granularity) + 1:]
        for g in finer:
            if period_choices(ds, indicator_id, g):
                return normalize_filters(ds, indicator_id, lv, measure, sex, g, False, period)
    if period not in periods:
        period = periods[-1]
    return MapFilters(indicator_id, lv, str(measure), str(sex), str(granularity), pooled, str(period),
                      tuple(periods), opts)
