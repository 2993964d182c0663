"""Time series for the Trends page: counts and rates over time, their usual transformations, a
before/after comparison around an event, the cross-country official homicide rates and the survey
series of trust in police and perception of insecurity.

Units and rules:
- `count`: number of cases in the period (victims, complaints, births).
- `rate`: cases in the period per `rate_per` (usually 100,000) persons of the rate's denominator group
  in the period's year (`rates.rate_denominator`): for an indicator counted for everybody (rate_base
  `total`), the total per 100,000 people, the female series per 100,000 women and the male series per
  100,000 men (sex-specific rates); an indicator whose base names a group keeps it (per 100,000 women,
  per 1,000 girls aged 10–19). Without a population of that group the rate is missing (never computed
  over the total population). A monthly rate is cases *in that month* per 100,000 (not annualized);
  a quarterly rate is cases in that quarter per 100,000. Rates of departments and of the country are
  (sum of counts) / (sum of population) (analytics/rates.py), never an average of member rates.
- 12-month rolling rate ("tasa interanual"): the sum of the last 12 monthly counts (the month itself and
  the 11 before it) divided by the population (same group) of the *last month's year*, × rate_per. With the `count`
  measure it is the rolling 12-month sum of counts.
- Moving average (3 or 12 months): the mean of the measure over the month and the window-1 before it.
- Year-on-year change: (x_t / x_{t−1 year} − 1) × 100, in percent; missing when either is missing or the
  earlier value is 0.
- Missing is never filled: a missing month makes every rolling window, moving average, year-on-year change
  and before/after mean that contains it missing. Nothing is interpolated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from analytics.dataset import Dataset
from analytics.rates import FREQ_ORDER, add_rates, aggregate_counts, period_label, periods_in_range

MEASURES = ("count", "rate")
TRANSFORMS = ("none", "roll12", "ma3", "ma12", "yoy", "samemonth")
# transformations that need monthly data (the others work at any frequency)
MONTHLY_ONLY = ("roll12", "ma3", "ma12")
LAG_PER_YEAR = {"M": 12, "Q": 4, "Y": 1}
MAX_TERRITORIES = 8

SERIES_COLUMNS = ["territory_id", "period", "period_start", "year", "count", "population", "rate",
                  "value", "population_year", "n_missing"]


# ---- transformations on one regular series -------------------------------------------------------
def regular(series: pd.Series, freq: str) -> pd.Series:
    """`series` (indexed by period start dates) reindexed on every period of `freq` from its first to
    its last date: absent periods become NaN (missing), never 0."""
    if series.empty:
        return series.astype(float)
    s = series.sort_index()
    grid = periods_in_range(s.index.min(), s.index.max(), freq)
    return s.reindex(grid).astype(float)


def rolling_sum(series: pd.Series, window: int) -> pd.Series:
    """Sum over the period and the `window`−1 before it; missing when any of them is missing or when
    fewer than `window` periods precede (the first window−1 periods). `series` must be regular."""
    return series.rolling(window, min_periods=window).sum()


def moving_average(series: pd.Series, window: int) -> pd.Series:
    """Mean over the period and the `window`−1 before it; missing when any of them is missing."""
    return series.rolling(window, min_periods=window).mean()


def year_on_year(series: pd.Series, freq: str) -> pd.Series:
    """Change in percent against the same period one year earlier, (x_t / x_{t−lag} − 1) × 100 with
    lag 12 months, 4 quarters or 1 year. Missing when either value is missing or the earlier one is 0.
    `series` must be regular."""
    prev = series.shift(LAG_PER_YEAR[freq])
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (series / prev - 1.0) * 100.0
    return out.where(prev > 0)


def rolling_12m_rate(counts: pd.Series, population: pd.Series, per: float) -> pd.DataFrame:
    """The "tasa interanual": for each month, the sum of the last 12 monthly counts divided by the
    population of that (last) month's year, × `per`.

    counts: monthly counts indexed by month start (regular, see `regular`);
    population: population indexed by year (int).
    Returns columns `sum12` (the 12-month count, missing when any of the 12 months is), `population_year`
    (the year whose population is used), `population` and `rate`.
    """
    sum12 = rolling_sum(counts, 12)
    years = pd.Series(counts.index.year, index=counts.index)
    pop = years.map(population).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (sum12 / pop * per).where(pop > 0)
    return pd.DataFrame({"sum12": sum12, "population_year": years, "population": pop, "rate": rate})


# ---- series of a count indicator for territories -----------------------------------------------
def indicator_freq(ds: Dataset, indicator_id: str) -> str:
    """The frequency at which an indicator is observed ("M", "Q" or "Y")."""
    return ds.indicator_freq(indicator_id)


def effective_freq(ds: Dataset, indicator_id: str, freq: str) -> str:
    """`freq`, or the indicator's own frequency when that is coarser (yearly data cannot be shown
    monthly)."""
    own = indicator_freq(ds, indicator_id)
    return own if FREQ_ORDER[own] > FREQ_ORDER[freq] else freq


def default_sex(ds: Dataset, indicator_id: str) -> str:
    """The sex whose observations stand for the whole indicator: "total" when observed, else the sex of
    the rate base (e.g. "female" for violence against women), else the first observed."""
    obs = ds.observations
    sexes = {str(x) for x in obs.loc[obs["indicator_id"] == indicator_id, "sex"].unique()}
    if "total" in sexes or not sexes:
        return "total"
    base = str(ds.indicator(indicator_id)["rate_base"])
    for s in ("female", "male"):
        if base.startswith(s) and s in sexes:
            return s
    return sorted(sexes)[0]


def indicator_sexes(ds: Dataset, indicator_id: str) -> tuple[str, ...]:
    """The sexes an indicator is observed for, in the order total, female, male."""
    obs = ds.observations
    present = {str(x) for x in obs.loc[obs["indicator_id"] == indicator_id, "sex"].unique()}
    return tuple(s for s in ("total", "female", "male") if s in present)


def valid_sex(ds: Dataset, indicator_id: str, sex: str | None) -> str:
    """`sex` when the indicator is observed for it, else `default_sex` (a page asking for women on an
    indicator without a female series shows its default series)."""
    return str(sex) if sex in indicator_sexes(ds, indicator_id) else default_sex(ds, indicator_id)


def allowed_transforms(freq: str) -> tuple[str, ...]:
    """Transformations that make sense at a frequency."""
    if freq == "M":
        return TRANSFORMS
    if freq == "Q":
        return ("none", "yoy", "samemonth")
    return ("none", "yoy")


BASE_COLUMNS = ["territory_id", "period", "period_start", "year", "count", "population", "rate", "n_missing"]

# (indicator_id, level, freq, sex) -> `level_rates` table; lets callers memoize whole levels
LevelTable = Callable[[str, int, str, str], pd.DataFrame]


def _with_rates(ds: Dataset, indicator_id: str, counts: pd.DataFrame, sex: str) -> pd.DataFrame:
    """Counts of `sex` (from rates.aggregate_counts) with population (persons of the denominator group
    of that sex, `rates.rate_denominator`) and rate (missing when there is no rate base or no population
    of that group)."""
    if str(ds.indicator(indicator_id)["rate_base"]) == "none":
        out = counts.assign(population=np.nan, rate=np.nan)
    else:
        out = add_rates(ds, counts, indicator_id, sex)
    return out.rename(columns={"value": "count"})[BASE_COLUMNS]


def level_rates(ds: Dataset, indicator_id: str, level: int, freq: str, sex: str) -> pd.DataFrame:
    """Counts of `sex`, population (of that sex's denominator group, `rates.rate_denominator`) and rate
    of every territory of a level (of the main country) and every period: rates.aggregate_counts +
    rates.add_rates. One call serves any selection of territories of that level,
    so callers memoize it (callbacks/trends.py does)."""
    return _with_rates(ds, indicator_id, aggregate_counts(ds, indicator_id, level=level, freq=freq, sex=sex), sex)


def base_series(ds: Dataset, indicator_id: str, territory_id: str, freq: str, sex: str | None = None,
                level_table: LevelTable | None = None) -> pd.DataFrame:
    """Counts, population and rate of one territory for every period of `freq` (regular: absent
    periods are rows with missing values). Aggregates are summed counts over summed population
    (analytics.rates). Columns: BASE_COLUMNS (n_missing = parts missing in the aggregate).

    With `level_table` the territory's rows are taken from the table of its whole level (memoized by the
    caller); without it only this territory is aggregated."""
    sex = sex or default_sex(ds, indicator_id)
    level = ds.level(territory_id)
    if level_table is not None:
        table = level_table(indicator_id, level, freq, sex)
        out = table.loc[table["territory_id"] == territory_id]
        return out.reset_index(drop=True) if len(out) else pd.DataFrame(columns=BASE_COLUMNS)
    counts = aggregate_counts(ds, indicator_id, level=level, freq=freq, sex=sex, within=territory_id)
    counts = counts.loc[counts["territory_id"] == territory_id]
    if counts.empty:
        return pd.DataFrame(columns=BASE_COLUMNS)
    return _with_rates(ds, indicator_id, counts, sex)


def transform_series(base: pd.DataFrame, freq: str, measure: str, transform: str, per: float) -> pd.DataFrame:
    """Apply a transformation to one territory's base series (from `base_series`). Adds `value` (what is
    plotted) and `population_year` (the year of the population used for the rate; for the 12-month
    rolling rate, the last month's year)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}: use one of {MEASURES}")
    if transform not in TRANSFORMS:
        raise ValueError(f"unknown transformation {transform!r}: use one of {TRANSFORMS}")
    if transform not in allowed_transforms(freq):
        raise ValueError(f"transformation {transform!r} is not available for frequency {freq!r}")
    df = base.sort_values("period_start").set_index("period_start", drop=False)
    col = "count" if measure == "count" else "rate"
    y = df[col].astype(float)
    pop_year = df["year"].astype(float)
    if transform == "roll12":
        if measure == "rate":
            pop = df.groupby("year")["population"].first()
            r = rolling_12m_rate(df["count"].astype(float), pop, per)
            y = r["rate"]
        else:
            y = rolling_sum(df["count"].astype(float), 12)
    elif transform == "ma3":
        y = moving_average(y, 3)
    elif transform == "ma12":
        y = moving_average(y, 12)
    elif transform == "yoy":
        y = year_on_year(y, freq)
    out = df.assign(value=y.to_numpy(), population_year=pop_year.to_numpy()).reset_index(drop=True)
    return out


def trend_table(ds: Dataset, indicator_id: str, territory_ids: list[str], freq: str, measure: str = "rate",
                transform: str = "none", sex: str | None = None,
                level_table: LevelTable | None = None) -> pd.DataFrame:
    """The long table behind the main chart: one block of rows per territory (in the given order), with
    columns SERIES_COLUMNS. `value` is the plotted number (see the module docstring for units). `sex`
    defaults to `default_sex` (female for indicators observed for women only)."""
    sex = sex or default_sex(ds, indicator_id)
    if len(territory_ids) > MAX_TERRITORIES + 1:
        raise ValueError(f"at most {MAX_TERRITORIES} territories plus the national reference")
    meta = ds.indicator(indicator_id)
    if meta["unit"] != "count":
        raise ValueError(f"{indicator_id} is not a count indicator (unit {meta['unit']})")
    if measure == "rate" and str(meta["rate_base"]) == "none":
        raise ValueError(f"{indicator_id} has no population base: only counts can be shown")
    freq = effective_freq(ds, indicator_id, freq)
    per = float(meta["rate_per"]) if str(meta["rate_base"]) != "none" else float("nan")
    blocks = []
    for tid in territory_ids:
        base = base_series(ds, indicator_id, tid, freq, sex, level_table)
        if base.empty:
            continue
        blocks.append(transform_series(base, freq, measure, transform, per))
    if not blocks:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in SERIES_COLUMNS})
    out = pd.concat(blocks, ignore_index=True)
    return out[SERIES_COLUMNS]


