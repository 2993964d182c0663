"""The profile of one territory (municipality, department or country): its key figures with the change
since the previous period and whether that change is better or worse, how it compares with its
department and its country, its trends and the events that concern it.

Every rate here comes from analytics.rates (sum of counts / sum of population × rate_per, the population
of the rate's own group: `rates.rate_denominator` of the indicator and the sex shown); values that
are not counts (percentages, published rates) are shown at the level where they were observed: a
municipality's survey figure is its department's, and says so (`observed_at`).

Units: `value` is a rate per `rate_per` people for count indicators, a percent (0–100) for percent
indicators, and the published value for `rate` indicators. `change` is in the same unit as `value`
(percentage points for percents); `change_pct` is the relative change in percent.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analytics.dataset import RATE_BASES, Dataset
from analytics.rates import add_rates, aggregate_counts, complete_periods, rate_denominator, roll_up_counts

DOMAIN_ORDER = {"crime": 0, "vawg": 1, "risk": 2, "trust": 3, "context": 4}
ROLES = ("self", "department", "country")


# ---- search ---------------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Lower-case text without accents or diacritics: 'Sacatepéquez' -> 'sacatepequez', 'Ñ' -> 'n'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_table(ds: Dataset) -> pd.DataFrame:
    """Territories that have a profile (the main country, its departments and municipalities) with the
    text to match a query against.

    Columns: territory_id, name, level, parent_name (department of a municipality, '' otherwise),
    search (the name and parent name both as written and accent-folded, plus the id). Sorted by level,
    then name (accent-folded)."""
    country = ds.main_country
    ids = [country] + list(ds.territories_at(1, within=country).index) + list(ds.territories_at(2, within=country).index)
    rows = []
    for tid in ids:
        name = ds.name(tid)
        level = ds.level(tid)
        parent = ds.parent(tid)
        parent_name = ds.name(parent) if level == 2 and parent is not None else ""
        text = f"{name} {parent_name}".strip()
        rows.append((tid, name, level, parent_name, f"{text} {fold(text)} {tid}"))
    out = pd.DataFrame(rows, columns=["territory_id", "name", "level", "parent_name", "search"])
    out["_key"] = out["name"].map(fold)
    out = out.sort_values(["level", "_key", "territory_id"]).drop(columns="_key").reset_index(drop=True)
    return out


def search(ds: Dataset, query: str, limit: int = 20) -> pd.DataFrame:
    """Territories whose search text contains every word of `query`, ignoring case and accents
    ('santa lucia' finds 'Santa Lucía Milpas Altas'). Names that start with the query come first."""
    words = fold(query).split()
    table = search_table(ds)
    if not words:
        return table.head(0)
    folded = table["search"].map(fold)
    mask = pd.Series(True, index=table.index)
    for w in words:
        mask &= folded.str.contains(w, regex=False)
    hits = table[mask].copy()
    hits["_starts"] = ~hits["name"].map(fold).str.startswith(" ".join(words))
    return hits.sort_values(["_starts", "level"], kind="stable").drop(columns="_starts").head(limit).reset_index(drop=True)


# ---- territory hierarchy --------------------------------------------------------------------------
def ancestors(ds: Dataset, territory_id: str) -> list[str]:
    """Ids of the territory's parent, grandparent, ... up to its country (nearest first)."""
    out: list[str] = []
    p = ds.parent(territory_id)
    while p is not None:
        out.append(p)
        p = ds.parent(p)
    return out


def comparison_territories(ds: Dataset, territory_id: str) -> dict[str, str]:
    """{'self': id, 'department': id, 'country': id} for the levels above and at the territory
    (a department has no 'department' entry of its own; a country has only 'self')."""
    out = {"self": territory_id}
    level = ds.level(territory_id)
    if level >= 2:
        dept = ds.ancestor(territory_id, 1)
        if dept is not None:
            out["department"] = dept
    if level >= 1:
        country = ds.ancestor(territory_id, 0)
        if country is not None:
            out["country"] = country
    return out


