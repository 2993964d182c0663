"""The VAWG territorial prioritization index: a composite indicator built step by step, following the
OECD/JRC Handbook on Constructing Composite Indicators (2008), configured by the dataset's index.json.

This is *our* documented method, modelled on OECD/JRC and InfoSegura practice; it is not the official
Guatemalan IPTVCM (whose weights are not public). docs/index-methodology.md gives the formulas.

Steps (each a function returning its intermediate table, municipalities × indicators unless stated):

1. ``pool_rates``        rates per 100,000 women (or per 1,000 girls 10–19) from counts and population
                         summed over the pooling window (via analytics/rates.py); percent indicators
                         are the mean of the window's available periods. Also department and country.
2. ``smooth_rates``      optional empirical-Bayes smoothing toward the department rate (Marshall 1991,
                         local method of moments) for count-based rates.
3. ``impute_missing``    missing report; rule ``exclude`` or ``impute_department_median``.
4. ``winsorize``         cap the "worse" tail of every indicator at its p-th percentile.
5. ``normalize``         0–100, higher = higher priority: min-max, z-score (T-score 50+10z clipped to
                         0–100) or percentile rank.
6. ``aggregate``         weighted arithmetic or geometric mean within dimensions, then across dimensions.
7. ``classify``          5 priority groups (1 = very high … 5 = very low) by quintiles, natural breaks
                         (Fisher–Jenks) or fixed thresholds; ranks; top-N.
8. ``monte_carlo``       uncertainty: weights, normalization, aggregation and winsorization drawn at
                         random; median rank, 90 % rank interval, share of draws in the top group.

``prepare_inputs`` runs steps 1–3 (slow: reads observations; memoize it), ``compute_from_inputs``
runs steps 4–7 (fast: a weight change recomputes in a few milliseconds) and ``compute_index`` runs
both. Values are floats; missing stays NaN throughout (never 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from analytics.dataset import RATE_BASES, Dataset
from analytics.rates import add_rates, aggregate_counts, rate_denominator, roll_up_counts

NORMALIZATIONS = ("minmax", "zscore", "rank")
AGGREGATIONS = ("arithmetic", "geometric")
CLASSIFICATIONS = ("quantiles", "natural_breaks", "fixed")
SMOOTHINGS = ("none", "empirical_bayes")
MISSING_RULES = ("exclude", "impute_department_median")
N_GROUPS = 5
#: group codes: 1 = very high priority … 5 = very low priority
GROUP_CODES = (1, 2, 3, 4, 5)


class IndexConfigError(ValueError):
    """index.json is not a valid index configuration; the message names the field and the value."""


# ---- configuration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of a dimension. `polarity` is +1 when a higher value means higher priority."""

    indicator_id: str
    weight: float = 1.0
    polarity: int = 1
    sex: str | None = None  # sex of the observations to use; default: the one the data hold


@dataclass(frozen=True)
class DimensionSpec:
    id: str
    label_es: str
    label_en: str
    weight: float
    indicators: tuple[IndicatorSpec, ...]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_es


@dataclass(frozen=True)
class MethodConfig:
    """Method parameters (index.json `method`). Defaults are those of docs/index-methodology.md."""

    end_year: int | None = None  # None: the last year with data
    pooling_years: int = 3
    smoothing: str = "none"
    missing: str = "impute_department_median"
    winsor_percentile: float | None = 95.0  # None: no winsorization
    normalization: str = "minmax"
    aggregation: str = "arithmetic"
    classification: str = "quantiles"
    fixed_thresholds: tuple[float, float, float, float] = (20.0, 40.0, 60.0, 80.0)
    top_n: int = 50
    mc_draws: int = 1000
    mc_seed: int = 20261122
    mc_concentration: float = 50.0  # Dirichlet concentration of the weight draws
    geometric_floor: float = 1.0  # scores below this (0–100 scale) count as this in geometric means


@dataclass(frozen=True)
class IndexConfig:
    id: str
    label_es: str
    label_en: str
    level: int
    dimensions: tuple[DimensionSpec, ...]
    method: MethodConfig = field(default_factory=MethodConfig)

    @property
    def indicator_ids(self) -> list[str]:
        return [i.indicator_id for d in self.dimensions for i in d.indicators]

    @property
    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    @property
    def polarity(self) -> pd.Series:
        return pd.Series({i.indicator_id: i.polarity for d in self.dimensions for i in d.indicators}, dtype=float)

    @property
    def indicator_dimension(self) -> dict[str, str]:
        return {i.indicator_id: d.id for d in self.dimensions for i in d.indicators}

    @property
    def dimension_weights(self) -> dict[str, float]:
        return {d.id: d.weight for d in self.dimensions}

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_es

    def with_method(self, **changes: Any) -> IndexConfig:
        """A copy with some method parameters changed (validated)."""
        return replace(self, method=_validate_method(replace(self.method, **changes)))

    def with_weights(self, weights: Mapping[str, float] | Sequence[float] | None) -> IndexConfig:
        """A copy with other dimension weights (any non-negative scale; normalized when used)."""
        if weights is None:
            return self
        w = _weights_by_dimension(self, weights)
        return replace(self, dimensions=tuple(replace(d, weight=w[d.id]) for d in self.dimensions))