@dataclass(frozen=True)
class Latest:
    """The latest value of a territory's series and the value of the same period one year earlier;
    change_pct = (value / previous − 1) × 100, missing when the earlier value is missing or 0."""

    territory_id: str
    period: str
    value: float
    previous_period: str
    previous: float
    change_pct: float


def latest_vs_year_before(table: pd.DataFrame, freq: str) -> list[Latest]:
    """For each territory of a `trend_table` (in its order): its last period with a value, and the
    same period a year earlier (12 months, 4 quarters or 1 year before). Territories with no value
    at all are left out."""
    out: list[Latest] = []
    for tid in dict.fromkeys(table["territory_id"].astype(str)):
        rows = table[table["territory_id"].astype(str) == tid].sort_values("period_start")
        valid = rows.dropna(subset=["value"])
        if valid.empty:
            continue
        last = valid.iloc[-1]
        start = pd.Timestamp(last["period_start"]) - pd.DateOffset(months=12)
        prev_rows = rows[pd.to_datetime(rows["period_start"]) == start]
        prev = float(prev_rows["value"].iloc[0]) if len(prev_rows) else float("nan")
        prev_period = str(prev_rows["period"].iloc[0]) if len(prev_rows) else period_label(
            pd.Series([start]), freq).iloc[0]
        change = (float(last["value"]) / prev - 1.0) * 100.0 if prev == prev and prev > 0 else float("nan")
        out.append(Latest(tid, str(last["period"]), float(last["value"]), prev_period, prev, change))
    return out