# ---- direction of a change ------------------------------------------------------------------------
def direction(change: float, higher_is_worse: bool, overlap: bool = False) -> str | None:
    """'better', 'worse', 'same' (no change) or 'unclear' (survey intervals overlap) for a change of a
    value whose polarity is `higher_is_worse`; None when the change is missing."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return None
    if change == 0:
        return "same"
    if overlap:
        return "unclear"
    worse = (change > 0) == bool(higher_is_worse)
    return "worse" if worse else "better"


# ---- key figures ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyFigure:
    """One 'in numbers' card: the latest value of an indicator for a territory and its change.

    value: rate per `rate_per` (count indicators), percent (percent indicators) or the published value;
    count: the summed count behind a rate (NaN for other units);
    change: value - previous_value, in the unit of value (percentage points for percents);
    change_pct: 100 × change / previous_value (NaN when the previous value is 0 or missing);
    observed_at: the territory whose value this is (an ancestor for survey indicators without
    municipal data)."""

    indicator_id: str
    territory_id: str
    observed_at: str
    unit: str
    rate_per: float
    sex: str
    period: str
    value: float
    count: float
    lower: float
    upper: float
    previous_period: str | None
    previous_value: float
    change: float
    change_pct: float
    direction: str | None
    higher_is_worse: bool
    synthetic: bool
    source: str
    # "rate" (count indicators: value is a rate), "value" (other units) or "count": a count indicator
    # whose rate cannot be computed anywhere for this territory (no population of its rate base, e.g.
    # femicides without a female population): value and change are then the counts themselves
    measure: str = "rate"
    # the population group of the rate (rates.rate_denominator of the indicator and `sex`): 'total'
    # (per rate_per people), 'female' (women), 'male' (men), 'female_10_19'; 'none' without a rate
    rate_base: str = "none"

    @property
    def from_ancestor(self) -> bool:
        return self.observed_at != self.territory_id


@lru_cache(maxsize=256)
def indicator_sex(ds: Dataset, indicator_id: str) -> str:
    """The sex to show for an indicator: 'total' when it has it, else the sex of its population base
    (e.g. 'female' for violence against women), else the first sex observed."""
    obs = ds.observations
    sexes = set(obs.loc[obs["indicator_id"] == indicator_id, "sex"].unique())
    if "total" in sexes:
        return "total"
    base = str(ds.indicator(indicator_id).get("rate_base", "none"))
    if base in RATE_BASES and RATE_BASES[base][0] in sexes:
        return RATE_BASES[base][0]
    return sorted(sexes)[0] if sexes else "total"


def indicator_rate_base(ds: Dataset, indicator_id: str) -> str:
    """The population group the profile's rates of an indicator divide by: `rates.rate_denominator` of
    the indicator and the sex the profile shows (`indicator_sex`): 'total' (people), 'female' (women),
    'male' (men), 'female_10_19' (girls aged 10–19). Indicators that are not counts keep their own
    rate_base (a published rate per 100,000 people)."""
    meta = ds.indicator(indicator_id)
    if meta["unit"] != "count":
        return str(meta["rate_base"])
    return rate_denominator(ds, indicator_id, indicator_sex(ds, indicator_id)).base


@lru_cache(maxsize=64)
def _yearly_counts(ds: Dataset, indicator_id: str, sex: str, freq: str = "Y") -> pd.DataFrame:
    """Yearly (or `freq`) counts at the indicator's finest level (aggregated once, then rolled up)."""
    finest = _finest_level(ds, indicator_id, sex)
    return aggregate_counts(ds, indicator_id, level=finest, freq=freq, sex=sex)


@lru_cache(maxsize=256)
def _rates_table(ds: Dataset, indicator_id: str, level: int, sex: str, freq: str = "Y") -> pd.DataFrame:
    """Yearly (or `freq`) rates of a count indicator for every territory of a level, only complete
    periods (a year is complete when every month or quarter of it lies inside the indicator's series).
    Counts are summed once at the finest level and rolled up (rates.roll_up_counts); rates come from the
    summed counts and summed population of the sex's denominator group (rates.add_rates,
    rates.rate_denominator). Rates of a quarter are not annualised."""
    counts = roll_up_counts(ds, _yearly_counts(ds, indicator_id, sex, freq), level)
    table = add_rates(ds, counts, indicator_id, sex)
    return table[table["period"].isin(complete_periods(ds, indicator_id, freq))]


