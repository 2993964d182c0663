"""Checks on the assembled observations: coverage against boundaries, gaps in time series, rates
above plausible bounds, duplicate keys across tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.prepare.report import Report
from analytics.rates import denominator_base, periods_in_range

DEFAULT_MAX_RATE_PER_100K = 1000.0  # per year; counts above this rate are flagged (not changed)


def period_freq(period: str) -> str:
    if len(period) == 4:
        return "Y"
    return "Q" if "Q" in period else "M"


def period_start(periods: pd.Series) -> pd.Series:
    """First day of each YYYY / YYYY-Qn / YYYY-MM period."""
    p = periods.astype(str)
    q = p.str.extract(r"^(\d{4})-Q([1-4])$")
    month = np.where(q[0].notna(), q[1].astype(float) * 3 - 2, np.nan)
    out = pd.to_datetime(p.where(q[0].isna(), q[0] + "-" + pd.Series(month, index=p.index).map(
        lambda m: f"{int(m):02d}" if pd.notna(m) else "01")), format="mixed")
    return out


def check_duplicates(obs: pd.DataFrame, report: Report) -> pd.DataFrame:
    """Keys (indicator, territory, period, sex) given by more than one table: an error; first kept."""
    key = ["indicator_id", "territory_id", "period", "sex"]
    dup = obs.duplicated(key, keep=False)
    report.check("dup_tables", "observations", int(obs.loc[dup].drop_duplicates(key).shape[0]) if dup.any() else 0)
    if dup.any():
        d = obs.loc[dup].drop_duplicates(key)
        report.add("error", "observations", "the same indicator, territory, period and sex comes from several tables (first kept)",
                   [" ".join(map(str, r)) for r in d[key].head(200).itertuples(index=False)], count=len(d))
        obs = obs.drop_duplicates(key)
    return obs


def check_frequencies(obs: pd.DataFrame, report: Report) -> None:
    f = obs.assign(freq=obs["period"].map(period_freq)).groupby("indicator_id")["freq"].unique()
    for ind, fs in f.items():
        if len(fs) > 1:
            report.add("error", "observations", f"indicator {ind} mixes frequencies", sorted(fs))


def check_all_zero(obs: pd.DataFrame, report: Report) -> None:
    """An indicator whose values are all 0 is more often a wrong or empty source column than a fact."""
    for ind, g in obs.groupby("indicator_id"):
        v = g["value"].dropna()
        report.check("all_zero", f"indicator {ind}", int(bool(len(v)) and bool((v == 0).all())))
        if len(v) and (v == 0).all():
            report.add("warning", f"indicator {ind}", f"every value is 0 ({len(v):,} values): check that the source "
                       "column really holds this indicator")


def check_coverage(obs: pd.DataFrame, territories: pd.DataFrame, report: Report) -> None:
    """Boundaries with no data, per indicator observed at that level."""
    levels = territories.set_index("territory_id")["level"]
    for ind, g in obs.groupby("indicator_id"):
        lv = g["territory_id"].map(levels)
        for level in sorted(lv.dropna().unique()):
            ids = set(territories.loc[territories["level"] == level, "territory_id"])
            have = set(g.loc[lv == level, "territory_id"])
            missing = sorted(ids - have)
            have_val = set(g.loc[(lv == level) & g["value"].notna(), "territory_id"])
            report.check("no_data", f"indicator {ind} (admin{int(level)})", len(missing))
            if missing:
                report.add("warning", f"indicator {ind}", f"admin{int(level)} boundaries with no data at all "
                           f"({len(have_val)} of {len(ids)} have values)", _group_by_parent(missing, territories),
                           count=len(missing))
            else:
                report.step(f"indicator {ind}", f"data for all {len(ids)} admin{int(level)} territories "
                            f"({len(have_val)} with at least one value)")


def _group_by_parent(missing: list[str], territories: pd.DataFrame) -> list[str]:
    """Missing territories, a whole parent at a time when all of its children are missing
    ('all 11 of 01 Aguascalientes'), one by one otherwise."""
    t = territories.set_index("territory_id")
    miss = set(missing)
    out: list[str] = []
    for parent, kids in t.loc[missing].groupby("parent_id").groups.items():
        all_kids = t.index[t["parent_id"] == parent]
        if len(all_kids) > 1 and set(all_kids) <= miss:
            out.append(f"all {len(all_kids)} of {parent} {t.at[parent, 'name'] if parent in t.index else ''}".rstrip())
        else:
            out.extend(f"{k} {t.at[k, 'name']}" for k in sorted(kids))
    return out


def check_gaps(obs: pd.DataFrame, report: Report) -> None:
    """Gaps in each indicator's time series: for the territories it covers, every period between its
    first and last must be present with a value. Periods missing everywhere (e.g. months not yet
    published) are listed once; the rest are listed per territory."""
    for ind, g in obs.groupby("indicator_id"):
        freq = period_freq(str(g["period"].iloc[0]))
        starts = period_start(g["period"])
        all_p = periods_in_range(starts.min(), starts.max(), freq)
        labels = _labels(all_p, freq)
        terrs = sorted(g["territory_id"].unique())
        for sex, gs in g.groupby("sex"):
            have = gs.loc[gs["value"].notna()]
            present = set(zip(have["territory_id"], have["period"]))
            per_period = {p: [t for t in terrs if (t, p) not in present] for p in labels}
            everywhere = [p for p, ts in per_period.items() if len(ts) == len(terrs)]
            n_gaps = sum(len(ts) for ts in per_period.values() if 0 < len(ts) < len(terrs))
            report.check("unpublished", f"indicator {ind} ({sex})", len(everywhere))
            report.check("gaps", f"indicator {ind} ({sex})", n_gaps)
            if everywhere:
                report.add("info" if _trailing(everywhere, labels) else "warning", f"indicator {ind} ({sex})",
                           "periods with no value in any territory (not yet published, or not collected)"
                           + (": at the end of the series" if _trailing(everywhere, labels) else ""), everywhere)
            partial = [(p, ts) for p, ts in per_period.items() if 0 < len(ts) < len(terrs)]
            if partial:
                items = [f"{t} {p}" for p, ts in partial for t in ts]
                report.add("warning", f"indicator {ind} ({sex})",
                           f"gaps in time series ({labels[0]}–{labels[-1]}): territory-periods with no value", items)


def _labels(idx: pd.DatetimeIndex, freq: str) -> list[str]:
    if freq == "Y":
        return [f"{d.year}" for d in idx]
    if freq == "Q":
        return [f"{d.year}-Q{d.quarter}" for d in idx]
    return [f"{d.year}-{d.month:02d}" for d in idx]


def _trailing(missing: list[str], labels: list[str]) -> bool:
    return missing == labels[len(labels) - len(missing):]


def check_rates(obs: pd.DataFrame, indicators: pd.DataFrame, population: pd.DataFrame, report: Report,
                default_max_per_100k: float = DEFAULT_MAX_RATE_PER_100K) -> None:
    """Yearly rates (sum of the year's counts / population × 100,000) above the indicator's `max_rate`
    (per 100,000 a year; default 1000) are flagged. Count indicators only; years summed over the
    periods that have values (a partial year gives a lower rate, never a higher one). Each sex's counts
    are divided by the population of its own group (`rates.denominator_base`): female counts of a
    'total' indicator by women, never the total counts plus the female and male ones by everybody."""
    sex_of = {"total": "total", "female": "female", "male": "male"}
    for _, meta in indicators.iterrows():
        if meta["unit"] != "count" or meta["rate_base"] not in sex_of:
            continue
        g = obs.loc[(obs["indicator_id"] == meta["indicator_id"]) & obs["value"].notna()]
        if g.empty:
            continue
        sexes = g["sex"].astype(str) if "sex" in g.columns else pd.Series("total", index=g.index)
        g = g.assign(sex=sexes, pop_sex=sexes.map(lambda x: sex_of[denominator_base(str(meta["rate_base"]), x)]
                                                  if x in sex_of else None))
        yearly = (g.assign(year=g["period"].str.slice(0, 4).astype(int))
                  .groupby(["territory_id", "year", "sex", "pop_sex"])["value"].sum().reset_index())
        pop = population.loc[population["age_group"] == "all", ["territory_id", "year", "sex", "population"]]
        pop = pop.rename(columns={"sex": "pop_sex"})
        m = yearly.merge(pop, on=["territory_id", "year", "pop_sex"], how="left")
        own = sex_of[meta["rate_base"]]
        if not (pop["pop_sex"] == own).any():
            report.check("rate_high", f"indicator {meta['indicator_id']}", None, f"no {meta['rate_base']} population")
            report.add("warning", f"indicator {meta['indicator_id']}",
                       f"no {meta['rate_base']} population in the dataset: its rates cannot be computed "
                       f"(add a population table with that sex, or set rate_base: none)")
            continue
        for ps in sorted(set(m["pop_sex"].dropna()) - set(pop["pop_sex"]) - {own}):
            report.add("warning", f"indicator {meta['indicator_id']}",
                       f"no {ps} population in the dataset: its {ps} rates cannot be computed (they are "
                       f"shown as no data, never divided by another population)")
        m = m.loc[m["pop_sex"].isin(set(pop["pop_sex"]))]
        nopop = m["population"].isna()
        if nopop.any():
            report.add("warning", f"indicator {meta['indicator_id']}",
                       f"territory-years with counts but no {meta['rate_base']} population (no rate can be computed)",
                       [f"{t} {y}" + ("" if sx == "total" else f" ({sx})")
                        for t, y, sx in zip(m.loc[nopop, "territory_id"], m.loc[nopop, "year"], m.loc[nopop, "sex"])])
        m = m.loc[~nopop & (m["population"] > 0)]
        rate = m["value"] / m["population"] * 100000
        bound = float(meta.get("max_rate") or default_max_per_100k) if pd.notna(meta.get("max_rate", np.nan)) else default_max_per_100k
        high = rate > bound
        report.check("rate_high", f"indicator {meta['indicator_id']} (> {bound:g})", int(high.sum()))
        if high.any():
            h = m.loc[high]
            report.add("warning", f"indicator {meta['indicator_id']}",
                       f"yearly rates above the plausible bound of {bound:g} per 100,000 (check the counts and the population)",
                       [f"{t} {y}" + ("" if sx == "total" else f" ({sx})")
                        + f": {v:.0f} / {p:.0f} = {r:.1f} per 100,000" for t, y, sx, v, p, r in
                        zip(h["territory_id"], h["year"], h["sex"], h["value"], h["population"], rate[high])])