def _num(value: Any, where: str, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise IndexConfigError(f"index.json, {where}: value {value!r} — must be a number")
    if minimum is not None and value < minimum:
        raise IndexConfigError(f"index.json, {where}: value {value!r} — must be ≥ {minimum:g}")
    return float(value)


def _choice(value: Any, where: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise IndexConfigError(f"index.json, {where}: value {value!r} — must be one of {', '.join(allowed)}")
    return str(value)


def _validate_method(m: MethodConfig) -> MethodConfig:
    _choice(m.smoothing, "method.smoothing", SMOOTHINGS)
    _choice(m.missing, "method.missing", MISSING_RULES)
    _choice(m.normalization, "method.normalization", NORMALIZATIONS)
    _choice(m.aggregation, "method.aggregation", AGGREGATIONS)
    _choice(m.classification, "method.classification", CLASSIFICATIONS)
    if m.winsor_percentile is not None and not 50 <= m.winsor_percentile <= 100:
        raise IndexConfigError(f"index.json, method.winsor_percentile: value {m.winsor_percentile!r} — must be "
                               "between 50 and 100, or null for no winsorization")
    th = tuple(m.fixed_thresholds)
    if len(th) != 4 or any(b <= a for a, b in zip(th, th[1:])):
        raise IndexConfigError(f"index.json, method.fixed_thresholds: value {list(th)!r} — must be 4 increasing "
                               "numbers (the cut-offs between the 5 groups)")
    if m.pooling_years < 1:
        raise IndexConfigError(f"index.json, method.pooling_years: value {m.pooling_years!r} — must be ≥ 1")
    if m.top_n < 1:
        raise IndexConfigError(f"index.json, method.top_n: value {m.top_n!r} — must be ≥ 1")
    if m.mc_draws < 1:
        raise IndexConfigError(f"index.json, method.mc_draws: value {m.mc_draws!r} — must be ≥ 1")
    if m.mc_concentration <= 0 or m.geometric_floor <= 0:
        raise IndexConfigError("index.json, method.mc_concentration and method.geometric_floor must be > 0")
    return m


def parse_index_config(raw: Mapping[str, Any], indicator_ids: Sequence[str] | None = None) -> IndexConfig:
    """An `IndexConfig` from the parsed index.json; raises `IndexConfigError` naming the bad field.

    `indicator_ids`, when given, are the ids in the dataset's indicators table: every index indicator
    must be one of them.
    """
    if not isinstance(raw, Mapping) or not isinstance(raw.get("dimensions"), list) or not raw["dimensions"]:
        raise IndexConfigError("index.json, dimensions: must be a non-empty array")
    dims: list[DimensionSpec] = []
    seen: set[str] = set()
    for d_i, d in enumerate(raw["dimensions"]):
        where = f"dimensions[{d_i}]"
        if not isinstance(d, Mapping) or not d.get("id"):
            raise IndexConfigError(f"index.json, {where}: needs an 'id'")
        inds_raw = d.get("indicators")
        if not isinstance(inds_raw, list) or not inds_raw:
            raise IndexConfigError(f"index.json, {where}.indicators: must be a non-empty array")
        inds: list[IndicatorSpec] = []
        for i_i, it in enumerate(inds_raw):
            iw = f"{where}.indicators[{i_i}]"
            iid = it.get("indicator_id") if isinstance(it, Mapping) else None
            if not iid:
                raise IndexConfigError(f"index.json, {iw}.indicator_id: missing")
            if indicator_ids is not None and iid not in indicator_ids:
                raise IndexConfigError(f"index.json, {iw}.indicator_id: value {iid!r} — no such indicator")
            if iid in seen:
                raise IndexConfigError(f"index.json, {iw}.indicator_id: value {iid!r} — used twice")
            seen.add(iid)
            pol = it.get("polarity", 1)
            if pol not in (1, -1) or isinstance(pol, bool):
                raise IndexConfigError(f"index.json, {iw}.polarity: value {pol!r} — must be 1 or -1")
            inds.append(IndicatorSpec(str(iid), _num(it.get("weight", 1), f"{iw}.weight", 0), int(pol),
                                      it.get("sex")))
        if sum(i.weight for i in inds) <= 0:
            raise IndexConfigError(f"index.json, {where}.indicators: the weights must not all be 0")
        dims.append(DimensionSpec(str(d["id"]), str(d.get("label_es", d["id"])),
                                  str(d.get("label_en", d.get("label_es", d["id"]))),
                                  _num(d.get("weight", 1), f"{where}.weight", 0), tuple(inds)))
    if sum(d.weight for d in dims) <= 0:
        raise IndexConfigError("index.json, dimensions: the dimension weights must not all be 0")
    m_raw = dict(raw.get("method") or {})
    known = {f for f in MethodConfig.__dataclass_fields__}
    unknown = sorted(set(m_raw) - known)
    if unknown:
        raise IndexConfigError(f"index.json, method: unknown field(s) {', '.join(unknown)}")
    if "fixed_thresholds" in m_raw:
        ft = m_raw["fixed_thresholds"]
        if not isinstance(ft, list):
            raise IndexConfigError(f"index.json, method.fixed_thresholds: value {ft!r} — must be an array")
        m_raw["fixed_thresholds"] = tuple(_num(x, "method.fixed_thresholds") for x in ft)
    for key in ("pooling_years", "top_n", "mc_draws", "mc_seed", "end_year"):
        if key in m_raw and m_raw[key] is not None:
            v = m_raw[key]
            if isinstance(v, bool) or not isinstance(v, int):
                raise IndexConfigError(f"index.json, method.{key}: value {v!r} — must be a whole number")
    for key in ("winsor_percentile", "mc_concentration", "geometric_floor"):
        if key in m_raw and m_raw[key] is not None:
            m_raw[key] = _num(m_raw[key], f"method.{key}")
    method = _validate_method(MethodConfig(**m_raw))
    return IndexConfig(str(raw.get("id", "index")), str(raw.get("label_es", "Índice")),
                       str(raw.get("label_en", raw.get("label_es", "Index"))), int(raw.get("level", 2)),
                       tuple(dims), method)


def _weights_by_dimension(config: IndexConfig, weights: Mapping[str, float] | Sequence[float]) -> dict[str, float]:
    ids = config.dimension_ids
    if isinstance(weights, Mapping):
        unknown = set(weights) - set(ids)
        if unknown:
            raise ValueError(f"unknown dimension(s) in weights: {sorted(unknown)}")
        w = {d: float(weights.get(d, 0.0)) for d in ids}
    else:
        if len(weights) != len(ids):
            raise ValueError(f"{len(weights)} weights given for {len(ids)} dimensions")
        w = dict(zip(ids, map(float, weights)))
    if any(not np.isfinite(v) or v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ValueError(f"dimension weights must be ≥ 0 and not all 0: {w}")
    return w


def effective_weights(config: IndexConfig) -> pd.Series:
    """Weight of each indicator in the composite: (dimension weight / Σ dimension weights) ×
    (indicator weight / Σ indicator weights of its dimension). Sums to 1."""
    total = sum(d.weight for d in config.dimensions)
    out: dict[str, float] = {}
    for d in config.dimensions:
        wsum = sum(i.weight for i in d.indicators)
        for i in d.indicators:
            out[i.indicator_id] = d.weight / total * i.weight / wsum
    return pd.Series(out, dtype=float)


# ---- step 1: pooled rates -----------------------------------------------------------------------


def indicator_sex(ds: Dataset, spec: IndicatorSpec) -> str:
    """The sex of the observations an index indicator uses: the spec's, else the one of its rate base
    when the data hold it, else 'total', else the only one present."""
    if spec.sex:
        return spec.sex
    obs = ds.observations
    present = set(obs.loc[obs["indicator_id"] == spec.indicator_id, "sex"].astype(str).unique())
    base = str(ds.indicator(spec.indicator_id)["rate_base"])
    preferred = [RATE_BASES[base][0]] if base in RATE_BASES else []
    for sex in preferred + ["total", "female", "male"]:
        if sex in present:
            return sex
    return "total"


def window_years(ds: Dataset, config: IndexConfig) -> tuple[int, int]:
    """(first, last) year of the pooling window: `end_year` (default: the last year the index
    indicators have data) and the `pooling_years` before it."""
    end = config.method.end_year
    if end is None:
        obs = ds.observations
        sel = obs.loc[obs["indicator_id"].isin(config.indicator_ids) & obs["value"].notna(), "year"]
        end = int(sel.max()) if len(sel) else 0
    return end - config.method.pooling_years + 1, end


def pool_rates(ds: Dataset, config: IndexConfig) -> pd.DataFrame:
    """Step 1. Each index indicator pooled over the window, for the country's municipalities (level of
    the index), its departments and the country.

    Count indicators: rate = Σ counts / Σ population × rate_per (the population of the observations'
    sex group, `rates.rate_denominator`: an indicator counted for everybody used for women is per
    100,000 women), summed over the window's years that
    have both a complete count (no missing month, see rates.aggregate_counts) and a population; the
    years used are reported. Percent and rate indicators: mean of the window's available periods.

    Returns a long table: territory_id, level, indicator_id, kind ("rate" or "mean"), numerator
    (count, NaN for means), denominator (population, NaN for means), value, n_periods, first_year,
    last_year.
    """
    first, last = window_years(ds, config)
    level = config.level
    country = ds.main_country
    frames = []
    for spec in (i for d in config.dimensions for i in d.indicators):
        iid = spec.indicator_id
        meta = ds.indicator(iid)
        sex = indicator_sex(ds, spec)
        if meta["unit"] == "count":
            finest = aggregate_counts(ds, iid, level, "Y", sex=sex, within=country)
            for lev in range(level, -1, -1):
                counts = finest if lev == level else roll_up_counts(ds, finest, lev)
                yearly = add_rates(ds, counts, iid, sex)  # population of the sex's group (rate_denominator)
                yearly = yearly[(yearly["year"] >= first) & (yearly["year"] <= last)]
                ok = yearly["value"].notna() & yearly["population"].notna() & (yearly["population"] > 0)
                used = yearly[ok]
                g = used.groupby("territory_id", sort=True)
                tab = pd.DataFrame({"numerator": g["value"].sum(), "denominator": g["population"].sum(),
                                    "n_periods": g.size(), "first_year": g["year"].min(),
                                    "last_year": g["year"].max()})
                all_ids = pd.Index(sorted(yearly["territory_id"].astype(str).unique()), name="territory_id")
                if lev == 0:
                    all_ids = pd.Index([country], name="territory_id")
                tab = tab.reindex(all_ids)
                tab["value"] = tab["numerator"] / tab["denominator"] * float(meta["rate_per"])
                tab["level"] = lev
                tab["kind"] = "rate"
                frames.append(tab.reset_index().assign(indicator_id=iid))
        else:
            obs = ds.observations
            m = (obs["indicator_id"] == iid) & (obs["sex"] == sex) & (obs["year"] >= first) & (obs["year"] <= last)
            sel = obs.loc[m & obs["value"].notna(), ["territory_id", "year", "value"]]
            sel = sel.assign(territory_id=sel["territory_id"].astype(str))
            g = sel.groupby("territory_id", sort=True)
            tab = pd.DataFrame({"value": g["value"].mean(), "n_periods": g.size(), "first_year": g["year"].min(),
                                "last_year": g["year"].max()})
            for lev in range(level, -1, -1):
                ids = ds.territories_at(lev, within=country).index if lev > 0 else pd.Index([country])
                t = tab.reindex(pd.Index(ids.astype(str), name="territory_id"))
                t["numerator"] = np.nan
                t["denominator"] = np.nan
                t["level"] = lev
                t["kind"] = "mean"
                frames.append(t.reset_index().assign(indicator_id=iid))
    out = pd.concat(frames, ignore_index=True)
    out["n_periods"] = out["n_periods"].fillna(0).astype(int)  # a count of periods: 0 periods is 0
    cols = ["territory_id", "level", "indicator_id", "kind", "numerator", "denominator", "value", "n_periods",
            "first_year", "last_year"]
    return out[cols]


def wide(pooled: pd.DataFrame, config: IndexConfig, level: int, column: str = "value") -> pd.DataFrame:
    """A territory × indicator table of one column of the pooled long table at `level`, with the
    indicators in configuration order."""
    p = pooled[pooled["level"] == level]
    w = p.pivot(index="territory_id", columns="indicator_id", values=column)
    w = w.reindex(columns=config.indicator_ids)
    w.columns.name = None
    return w.astype(float)


# ---- step 2: empirical-Bayes smoothing ----------------------------------------------------------


def empirical_bayes(numerator: pd.Series, denominator: pd.Series, groups: pd.Series) -> pd.DataFrame:
    """Marshall's (1991) local empirical-Bayes estimator of rates (per person) shrunk toward the
    rate of their group (department).

    For the municipalities i of a group with data: m = Σy/Σn, n̄ = Σn/k,
    s² = Σ nᵢ(rᵢ − m)² / Σn, A = max(s² − m/n̄, 0), Cᵢ = A / (A + m/nᵢ) (0 when A = 0),
    smoothed rᵢ* = m + Cᵢ (rᵢ − m). Returns columns raw, prior (m), shrinkage (C) and smoothed, per
    person; rows with a missing numerator or denominator stay missing.
    """
    df = pd.DataFrame({"y": numerator, "n": denominator, "g": groups})
    ok = df["y"].notna() & df["n"].notna() & (df["n"] > 0)
    d = df[ok]
    r = d["y"] / d["n"]
    gsum = d.groupby("g")[["y", "n"]].transform("sum")
    m = gsum["y"] / gsum["n"]
    k = d.groupby("g")["n"].transform("size")
    nbar = gsum["n"] / k
    s2 = (d["n"] * (r - m) ** 2).groupby(d["g"]).transform("sum") / gsum["n"]
    a = (s2 - m / nbar).clip(lower=0)
    denom = a + m / d["n"]
    c = (a / denom).where(denom > 0, 0.0)
    out = pd.DataFrame(index=df.index, columns=["raw", "prior", "shrinkage", "smoothed"], dtype=float)
    out.loc[ok, "raw"] = r
    out.loc[ok, "prior"] = m
    out.loc[ok, "shrinkage"] = c
    out.loc[ok, "smoothed"] = m + c * (r - m)
    return out


def smooth_rates(pooled: pd.DataFrame, config: IndexConfig, departments: pd.Series,
                 rate_per: Mapping[str, float]) -> pd.DataFrame:
    """Step 2. Municipality × indicator values after optional smoothing. With `smoothing = none` the
    pooled values; with `empirical_bayes` count-based rates are replaced by `empirical_bayes` estimates
    (× rate_per) toward the department rate; percent indicators are left as they are."""
    raw = wide(pooled, config, config.level).reindex(departments.index)
    if config.method.smoothing == "none":
        return raw
    num = wide(pooled, config, config.level, "numerator").reindex(departments.index)
    den = wide(pooled, config, config.level, "denominator").reindex(departments.index)
    kind = pooled.drop_duplicates("indicator_id").set_index("indicator_id")["kind"]
    out = raw.copy()
    for iid in config.indicator_ids:
        if kind.get(iid) != "rate":
            continue
        eb = empirical_bayes(num[iid], den[iid], departments)
        out[iid] = eb["smoothed"] * float(rate_per[iid])
    return out


# ---- step 3: missing data -----------------------------------------------------------------------


@dataclass(frozen=True)
class Imputation:
    values: pd.DataFrame  # municipality × indicator after the rule (excluded rows all NaN)
    report: pd.DataFrame  # per municipality: n_missing, missing_indicators, n_imputed, excluded
    imputed: pd.DataFrame  # long: territory_id, indicator_id, imputed_value, source ("department"|"country")


def impute_missing(values: pd.DataFrame, departments: pd.Series, rule: str) -> Imputation:
    """Step 3. Missing values per municipality and the rule applied.

    `exclude`: a municipality with any missing indicator gets no score (its row becomes NaN).
    `impute_department_median`: a missing value becomes the median of the other municipalities of
    the same department that have it; when none has it, the median of the whole country; an
    indicator with no data anywhere cannot be imputed and the municipality is excluded.
    """
    if rule not in MISSING_RULES:
        raise ValueError(f"unknown missing-data rule {rule!r}")
    miss = values.isna()
    n_missing = miss.sum(axis=1).astype(int)
    names = miss.apply(lambda r: ", ".join(c for c, v in r.items() if v), axis=1) if len(values) else \
        pd.Series(dtype=str)
    out = values.copy()
    imputed_rows: list[tuple[str, str, float, str]] = []
    if rule == "impute_department_median" and miss.to_numpy().any():
        dept_median = values.groupby(departments).transform("median")
        country_median = values.median()
        for iid in values.columns:
            idx = values.index[miss[iid]]
            for tid in idx:
                v = dept_median.at[tid, iid]
                src = "department"
                if pd.isna(v):
                    v, src = country_median[iid], "country"
                if pd.notna(v):
                    out.at[tid, iid] = v
                    imputed_rows.append((str(tid), iid, float(v), src))
    still = out.isna().any(axis=1)
    out.loc[still] = np.nan
    imputed = pd.DataFrame(imputed_rows, columns=["territory_id", "indicator_id", "imputed_value", "source"])
    n_imp = imputed.groupby("territory_id").size().reindex(values.index, fill_value=0).astype(int)
    n_imp[still] = 0
    report = pd.DataFrame({"n_missing": n_missing, "missing_indicators": names.astype(str),
                           "n_imputed": n_imp, "excluded": still})
    report.index.name = "territory_id"
    return Imputation(out, report, imputed)


# ---- step 4: winsorization ----------------------------------------------------------------------


def winsorize(values: pd.DataFrame, polarity: pd.Series, percentile: float | None) -> tuple[pd.DataFrame, pd.Series]:
    """Step 4. Cap each indicator's worse tail: with x' = polarity·x, values of x' above its
    `percentile`-th percentile (numpy linear interpolation, over the municipalities with a value) are
    set to it. Returns the treated table and the cap per indicator (in the original units); with
    `percentile` None or 100 nothing changes (caps NaN)."""
    if percentile is None or percentile >= 100:
        return values.copy(), pd.Series(np.nan, index=values.columns)
    x = values.to_numpy(dtype=float) * polarity.reindex(values.columns).to_numpy()
    caps = _nanpercentile_cols(x, percentile)
    treated = np.where(np.isnan(x), np.nan, np.minimum(x, caps))
    pol = polarity.reindex(values.columns).to_numpy()
    return (pd.DataFrame(treated * pol, index=values.index, columns=values.columns),
            pd.Series(caps * pol, index=values.columns))


def _nanpercentile_cols(x: np.ndarray, percentile: float) -> np.ndarray:
    rows = ~np.isnan(x).any(axis=1)
    if rows.all():
        return np.percentile(x, percentile, axis=0) if len(x) else np.full(x.shape[1], np.nan)
    if rows.sum() == 0:
        return np.full(x.shape[1], np.nan)
    return np.percentile(x[rows], percentile, axis=0)


# ---- step 5: normalization ----------------------------------------------------------------------


def normalize_array(x: np.ndarray, polarity: np.ndarray, method: str) -> np.ndarray:
    """`normalize` on a float array (rows with any NaN stay NaN and are ignored by the statistics)."""
    o = x * polarity
    ok = ~np.isnan(o).any(axis=1)
    out = np.full_like(o, np.nan)
    if not ok.any():
        return out
    v = o[ok]
    if method == "minmax":
        lo, hi = v.min(axis=0), v.max(axis=0)
        span = hi - lo
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.where(span > 0, (v - lo) / np.where(span > 0, span, 1) * 100.0, 0.0)
    elif method == "zscore":
        mean, sd = v.mean(axis=0), v.std(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(sd > 0, (v - mean) / np.where(sd > 0, sd, 1), 0.0)
        s = np.clip(50.0 + 10.0 * z, 0.0, 100.0)
    elif method == "rank":
        n = v.shape[0]
        r = _average_ranks(v)
        s = (r - 1.0) / (n - 1) * 100.0 if n > 1 else np.full_like(v, 50.0)
    else:
        raise ValueError(f"unknown normalization {method!r}")
    out[ok] = s
    return out


def _average_ranks(v: np.ndarray) -> np.ndarray:
    """Column-wise ranks 1..n (ascending), ties get the average of their ranks."""
    n, k = v.shape
    out = np.empty_like(v, dtype=float)
    for j in range(k):
        col = v[:, j]
        order = np.argsort(col, kind="mergesort")
        sorted_col = col[order]
        # boundaries of runs of equal values
        new = np.r_[True, sorted_col[1:] != sorted_col[:-1]]
        run_id = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        ends = np.r_[starts[1:], n]
        avg = (starts + ends - 1) / 2.0 + 1.0
        ranks = np.empty(n)
        ranks[order] = avg[run_id]
        out[:, j] = ranks
    return out


def normalize(values: pd.DataFrame, polarity: pd.Series, method: str) -> pd.DataFrame:
    """Step 5. Each indicator on 0–100 with higher = higher priority, x' = polarity·x:

    - minmax: 100·(x' − min)/(max − min) (a constant indicator gives 0 everywhere);
    - zscore: T-score 50 + 10·(x' − mean)/sd (population sd), clipped to [0, 100] (|z| > 5 is capped);
      a constant indicator gives 50;
    - rank: percentile rank 100·(r − 1)/(n − 1), r the ascending rank of x' with ties averaged.
    Statistics are over the municipalities with a complete row (excluded rows stay NaN).
    """
    pol = polarity.reindex(values.columns).to_numpy(dtype=float)
    arr = normalize_array(values.to_numpy(dtype=float), pol, method)
    return pd.DataFrame(arr, index=values.index, columns=values.columns)


# ---- step 6: aggregation ------------------------------------------------------------------------


def aggregate(normalized: pd.DataFrame, config: IndexConfig, method: str | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Step 6. Dimension scores (weighted mean of their indicators, weights normalized to sum 1 within
    the dimension) and the composite score (weighted mean of the dimension scores, dimension weights
    normalized to sum 1). Arithmetic: Σ wᵢsᵢ. Geometric: Π max(sᵢ, floor)^wᵢ with floor
    `method.geometric_floor` (default 1 point on the 0–100 scale), so a 0 does not annihilate the
    product. Both stay on 0–100."""
    method = method or config.method.aggregation
    floor = config.method.geometric_floor
    x = normalized.reindex(columns=config.indicator_ids).to_numpy(dtype=float)
    # one matrix product: column d of `within` holds the dimension's normalized indicator weights
    within = np.zeros((len(config.indicator_ids), len(config.dimensions)))
    j = 0
    for di, d in enumerate(config.dimensions):
        wsum = sum(i.weight for i in d.indicators)
        for i in d.indicators:
            within[j, di] = i.weight / wsum
            j += 1
    dims = _wmean(x, within, method, floor)
    total = sum(d.weight for d in config.dimensions)
    wd = np.array([d.weight / total for d in config.dimensions])
    dim_scores = pd.DataFrame(dims, index=normalized.index, columns=config.dimension_ids)
    score = pd.Series(_wmean(dims, wd, method, floor), index=normalized.index, name="score")
    return dim_scores, score


def _wmean(x: np.ndarray, w: np.ndarray, method: str, floor: float) -> np.ndarray:
    if method == "arithmetic":
        return x @ w
    if method == "geometric":
        with np.errstate(invalid="ignore"):
            return np.exp(np.log(np.maximum(x, floor)) @ w)
    raise ValueError(f"unknown aggregation {method!r}")


def contributions(dimension_scores: pd.DataFrame, score: pd.Series, config: IndexConfig,
                  method: str | None = None) -> pd.DataFrame:
    """Points of the composite score contributed by each dimension (they sum to the score).

    Arithmetic: wd·Dd. Geometric: the score split in proportion to each dimension's term of
    ln S = Σ wd·ln max(Dd, floor); when ln S = 0 (every dimension at the floor) in proportion to wd.
    """
    method = method or config.method.aggregation
    total = sum(d.weight for d in config.dimensions)
    wd = pd.Series({d.id: d.weight / total for d in config.dimensions})
    if method == "arithmetic":
        return dimension_scores.mul(wd, axis=1)
    w = wd.reindex(dimension_scores.columns).to_numpy()
    logs = np.log(np.maximum(dimension_scores.to_numpy(dtype=float), config.method.geometric_floor)) * w
    lsum = logs.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(lsum != 0, logs / np.where(lsum != 0, lsum, 1), w[None, :])
    out = share * score.to_numpy(dtype=float)[:, None]
    return pd.DataFrame(out, index=dimension_scores.index, columns=dimension_scores.columns)


# ---- step 7: classification and ranking ---------------------------------------------------------


def rank_scores(score: pd.Series) -> pd.Series:
    """Rank 1 = highest score (highest priority); ties share the best rank; NaN stays NaN (Int64)."""
    return score.rank(ascending=False, method="min").astype("Int64")


def fisher_jenks_breaks(values: np.ndarray, k: int = N_GROUPS) -> np.ndarray:
    """Upper bounds of the k classes of the optimal (Fisher 1958 / Jenks natural breaks) partition of
    `values`: the one minimizing the total within-class sum of squared deviations. Exact dynamic
    programme, vectorized with numpy (the same result as mapclassify.FisherJenks, which without numba
    takes ~20 s for 2,500 values)."""
    y = np.sort(np.asarray(values, dtype=float))
    y = y[~np.isnan(y)]
    n = len(y)
    if n == 0:
        return np.full(k, np.nan)
    uniq = np.unique(y)
    if len(uniq) <= k:
        # fewer distinct values than classes: each value its own class, the empty classes at the bottom
        return np.r_[np.full(k - len(uniq), uniq[0]), uniq]
    s1 = np.r_[0.0, np.cumsum(y)]
    s2 = np.r_[0.0, np.cumsum(y * y)]
    # cost of the class y[j..i] (inclusive), j<=i: SSD = Σy² − (Σy)²/len
    def cost(j: np.ndarray, i: int) -> np.ndarray:
        cnt = i - j + 1
        sy = s1[i + 1] - s1[j]
        return (s2[i + 1] - s2[j]) - sy * sy / cnt

    inf = np.inf
    dp = np.full((k, n), inf)
    arg = np.zeros((k, n), dtype=int)
    dp[0] = s2[1:] - s1[1:] ** 2 / np.arange(1, n + 1)
    for c in range(1, k):
        lo = c  # the start of the last class is monotone in i (as in Ckmeans.1d.dp): search from the last one
        for i in range(c, n):
            j = np.arange(lo, i + 1)  # the last class is y[j..i]
            cand = dp[c - 1, j - 1] + cost(j, i)
            b = int(np.argmin(cand))
            dp[c, i] = cand[b]
            arg[c, i] = lo = int(j[b])
    bounds = np.empty(k)
    i = n - 1
    for c in range(k - 1, -1, -1):
        bounds[c] = y[i]
        if c > 0:
            i = arg[c, i] - 1
    return bounds


def classify(score: pd.Series, method: str, fixed_thresholds: Sequence[float] = (20, 40, 60, 80)
             ) -> tuple[pd.Series, np.ndarray]:
    """Step 7. Priority group per municipality, 1 = very high … 5 = very low (Int64, NaN when no
    score), and the 4 cut-offs used.

    - quantiles: cut-offs are the 20th/40th/60th/80th percentiles of the scores (numpy linear);
      group = very high when score ≥ p80, high when p60 ≤ score < p80, … very low when score < p20;
    - fixed: the same rule with `fixed_thresholds` (default 20, 40, 60, 80 points);
    - natural_breaks: Fisher–Jenks optimal breaks into 5 classes; a class holds the scores above the
      previous class's upper bound up to and including its own (cut-offs = the 4 lower upper bounds).
    """
    s = score.to_numpy(dtype=float)
    ok = ~np.isnan(s)
    out = np.full(len(s), np.nan)
    if not ok.any():
        return pd.Series(out, index=score.index).astype("Int64"), np.full(4, np.nan)
    v = s[ok]
    if method == "quantiles":
        th = np.quantile(v, [0.2, 0.4, 0.6, 0.8])
        cls = np.digitize(v, th, right=False)  # 0 very low … 4 very high
    elif method == "fixed":
        th = np.asarray(fixed_thresholds, dtype=float)
        cls = np.digitize(v, th, right=False)
    elif method == "natural_breaks":
        bounds = fisher_jenks_breaks(v, N_GROUPS)
        th = bounds[:4]
        cls = np.digitize(v, th, right=True)  # v <= bound -> that class
    else:
        raise ValueError(f"unknown classification {method!r}")
    out[ok] = N_GROUPS - cls
    return pd.Series(out, index=score.index).astype("Int64"), np.asarray(th, dtype=float)


# ---- the whole index ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexInputs:
    """Steps 1–3: what a weight or normalization change does not alter."""

    config: IndexConfig
    territories: pd.DataFrame  # index territory_id: name, department_id, department_name
    pooled: pd.DataFrame  # step 1 (long, all levels)
    smoothed: pd.DataFrame  # step 2 (municipality × indicator)
    imputation: Imputation  # step 3
    window: tuple[int, int]

    @property
    def departments(self) -> pd.Series:
        return self.territories["department_id"]


@dataclass(frozen=True)
class IndexResult:
    """Every step's table. `table` is the ranking (one row per municipality)."""

    config: IndexConfig
    inputs: IndexInputs
    winsorized: pd.DataFrame
    winsor_caps: pd.Series
    normalized: pd.DataFrame
    dimension_scores: pd.DataFrame
    score: pd.Series
    rank: pd.Series
    group: pd.Series
    thresholds: np.ndarray
    contributions: pd.DataFrame
    table: pd.DataFrame

    def steps(self) -> dict[str, pd.DataFrame]:
        """Each step's intermediate table, ready to write as CSV (territory_id as a column)."""
        inp = self.inputs
        def out(df: pd.DataFrame) -> pd.DataFrame:
            d = df.copy()
            d.index.name = "territory_id"
            return d.reset_index()
        pooled = inp.pooled.copy()
        return {
            "1_pooled_rates": pooled,
            "2_smoothed": out(inp.smoothed),
            "3_missing_report": out(inp.imputation.report),
            "3_imputed_values": inp.imputation.imputed,
            "3_after_imputation": out(inp.imputation.values),
            "4_winsorized": out(self.winsorized),
            "4_winsor_caps": self.winsor_caps.rename("cap").rename_axis("indicator_id").reset_index(),
            "5_normalized": out(self.normalized),
            "6_dimension_scores": out(self.dimension_scores),
            "6_contributions": out(self.contributions),
            "7_ranking": self.table.reset_index(),
        }


def municipality_frame(ds: Dataset, level: int = 2) -> pd.DataFrame:
    """Municipalities of the main country with their department id and name."""
    t = ds.territories_at(level, within=ds.main_country)
    dept = t["parent_id"].astype(str)
    out = pd.DataFrame({"name": t["name"].astype(str), "department_id": dept,
                        "department_name": dept.map(ds.territories["name"]).astype(str)})
    out.index = out.index.astype(str)
    out.index.name = "territory_id"
    return out.sort_index()


def prepare_inputs(ds: Dataset, config: IndexConfig) -> IndexInputs:
    """Steps 1–3 on a dataset (the slow part: reads observations)."""
    terr = municipality_frame(ds, config.level)
    pooled = pool_rates(ds, config)
    per = {iid: float(ds.indicator(iid)["rate_per"]) if pd.notna(ds.indicator(iid)["rate_per"]) else 1.0
           for iid in config.indicator_ids}
    smoothed = smooth_rates(pooled, config, terr["department_id"], per)
    imputation = impute_missing(smoothed, terr["department_id"], config.method.missing)
    return IndexInputs(config, terr, pooled, smoothed, imputation, window_years(ds, config))


@dataclass(frozen=True)
class Treated:
    """Steps 4–5: what a weight change does not alter (cache it per method)."""

    winsorized: pd.DataFrame
    caps: pd.Series
    normalized: pd.DataFrame


def treat(inputs: IndexInputs, config: IndexConfig | None = None) -> Treated:
    """Steps 4 and 5 on the imputed values with the method of `config` (default inputs.config)."""
    m = (config or inputs.config).method
    pol = (config or inputs.config).polarity
    wins, caps = winsorize(inputs.imputation.values, pol, m.winsor_percentile)
    return Treated(wins, caps, normalize(wins, pol, m.normalization))


def compute_from_inputs(inputs: IndexInputs, config: IndexConfig | None = None,
                        weights: Mapping[str, float] | Sequence[float] | None = None,
                        treated: Treated | None = None) -> IndexResult:
    """Steps 4–7 (fast). `config` may differ from `inputs.config` in weights and in the method
    parameters of steps 4–7; `weights` (dimension id → weight, any scale) override its weights.
    `treated`: steps 4–5 already computed by `treat` for the same method (only weights changed)."""
    config = (config or inputs.config).with_weights(weights)
    m = config.method
    tr = treated or treat(inputs, config)
    dims, score = aggregate(tr.normalized, config)
    rank = rank_scores(score)
    group, th = classify(score, m.classification, m.fixed_thresholds)
    contrib = contributions(dims, score, config)
    rep = inputs.imputation.report
    cols: dict[str, Any] = {"score": score, "rank": rank, "group": group,
                            "top_n": (rank <= m.top_n).fillna(False).astype(bool)}
    for d in config.dimensions:
        cols[f"dim_{d.id}"] = dims[d.id]
    cols.update(n_missing=rep["n_missing"], n_imputed=rep["n_imputed"], excluded=rep["excluded"])
    table = pd.concat([inputs.territories, pd.DataFrame(cols, index=score.index)], axis=1)
    return IndexResult(config, inputs, tr.winsorized, tr.caps, tr.normalized, dims, score, rank, group, th,
                       contrib, table)


def compute_index(ds: Dataset, config: IndexConfig,
                  weights: Mapping[str, float] | Sequence[float] | None = None) -> IndexResult:
    """The whole index (steps 1–7) for a dataset and configuration."""
    return compute_from_inputs(prepare_inputs(ds, config), config, weights)


def rank_change(current: IndexResult, reference: IndexResult) -> pd.Series:
    """Places moved up the priority ranking against a reference (e.g. the default weights):
    reference rank − current rank (positive = higher priority now). Int64, NaN without a rank."""
    return (reference.rank.reindex(current.rank.index) - current.rank).astype("Int64")


# ---- step 8: Monte Carlo uncertainty ------------------------------------------------------------


@dataclass(frozen=True)
class Variants:
    """Normalized matrices for every normalization × winsorization choice, computed once."""

    index: pd.Index  # municipalities with a score
    indicator_ids: tuple[str, ...]
    matrices: dict[tuple[str, bool], np.ndarray]  # (normalization, winsorized) -> n × k on 0–100
    winsor_percentile: float


def normalized_variants(inputs: IndexInputs, config: IndexConfig | None = None) -> Variants:
    """The 3 normalizations × winsorization on/off of the imputed values (rows without a score dropped).
    Winsorization "on" uses the configured percentile (95 when the configuration has none)."""
    config = config or inputs.config
    values = inputs.imputation.values
    values = values[~values.isna().any(axis=1)]
    pol = config.polarity
    p = config.method.winsor_percentile if config.method.winsor_percentile is not None else 95.0
    mats: dict[tuple[str, bool], np.ndarray] = {}
    for wins in (False, True):
        v = winsorize(values, pol, p if wins else None)[0]
        arr = v.to_numpy(dtype=float)
        for norm in NORMALIZATIONS:
            mats[(norm, wins)] = normalize_array(arr, pol.reindex(values.columns).to_numpy(dtype=float), norm)
    return Variants(values.index, tuple(values.columns), mats, float(p))


@dataclass(frozen=True)
class MonteCarloResult:
    """Per municipality: median rank, 5th and 95th percentile of the rank (90 % interval), share of
    draws in the top group and in the top N; plus the draws' choices and ranks for inspection."""

    table: pd.DataFrame
    choices: pd.DataFrame  # per draw: normalization, winsorized, aggregation, weights
    ranks: np.ndarray  # municipalities × draws


def _dirichlet_around(rng: np.random.Generator, w: np.ndarray, concentration: float, draws: int) -> np.ndarray:
    """draws × len(w) weights from a Dirichlet with mean w (zero weights stay zero)."""
    out = np.zeros((draws, len(w)))
    pos = w > 0
    if pos.sum() == 1:
        out[:, pos] = 1.0
    elif pos.any():
        out[:, pos] = rng.dirichlet(concentration * w[pos] / w[pos].sum(), size=draws)
    return out


def monte_carlo(variants: Variants, config: IndexConfig, draws: int | None = None, seed: int | None = None,
                top_group: str | None = None) -> MonteCarloResult:
    """Step 8. `draws` random versions of the index (default `method.mc_draws`, seeded with
    `method.mc_seed`, so the result is reproducible). In each draw:

    - dimension weights ~ Dirichlet(c·w) centred on the configured weights (c = mc_concentration),
      and indicator weights within each dimension likewise; a zero weight stays zero;
    - normalization uniformly among min-max, z-score and rank;
    - aggregation arithmetic or geometric with probability 1/2 each;
    - winsorization on (configured percentile) or off with probability 1/2 each.

    Ranks are 1 = highest score (ties broken by order). The top group is, per draw, the municipalities
    with a score ≥ the draw's 80th percentile (classification quantiles or natural breaks) or ≥ the
    fourth fixed threshold (classification fixed).
    """
    m = config.method
    draws = int(draws or m.mc_draws)
    rng = np.random.default_rng(m.mc_seed if seed is None else seed)
    top_group = top_group or ("fixed" if m.classification == "fixed" else "quantile")
    ids = list(variants.indicator_ids)
    total = sum(d.weight for d in config.dimensions)
    wd = np.array([d.weight / total for d in config.dimensions])
    dim_w = _dirichlet_around(rng, wd, m.mc_concentration, draws)  # draws × D
    w_eff = np.zeros((draws, len(ids)))
    col = {iid: j for j, iid in enumerate(ids)}
    for di, d in enumerate(config.dimensions):
        wi = np.array([i.weight for i in d.indicators], dtype=float)
        inner = _dirichlet_around(rng, wi / wi.sum(), m.mc_concentration, draws)
        for ii, spec in enumerate(d.indicators):
            w_eff[:, col[spec.indicator_id]] = dim_w[:, di] * inner[:, ii]
    norm_choice = rng.integers(0, len(NORMALIZATIONS), size=draws)
    agg_choice = rng.integers(0, 2, size=draws)
    win_choice = rng.integers(0, 2, size=draws).astype(bool)
    n = len(variants.index)
    # draws × municipalities, C-contiguous: every per-draw operation runs along contiguous rows
    scores = np.empty((draws, n))
    floor = m.geometric_floor
    for ni, norm in enumerate(NORMALIZATIONS):
        for wins in (False, True):
            mat = variants.matrices[(norm, wins)]
            for ai in (0, 1):
                sel = np.flatnonzero((norm_choice == ni) & (win_choice == wins) & (agg_choice == ai))
                if not len(sel):
                    continue
                base = mat if ai == 0 else np.log(np.maximum(mat, floor))
                # Σ_j w_dj · x_ij as k broadcast multiply-adds: with k ≈ 7 this beats a BLAS call,
                # whose threads only contend on a small shared machine
                acc = np.zeros((len(sel), n))
                ws = w_eff[sel]
                for j in range(base.shape[1]):
                    acc += ws[:, j:j + 1] * base[:, j][None, :]
                scores[sel] = acc if ai == 0 else np.exp(acc)
    order = np.argsort(-scores, axis=1)
    ranks_dn = np.empty((draws, n), dtype=np.int32)
    np.put_along_axis(ranks_dn, order, np.arange(1, n + 1, dtype=np.int32)[None, :], axis=1)
    if top_group == "fixed":
        top = scores >= m.fixed_thresholds[3]
    else:
        h = 0.8 * (n - 1)
        lo_i, hi_i = int(np.floor(h)), int(np.ceil(h))
        part = np.partition(scores, (lo_i, hi_i), axis=1)
        q80 = part[:, lo_i] + (h - lo_i) * (part[:, hi_i] - part[:, lo_i])  # numpy "linear" quantile
        top = scores >= q80[:, None]
    ranks = np.ascontiguousarray(ranks_dn.T)  # municipalities × draws
    srt = np.sort(ranks, axis=1)
    mid = (draws - 1) / 2
    median = (srt[:, int(np.floor(mid))] + srt[:, int(np.ceil(mid))]) / 2
    p05 = srt[:, int(np.floor(0.05 * (draws - 1)))]  # numpy percentile method "lower"
    p95 = srt[:, int(np.ceil(0.95 * (draws - 1)))]  # method "higher": a conservative 90 % interval
    table = pd.DataFrame(
        {
            "median_rank": median,
            "rank_p05": p05,
            "rank_p95": p95,
            "share_top_group": top.mean(axis=0),
            "share_top_n": (ranks_dn <= m.top_n).mean(axis=0),
        },
        index=variants.index,
    )
    choices = pd.DataFrame({"normalization": np.array(NORMALIZATIONS)[norm_choice],
                            "aggregation": np.array(AGGREGATIONS)[agg_choice], "winsorized": win_choice})
    for j, iid in enumerate(ids):
        choices[f"w_{iid}"] = w_eff[:, j]
    return MonteCarloResult(table, choices, ranks)


ROBUST_SHARE = 0.75  # "robustly high priority": in the top group in at least 75 % of the draws


def inputs_from_values(values: pd.DataFrame, departments: pd.Series, config: IndexConfig,
                       names: pd.Series | None = None) -> IndexInputs:
    """IndexInputs from an already pooled municipality × indicator table (steps 1–2 skipped, the
    missing-data rule of `config` applied): for tests, benchmarks and data prepared elsewhere."""
    values = values.reindex(columns=config.indicator_ids).astype(float)
    terr = pd.DataFrame({"name": names if names is not None else values.index.astype(str),
                         "department_id": departments.astype(str), "department_name": departments.astype(str)},
                        index=values.index)
    terr.index.name = "territory_id"
    long = values.stack(future_stack=True).rename("value").reset_index()
    long.columns = ["territory_id", "indicator_id", "value"]
    long["level"] = config.level
    imputation = impute_missing(values, terr["department_id"], config.method.missing)
    return IndexInputs(config, terr, long, values, imputation, (0, 0))


# ---- tables the page and the downloads show -----------------------------------------------------


def ranking_table(result: IndexResult, mc: pd.DataFrame | None = None,
                  reference: IndexResult | None = None) -> pd.DataFrame:
    """The ranking with every column: territory, score, rank, group, top-N flag, dimension scores,
    missing/imputed counts; with `mc` (MonteCarloResult.table) the median rank, 90 % rank interval,
    shares of draws in the top group / top N and `robust_high` (share_top_group ≥ ROBUST_SHARE); with
    `reference` (e.g. the default configuration) `rank_change` = reference rank − rank. Sorted by rank,
    municipalities without a score last."""
    t = result.table.copy()
    if mc is not None:
        t = t.join(mc)
        t["robust_high"] = (t["share_top_group"] >= ROBUST_SHARE).where(t["share_top_group"].notna())
    if reference is not None:
        t["rank_change"] = rank_change(result, reference)
    t = t.sort_values(["rank", "name"], na_position="last", kind="stable")
    t.index.name = "territory_id"
    return t


def contribution_comparison(result: IndexResult, territory_id: str) -> pd.DataFrame:
    """Dimension contributions (points of the score) of a municipality, the mean over the scored
    municipalities of its department, and the mean over the country's. Rows: 'municipality',
    'department', 'country'; columns: dimension ids."""
    c = result.contributions
    dept = result.inputs.territories["department_id"]
    scored = result.score.notna()
    d = dept.get(territory_id)
    rows = {
        "municipality": c.loc[territory_id] if territory_id in c.index else pd.Series(np.nan, index=c.columns),
        "department": c[scored & (dept == d)].mean(),
        "country": c[scored].mean(),
    }
    return pd.DataFrame(rows).T


def municipality_profile(ds: Dataset, result: IndexResult, territory_id: str) -> pd.DataFrame:
    """The raw indicators behind a municipality's score, one row per indicator (configuration order):

    dimension, value (pooled, step 1), used (after smoothing and imputation, step 3; what was
    normalized), imputed (bool), normalized (0–100, step 5), n_periods/first_year/last_year of the
    pooled value, kind ('rate' per rate_per of rate_base, or 'mean' of a percent), rate_per,
    rate_base (the population group of the rate, `rates.rate_denominator` of the indicator and the sex
    the index uses), and the department and country values with their basis: 'rate' (pooled rate of summed
    counts), 'observed' (mean of the values observed at that level) or 'municipal_median' (no value
    observed at that level: the median of its municipalities, as used in the index).
    """
    cfg = result.config
    pooled = result.inputs.pooled
    terr = result.inputs.territories
    dept = str(terr.at[territory_id, "department_id"])
    country = ds.main_country
    key = pooled.set_index(["territory_id", "indicator_id"])
    used = result.inputs.imputation.values
    imp = result.inputs.imputation.imputed
    imputed_ids = set(imp.loc[imp["territory_id"] == territory_id, "indicator_id"])
    rows = []
    dim_of = cfg.indicator_dimension
    specs = {i.indicator_id: i for d in cfg.dimensions for i in d.indicators}
    for iid in cfg.indicator_ids:
        meta = ds.indicator(iid)
        # the rate's own population group: a 'total' indicator used for women is per 100,000 women
        base = rate_denominator(ds, iid, indicator_sex(ds, specs[iid])).base if meta["unit"] == "count" \
            else str(meta["rate_base"])
        r = key.loc[(territory_id, iid)] if (territory_id, iid) in key.index else None
        row: dict[str, Any] = {
            "indicator_id": iid,
            "dimension": dim_of[iid],
            "value": float(r["value"]) if r is not None else np.nan,
            "used": float(used.at[territory_id, iid]) if territory_id in used.index else np.nan,
            "imputed": iid in imputed_ids,
            "normalized": float(result.normalized.at[territory_id, iid]) if territory_id in result.normalized.index
            else np.nan,
            "n_periods": int(r["n_periods"]) if r is not None else 0,
            "first_year": r["first_year"] if r is not None else np.nan,
            "last_year": r["last_year"] if r is not None else np.nan,
            "kind": str(r["kind"]) if r is not None else "",
            "rate_per": float(meta["rate_per"]) if pd.notna(meta["rate_per"]) else np.nan,
            "rate_base": base,
        }
        for label, tid, members in (("department", dept, terr.index[terr["department_id"] == dept]),
                                    ("country", country, terr.index)):
            v = float(key.at[(tid, iid), "value"]) if (tid, iid) in key.index else np.nan
            if row["kind"] == "rate":
                basis = "rate"
            elif pd.notna(v):
                basis = "observed"
            else:
                v = float(used.loc[used.index.intersection(members), iid].median())
                basis = "municipal_median"
            row[f"{label}_value"] = v
            row[f"{label}_basis"] = basis
        rows.append(row)
    return pd.DataFrame(rows)