@dataclass(frozen=True)
class SeasonalView:
    """'Same month of previous years': `table` has columns year, sub (month 1–12 or quarter 1–4),
    period, value; one line per year."""

    table: pd.DataFrame
    years: list[int]


def same_period_previous_years(table: pd.DataFrame, freq: str) -> SeasonalView:
    """Reshape one territory's series (rows of `trend_table` for one territory, `value` = the measure)
    into one row per (year, month) so each year is a line over the months of the year."""
    if freq not in ("M", "Q"):
        raise ValueError("same month of previous years needs monthly or quarterly data")
    ps = pd.to_datetime(table["period_start"])
    sub = ps.dt.month if freq == "M" else ps.dt.quarter
    out = pd.DataFrame({"year": ps.dt.year.astype(int), "sub": sub.astype(int), "period": table["period"],
                        "value": table["value"].astype(float)})
    out = out.sort_values(["year", "sub"]).reset_index(drop=True)
    return SeasonalView(out, sorted(out["year"].unique().tolist()))


# ---- before / after around an event -------------------------------------------------------------
@dataclass(frozen=True)
class BeforeAfter:
    """Mean monthly value in the `n` months before and the `n` months after an event month; the event
    month itself belongs to neither window. Descriptive, not causal.

    before_mean/after_mean are missing when any month of their window is missing or lies outside the
    data; change_pct = (after_mean / before_mean − 1) × 100 (missing when either is missing or
    before_mean is 0)."""

    event_period: str
    n: int
    before_first: str
    before_last: str
    after_first: str
    after_last: str
    before_mean: float
    after_mean: float
    change_pct: float
    before_missing: int
    after_missing: int