MIN_TREND_YEARS = 3


@lru_cache(maxsize=256)
def trend_freq(ds: Dataset, indicator_id: str) -> str:
    """The frequency of a profile's trend chart: 'Y' (yearly rates) unless a count indicator observed
    by month or quarter covers fewer than MIN_TREND_YEARS complete years (e.g. 18 months of a new
    series: one complete year is one point), then 'Q' (rates per quarter, complete quarters), or the
    source frequency when even quarters are too few. Other units keep their observed periods."""
    meta = ds.indicator(indicator_id)
    if meta["unit"] != "count" or str(meta["rate_base"]) == "none":
        return "Y"
    src = ds.indicator_freq(indicator_id)
    if src == "Y" or len(complete_periods(ds, indicator_id, "Y")) >= MIN_TREND_YEARS:
        return "Y"
    if len(complete_periods(ds, indicator_id, "Q")) >= MIN_TREND_YEARS:
        return "Q"
    return src


@lru_cache(maxsize=128)
def _observed_table(ds: Dataset, indicator_id: str, sex: str) -> pd.DataFrame:
    obs = ds.observations
    m = (obs["indicator_id"] == indicator_id) & (obs["sex"] == sex)
    return obs.loc[m]


@lru_cache(maxsize=128)
def _observed_by_territory(ds: Dataset, indicator_id: str, sex: str) -> dict[str, pd.DataFrame]:
    """The observations of an indicator and sex split by territory (one lookup per profile instead
    of a scan of the whole table)."""
    sel = _observed_table(ds, indicator_id, sex)
    return {str(k): g for k, g in sel.groupby("territory_id", sort=False)}


@lru_cache(maxsize=256)
def _rates_by_territory(ds: Dataset, indicator_id: str, level: int, sex: str,
                        freq: str = "Y") -> dict[str, pd.DataFrame]:
    table = _rates_table(ds, indicator_id, level, sex, freq)
    return {str(k): g for k, g in table.groupby("territory_id", sort=False)}


@lru_cache(maxsize=128)
def _finest_level(ds: Dataset, indicator_id: str, sex: str) -> int:
    obs_levels = _observed_table(ds, indicator_id, sex)["territory_id"].map(ds.territories["level"])
    return -1 if obs_levels.empty else int(obs_levels.max())


@lru_cache(maxsize=8192)
def series(ds: Dataset, indicator_id: str, territory_id: str, freq: str = "Y") -> pd.DataFrame:
    """The series shown for an indicator and a territory: columns period, period_start, value, lower,
    upper, count, observed_at. Count indicators: yearly rates (or rates per `freq` period, see
    `trend_freq`) from summed counts (complete periods only; `count` the summed count). Other units: the
    observed values at the territory, or at its nearest ancestor that has them (`observed_at`). Empty
    when neither has data. Cached per dataset: treat the returned frame as read-only."""
    meta = ds.indicator(indicator_id)
    sex = indicator_sex(ds, indicator_id)
    cols = ["period", "period_start", "value", "lower", "upper", "count", "observed_at"]
    if meta["unit"] == "count" and str(meta["rate_base"]) != "none":
        if ds.level(territory_id) > _finest_level(ds, indicator_id, sex):
            return pd.DataFrame(columns=cols)
        rows = _rates_by_territory(ds, indicator_id, ds.level(territory_id), sex, freq).get(territory_id)
        if rows is None:
            return pd.DataFrame(columns=cols)
        out = pd.DataFrame(
            {
                "period": rows["period"].values,
                "period_start": rows["period_start"].values,
                "value": rows["rate"].values,
                "lower": np.nan,
                "upper": np.nan,
                "count": rows["value"].values,
                "observed_at": territory_id,
            }
        )
        return out[cols].sort_values("period").reset_index(drop=True)
    by_territory = _observed_by_territory(ds, indicator_id, sex)
    for tid in [territory_id] + ancestors(ds, territory_id):
        rows = by_territory.get(tid)
        if rows is not None and not rows.empty:
            out = pd.DataFrame(
                {
                    "period": rows["period"].values,
                    "period_start": rows["period_start"].values,
                    "value": rows["value"].values,
                    "lower": rows["lower"].values if "lower" in rows else np.nan,
                    "upper": rows["upper"].values if "upper" in rows else np.nan,
                    "count": np.nan,
                    "observed_at": tid,
                }
            )
            return out[cols].sort_values("period").reset_index(drop=True)
    return pd.DataFrame(columns=cols)