def before_after(monthly: pd.Series, event_date: pd.Timestamp, n: int) -> BeforeAfter:
    """Before/after comparison on a monthly series indexed by month start (any values: rates or counts).
    Months absent from the series count as missing."""
    if n < 1:
        raise ValueError("n must be at least 1 month")
    ev = pd.Timestamp(event_date).to_period("M").to_timestamp()
    before_idx = pd.date_range(ev - pd.DateOffset(months=n), periods=n, freq="MS")
    after_idx = pd.date_range(ev + pd.DateOffset(months=1), periods=n, freq="MS")
    s = monthly.astype(float)
    b = s.reindex(before_idx)
    a = s.reindex(after_idx)
    b_missing, a_missing = int(b.isna().sum()), int(a.isna().sum())
    b_mean = float(b.mean()) if b_missing == 0 else float("nan")
    a_mean = float(a.mean()) if a_missing == 0 else float("nan")
    change = (a_mean / b_mean - 1.0) * 100.0 if (b_mean == b_mean and a_mean == a_mean and b_mean != 0) else float("nan")
    lab = lambda d: d.strftime("%Y-%m")  # noqa: E731
    return BeforeAfter(lab(ev), n, lab(before_idx[0]), lab(before_idx[-1]), lab(after_idx[0]), lab(after_idx[-1]),
                       b_mean, a_mean, change, b_missing, a_missing)