def _previous_period(period: str) -> str:
    """'2024' -> '2023'; '2024-Q1' -> '2023-Q4'; '2024-01' -> '2023-12'."""
    p = str(period)
    year = int(p[:4])
    if len(p) == 4:
        return str(year - 1)
    if "-Q" in p:
        q = int(p[-1])
        return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"
    m = int(p[5:7])
    return f"{year - 1}-12" if m == 1 else f"{year}-{m - 1:02d}"


def key_figure(ds: Dataset, indicator_id: str, territory_id: str) -> KeyFigure | None:
    """The latest non-missing value of an indicator for a territory and its change since the period
    just before it (a missing previous period gives a missing change, not a comparison with an older
    one). None when the territory (and, for non-count indicators, its ancestors) has no value."""
    meta = ds.indicator(indicator_id)
    full_s, measure = counts_when_no_rate(ds, indicator_id, series(ds, indicator_id, territory_id))
    s = full_s[full_s["value"].notna()] if not full_s.empty else full_s
    if s.empty:
        return None
    last = s.iloc[-1]
    full = full_s.set_index("period")
    prev_period = _previous_period(str(last["period"]))
    if prev_period in full.index:
        prev = full.loc[prev_period]
        prev_value = float(prev["value"])
        prev_lower, prev_upper = float(prev["lower"]), float(prev["upper"])
    else:
        prev_period, prev_value, prev_lower, prev_upper = None, float("nan"), float("nan"), float("nan")
    value = float(last["value"])
    change = value - prev_value
    change_pct = change / prev_value * 100.0 if prev_value and not math.isnan(prev_value) else float("nan")
    lower, upper = float(last["lower"]), float(last["upper"])
    overlap = not any(math.isnan(x) for x in (lower, upper, prev_lower, prev_upper)) and (
        lower <= prev_upper and prev_lower <= upper
    )
    rate_per = meta.get("rate_per", float("nan"))
    synthetic = bool(meta["synthetic"])
    sex = indicator_sex(ds, indicator_id)
    return KeyFigure(
        indicator_id=indicator_id,
        territory_id=territory_id,
        observed_at=str(last["observed_at"]),
        unit=str(meta["unit"]),
        rate_per=float(rate_per) if rate_per is not None and not pd.isna(rate_per) else float("nan"),
        sex=sex,
        period=str(last["period"]),
        value=value,
        count=float(last["count"]),
        lower=lower,
        upper=upper,
        previous_period=prev_period,
        previous_value=prev_value,
        change=change,
        change_pct=change_pct,
        direction=direction(change, bool(meta["higher_is_worse"]), overlap),
        higher_is_worse=bool(meta["higher_is_worse"]),
        synthetic=synthetic,
        source=str(meta["source"]),
        measure=measure,
        rate_base=indicator_rate_base(ds, indicator_id),
    )