def events_for(ds: Dataset, territory_ids: list[str]) -> pd.DataFrame:
    """Events that concern the selected territories: those located at one of them, at an ancestor
    (a national event applies everywhere below) or at a descendant. Sorted by date; columns of the
    events table plus `scope` ("self", "ancestor" or "descendant")."""
    ev = ds.events
    if ev is None or ev.empty or not territory_ids:
        return pd.DataFrame(columns=["date", "territory_id", "label_es", "label_en", "kind", "synthetic", "source",
                                     "scope"])
    selected = set(territory_ids)
    scopes = []
    for tid in ev["territory_id"].astype(str):
        if tid in selected:
            scopes.append("self")
            continue
        if tid not in ds.territories.index:
            scopes.append(None)
            continue
        # ancestor: some selected territory lies under tid; descendant: tid lies under a selected one
        under_tid = any(_is_under(ds, s, tid) for s in selected if s in ds.territories.index)
        over_tid = any(_is_under(ds, tid, s) for s in selected if s in ds.territories.index)
        scopes.append("ancestor" if under_tid else "descendant" if over_tid else None)
    out = ev.assign(scope=scopes)
    out = out.loc[out["scope"].notna()].sort_values("date").reset_index(drop=True)
    return out


def _is_under(ds: Dataset, tid: str, ancestor: str) -> bool:
    """True when `tid` lies strictly below `ancestor` in the hierarchy."""
    cur = ds.parent(tid)
    while cur is not None:
        if cur == ancestor:
            return True
        cur = ds.parent(cur) if cur in ds.territories.index else None
    return False


# ---- cross-country official rates ----------------------------------------------------------------
def cross_country(ds: Dataset, indicator_id: str = "homicide_rate_official", lang: str = "es") -> pd.DataFrame:
    """Published national rates by country and year, as given (never re-aggregated or interpolated).
    Every year from the first to the last year of the indicator is a row for every country that has
    at least one value; a year without a figure has a missing value. Columns: territory_id, name, year,
    period, value, source (source id of the row, else the indicator's), source_title (in `lang`: the
    source's `title_en` for 'en' when it has one)."""
    obs = ds.observations
    sel = obs.loc[(obs["indicator_id"] == indicator_id) & (obs["sex"] == "total")]
    cols = ["territory_id", "name", "year", "period", "value", "source", "source_title"]
    if sel.empty:
        return pd.DataFrame(columns=cols)
    default_source = str(ds.indicator(indicator_id)["source"])
    df = pd.DataFrame({
        "territory_id": sel["territory_id"].astype(str).to_numpy(),
        "year": sel["year"].astype(int).to_numpy(),
        "value": sel["value"].astype(float).to_numpy(),
        "source": (sel["source"].astype(object).to_numpy() if "source" in sel.columns
                   else np.full(len(sel), None, dtype=object)),
    })
    has = df.groupby("territory_id")["value"].apply(lambda v: v.notna().any())
    countries = sorted(has.index[has])
    years = range(int(df["year"].min()), int(df["year"].max()) + 1)
    grid = pd.MultiIndex.from_product([countries, years], names=["territory_id", "year"])
    df = df.set_index(["territory_id", "year"]).reindex(grid).reset_index()

    sources: list[str | None] = []
    for v, s in zip(df["value"], df["source"]):
        if pd.isna(v):
            sources.append(None)
        else:
            sources.append(str(s) if isinstance(s, str) and s.strip() else default_source)
    df["source"] = pd.Series(sources, index=df.index, dtype=object)
    df["source_title"] = pd.Series([ds.meta.source(s).title_for(lang) if s else None for s in sources], index=df.index,
                                   dtype=object)
    df["name"] = df["territory_id"].map(lambda t: ds.name(t) if t in ds.territories.index else t)
    df["period"] = df["year"].astype(str)
    return df[cols]