def counts_when_no_rate(ds: Dataset, indicator_id: str, s: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """(series, measure). A count indicator's series holds rates ('rate'); when not one period has a
    rate but some have counts (the dataset has no population of the indicator's rate base, e.g. no
    female population for femicides), the counts are shown instead ('count') rather than nothing.
    Other units: ('value'). Missing counts stay missing."""
    meta = ds.indicator(indicator_id)
    if meta["unit"] != "count" or str(meta["rate_base"]) == "none":
        return s, "value"
    if s.empty or s["value"].notna().any() or not s["count"].notna().any():
        return s, "rate"
    return s.assign(value=s["count"]), "count"


def profile_indicators(ds: Dataset) -> list[str]:
    """Indicators in the order a profile shows them: by domain (crime, vawg, risk, trust, context),
    then as listed in the dataset."""
    ind = ds.indicators
    order = sorted(range(len(ind)), key=lambda i: (DOMAIN_ORDER.get(str(ind["domain"].iloc[i]), 9), i))
    return [str(ind.index[i]) for i in order]


def key_figures(ds: Dataset, territory_id: str) -> list[KeyFigure]:
    """The key figures of a territory: every indicator that has a value for it (or, for survey
    percents, for an ancestor), in profile order. Count indicators observed only at a finer level than
    the territory are aggregated (rates from summed counts); a country's published rate is shown for
    the country only."""
    out = []
    level = ds.level(territory_id)
    for iid in profile_indicators(ds):
        meta = ds.indicator(iid)
        if meta["unit"] == "rate" and level > 0:
            continue  # published national rates are not a municipality's figure
        kf = key_figure(ds, iid, territory_id)
        if kf is not None:
            out.append(kf)
    return out


# ---- comparison with department and country -------------------------------------------------------
def comparison(ds: Dataset, territory_id: str) -> pd.DataFrame:
    """For every count indicator (and every other indicator observed at the territory itself): the
    value of the territory, its department and its country in the same period (the territory's latest
    period with a value), and the territory's value relative to the country's.

    Columns: indicator_id, period, unit, higher_is_worse, self, department, country (values in the
    indicator's unit; NaN when missing or not applicable), ratio_country = self / country."""
    terr = comparison_territories(ds, territory_id)
    rows = []
    for iid in profile_indicators(ds):
        meta = ds.indicator(iid)
        if meta["unit"] == "rate":
            continue
        own = series(ds, iid, territory_id)
        own = own[own["value"].notna()] if not own.empty else own
        if own.empty or (str(own["observed_at"].iloc[-1]) != territory_id):
            continue
        period = str(own["period"].iloc[-1])
        row = {"indicator_id": iid, "period": period, "unit": str(meta["unit"]),
               "higher_is_worse": bool(meta["higher_is_worse"])}
        for role in ROLES:
            tid = terr.get(role)
            val = float("nan")
            if tid is not None:
                s = series(ds, iid, tid)
                if not s.empty:
                    s = s[(s["period"] == period) & (s["observed_at"] == tid)]
                    if not s.empty:
                        val = float(s["value"].iloc[0])
            row[role] = val
        with np.errstate(divide="ignore", invalid="ignore"):
            row["ratio_country"] = row["self"] / row["country"] if row["country"] else float("nan")
        rows.append(row)
    cols = ["indicator_id", "period", "unit", "higher_is_worse", "self", "department", "country", "ratio_country"]
    return pd.DataFrame(rows, columns=cols)


def comparison_series(ds: Dataset, indicator_id: str, territory_id: str, freq: str = "Y") -> pd.DataFrame:
    """The series of an indicator for the territory, its department and its country, long format:
    columns role ('self', 'department', 'country'), territory_id, period, period_start, value, lower,
    upper, measure ('rate', 'value' or 'count': see `counts_when_no_rate`). A role is absent when that
    territory has no own data for the indicator. `freq`: as in `series` (the profile's trend passes
    `trend_freq`)."""
    frames = []
    measure = "value"
    for role, tid in comparison_territories(ds, territory_id).items():
        s, measure = counts_when_no_rate(ds, indicator_id, series(ds, indicator_id, tid, freq))
        if s.empty or (s["observed_at"] != tid).all():
            continue
        s = s[s["observed_at"] == tid]
        frames.append(s.assign(role=role, territory_id=tid, measure=measure))
    cols = ["role", "territory_id", "period", "period_start", "value", "lower", "upper", "measure"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    if (out["measure"] == "count").any() and (out["measure"] == "rate").any():
        out = out[out["measure"] == "rate"]  # never a count line next to rate lines on one axis
    return out[cols].reset_index(drop=True)


# ---- events ---------------------------------------------------------------------------------------
def territory_events(ds: Dataset, territory_id: str) -> pd.DataFrame:
    """Events that concern a territory: its own, those of its ancestors (a national curfew concerns
    every municipality) and, for a department or country, those of the territories within it.

    Columns: the events columns plus `scope` ('here', 'above' or 'within'); newest first."""
    ev = ds.events
    cols = list(ev.columns) + ["scope"]
    if ev is None or ev.empty or "territory_id" not in ev.columns:
        return pd.DataFrame(columns=cols)
    above = set(ancestors(ds, territory_id))
    tids = ev["territory_id"].astype(str)

    def scope(tid: str) -> str | None:
        if tid == territory_id:
            return "here"
        if tid in above:
            return "above"
        if tid in ds.territories.index and territory_id in ancestors(ds, tid):
            return "within"
        return None

    scopes = tids.map(scope)
    out = ev.loc[scopes.notna()].assign(scope=scopes[scopes.notna()])
    return out.sort_values("date", ascending=False).reset_index(drop=True)


def children_values(ds: Dataset, indicator_id: str, territory_id: str) -> pd.DataFrame:
    """The indicator for each territory one level below `territory_id`, in the latest period in which
    any of them has a value (rates from summed counts for count indicators).

    Columns: territory_id, period, value (NaN for a child without data). Empty when no child has data."""
    kids = ds.children(territory_id)
    frames = []
    for kid in kids:
        s = series(ds, indicator_id, kid)
        if not s.empty:
            s = s[s["observed_at"] == kid]
            frames.append(s.assign(territory_id=kid))
    if not frames:
        return pd.DataFrame(columns=["territory_id", "period", "value"])
    allp = pd.concat(frames, ignore_index=True)
    # observed series keep the loader's categorical periods, which have no order: compare the strings
    # (periods of one frequency sort as text: 2020-Q3 < 2020-Q4, 2020-09 < 2020-10)
    allp["period"] = allp["period"].astype("str")
    valued = allp[allp["value"].notna()]
    if valued.empty:
        return pd.DataFrame(columns=["territory_id", "period", "value"])
    last = valued["period"].max()
    at_last = allp.loc[allp["period"] == last].set_index("territory_id")["value"]
    # a child without a value in that period is listed as missing, not dropped
    return pd.DataFrame({"territory_id": kids, "period": last, "value": at_last.reindex(kids).values})


# ---- the VAWG index seen from a department or the country -------------------------------------------

INDEX_GROUPS = (1, 2, 3, 4, 5)  # analytics.vawg_index group codes: 1 = very high priority … 5 = very low


@dataclass(frozen=True)
class IndexSummary:
    """The index municipalities inside one territory (a department or the country).

    counts: municipalities per priority group, index 1..5 (group 1 = very high), zeros included;
    unscored: municipalities without a score (missing data and the rule 'exclude');
    top: the `top` municipalities with the highest score (ranking order), columns name,
    department_name, score (0–100), rank (national), group."""

    n: int
    counts: pd.Series
    unscored: int
    top: pd.DataFrame


def index_summary(ranking: pd.DataFrame, territory_id: str, country_id: str, top: int = 5) -> IndexSummary:
    """Summary of an index ranking (vawg_index.ranking_table: one row per municipality, sorted by rank,
    with department_id, score, rank, group) over the municipalities of `territory_id`: all of them when
    it is the country `country_id`, else those whose department_id is `territory_id`."""
    members = ranking if territory_id == country_id else ranking[ranking["department_id"].astype(str) == territory_id]
    scored = members[members["score"].notna()]
    counts = scored["group"].astype(int).value_counts().reindex(INDEX_GROUPS, fill_value=0).astype(int)
    best = scored.sort_values(["rank", "name"], kind="stable").head(top)
    return IndexSummary(
        n=len(members), counts=counts, unscored=int(len(members) - len(scored)),
        top=best[["name", "department_name", "score", "rank", "group"]].copy(),
    )