# ---- survey series (trust in police, perception of insecurity) ---------------------------------
def survey_series(ds: Dataset, indicator_id: str, territory_id: str, sexes: tuple[str, ...] = ("total",)) -> pd.DataFrame:
    """Survey estimates (percent) with their confidence interval for one territory, by sex. Every wave
    between the first and the last one of the indicator is a row (a wave without an estimate has a
    missing value). Columns: sex, period, period_start, value, lower, upper."""
    obs = ds.observations
    sel = obs.loc[(obs["indicator_id"] == indicator_id) & (obs["territory_id"] == territory_id)
                  & (obs["sex"].isin(list(sexes)))]
    all_sel = obs.loc[obs["indicator_id"] == indicator_id]
    cols = ["sex", "period", "period_start", "value", "lower", "upper"]
    if all_sel.empty:
        return pd.DataFrame(columns=cols)
    freq = str(all_sel["freq"].iloc[0])
    starts = periods_in_range(all_sel["period_start"].min(), all_sel["period_start"].max(), freq)
    df = pd.DataFrame({
        "sex": sel["sex"].astype(str).to_numpy(),
        "period_start": pd.to_datetime(sel["period_start"]).to_numpy(),
        "value": sel["value"].astype(float).to_numpy(),
        "lower": sel["lower"].astype(float).to_numpy(),
        "upper": sel["upper"].astype(float).to_numpy(),
    })
    present = [s for s in sexes if s in set(df["sex"])]
    if not present:
        return pd.DataFrame(columns=cols)
    grid = pd.MultiIndex.from_product([present, starts], names=["sex", "period_start"])
    df = df.set_index(["sex", "period_start"]).reindex(grid).reset_index()
    df["period"] = period_label(df["period_start"], freq).to_numpy()
    order = {s: i for i, s in enumerate(sexes)}
    df = df.sort_values(["sex", "period_start"], key=lambda c: c.map(order) if c.name == "sex" else c)
    return df[cols].reset_index(drop=True)


def broken_line(periods: list[pd.Timestamp], values: list[float], freq: str) -> tuple[list, list]:
    """x and y lists for a survey line that is NOT drawn across a gap: between two consecutive waves with
    an estimate, a None is inserted when at least one wave between them has no estimate (the gap is
    longer than one wave). Waves without an estimate are left out."""
    step = LAG_PER_YEAR[freq]
    months_per_wave = 12 // step
    xs: list = []
    ys: list = []
    prev: pd.Timestamp | None = None
    for p, v in zip(periods, values):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        p = pd.Timestamp(p)
        if prev is not None:
            gap = (p.year - prev.year) * 12 + (p.month - prev.month)
            if gap > months_per_wave:
                xs.append(None)
                ys.append(None)
        xs.append(p)
        ys.append(float(v))
        prev = p
    return xs, ys


def survey_freq(ds: Dataset, indicator_id: str) -> str:
    return indicator_freq(ds, indicator_id)


# ---- crime and trust side by side --------------------------------------------------------------
def common_range(a: pd.Series, b: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The overlap of the date ranges where two series have values (first to last non-missing)."""
    a = a.dropna()
    b = b.dropna()
    if a.empty or b.empty:
        return None
    lo = max(a.index.min(), b.index.min())
    hi = min(a.index.max(), b.index.max())
    return (lo, hi) if lo <= hi else None
