"""Costs of violence: breakdowns, shares, per-capita, % of GDP, per-day and reference comparisons.

Units used throughout (docs/data-contract.md, `costs` table):
- `value_usd`: million US dollars, current prices of the reference year;
- `pct_gdp`: percent of GDP (9.74 means 9.74 %);
- per capita: US dollars per inhabitant (value_usd × 1,000,000 / population of the country that year);
- per day: million US dollars per calendar day of the reference year (365 or 366 days).

Honesty rules enforced here:
- figures of different studies are never added or stacked together: `ensure_one_basis` raises
  `CostMixError` when a set of rows holds more than one study (or, when the table carries them, more than one
  currency or price base);
- missing stays missing: a sum with a missing part is missing, a per-capita value without population is
  missing; nothing is filled with 0;
- a category split is checked against the published total (`check_split`), which is how an illustrative split
  that does not add up is detected.

In the `costs` table the study total is the row (category="total", subcategory="total"); a category's own
figure is (category, "total"); its parts are (category, subcategory).
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analytics.dataset import Dataset
from analytics.rates import population_table

TOTAL = "total"
UNITS = ("usd", "pct_gdp", "per_capita")
# Columns that define what may be added: one study, and one currency / price base when the table has them.
BASIS_COLUMNS = ("study", "currency", "price_base")
REL_TOL = 0.005  # a split "adds up" within 0.5 % of the total ...
ABS_TOL_PER_PART = 0.01  # ... or 0.01 per part (rounding of published figures), whichever is larger


class CostMixError(ValueError):
    """Refusal to add or stack cost figures that come from different studies, currencies or price bases."""


# ---- refusal and missing-aware sums -------------------------------------------------------------------


def ensure_one_basis(rows: pd.DataFrame) -> None:
    """Raise CostMixError unless every row has the same study (and the same currency and price base, for the
    columns of BASIS_COLUMNS the table has). A blank currency/price base counts as a distinct value."""
    for col in BASIS_COLUMNS:
        if col not in rows.columns or rows.empty:
            continue
        distinct = sorted({"<blank>" if _nan_or_blank(v) else str(v) for v in rows[col].tolist()})
        if len(distinct) > 1:
            raise CostMixError(
                f"cannot add cost figures with different {col} values: {', '.join(distinct)}. "
                "Figures of different studies (methods, years, scope) or bases are not comparable; "
                "show them side by side instead."
            )


def sum_missing_aware(values: pd.Series) -> float:
    """Sum of `values`; NaN when there is no value or any value is missing (missing is not zero)."""
    v = pd.to_numeric(values, errors="coerce")
    if len(v) == 0 or bool(v.isna().any()):
        return float("nan")
    return float(v.sum())


def add_costs(rows: pd.DataFrame, column: str = "value_usd") -> float:
    """Sum of `column` over cost rows of ONE study (refuses mixed studies/currencies/price bases);
    NaN if any row lacks the value."""
    ensure_one_basis(rows)
    return sum_missing_aware(rows[column])


# ---- conversions ---------------------------------------------------------------------------------------


def days_in_year(year: int) -> int:
    """365, or 366 in a leap year."""
    return 366 if calendar.isleap(int(year)) else 365


def per_day(value_musd: float, year: int) -> float:
    """Million USD per day: the yearly cost divided by the days of its reference year (NaN stays NaN)."""
    return float(value_musd) / days_in_year(year)


def per_capita(value_musd: float, population: float) -> float:
    """US dollars per inhabitant: value_musd × 1,000,000 / population; NaN when the population is missing
    or not positive."""
    if population is None or _nan(population) or population <= 0 or _nan(value_musd):
        return float("nan")
    return float(value_musd) * 1_000_000.0 / float(population)


def implied_gdp(value_musd: float, pct_gdp: float) -> float:
    """GDP in million USD implied by a figure published both in USD and in % of GDP: value / (pct / 100).
    NaN when either is missing or the percentage is not positive."""
    if _nan(value_musd) or _nan(pct_gdp) or pct_gdp <= 0:
        return float("nan")
    return float(value_musd) / (float(pct_gdp) / 100.0)


def pct_of_gdp(value_musd: float, gdp_musd: float) -> float:
    """Percent of GDP: value / gdp × 100 (NaN when either is missing)."""
    if _nan(value_musd) or _nan(gdp_musd) or gdp_musd <= 0:
        return float("nan")
    return float(value_musd) / float(gdp_musd) * 100.0


def usd_from_pct(pct_gdp: float, gdp_musd: float) -> float:
    """Million USD from percent of GDP: pct / 100 × gdp (NaN when either is missing)."""
    if _nan(pct_gdp) or _nan(gdp_musd):
        return float("nan")
    return float(pct_gdp) / 100.0 * float(gdp_musd)


def times(value: float, reference: float) -> float:
    """How many times `reference` fits in `value` (value / reference); NaN when either is missing or the
    reference is not positive."""
    if _nan(value) or _nan(reference) or reference <= 0:
        return float("nan")
    return float(value) / float(reference)


def shares(values: pd.Series, total: float) -> pd.Series:
    """Each value as a percent of `total` (NaN where the value or the total is missing)."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    if _nan(total) or total == 0:
        return pd.Series(np.nan, index=v.index)
    return v / float(total) * 100.0


# ---- selections ----------------------------------------------------------------------------------------


def studies(costs: pd.DataFrame) -> list[str]:
    """Study ids, most recent reference year first (then by id)."""
    if costs.empty:
        return []
    last = costs.groupby("study")["year"].max()
    return sorted(last.index, key=lambda s: (-int(last[s]), str(s)))


def study_rows(costs: pd.DataFrame, study: str) -> pd.DataFrame:
    return costs.loc[costs["study"] == study]


def countries(costs: pd.DataFrame, study: str) -> list[str]:
    """country_iso3 codes that have figures in a study, in code order."""
    return sorted(set(study_rows(costs, study)["country_iso3"].astype(str)))


def years(costs: pd.DataFrame, study: str, country: str | None = None) -> list[int]:
    """Reference years of a study (of one country when given), latest first."""
    rows = study_rows(costs, study)
    if country is not None:
        rows = rows.loc[rows["country_iso3"] == country]
    return sorted({int(y) for y in rows["year"]}, reverse=True)


def account(costs: pd.DataFrame, study: str, country: str, year: int) -> pd.DataFrame:
    """The rows of one study for one country and year."""
    m = (costs["study"] == study) & (costs["country_iso3"] == country) & (costs["year"] == int(year))
    return costs.loc[m]


@dataclass(frozen=True)
class Selection:
    """A valid (study, country, year) for the costs table, resolved from possibly stale requests."""

    study: str | None
    country: str | None
    year: int | None


def resolve_selection(costs: pd.DataFrame, study: str | None, country: str | None, year: object,
                      preferred_country: str | None = None) -> Selection:
    """Keep the requested study/country/year when they exist together; otherwise fall back to the first
    study, the preferred (or first) country of the study, and that country's latest year."""
    all_studies = studies(costs)
    if not all_studies:
        return Selection(None, None, None)
    s = study if study in all_studies else all_studies[0]
    cs = countries(costs, s)
    if country in cs:
        c = country
    elif preferred_country in cs:
        c = preferred_country
    else:
        c = cs[0]
    ys = years(costs, s, c)
    try:
        y = int(year)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        y = None
    return Selection(s, c, y if y in ys else ys[0])


# ---- split checks and breakdowns -----------------------------------------------------------------------


@dataclass(frozen=True)
class SplitCheck:
    """Does a split (the parts of a total) add up to the published total?"""

    parent: str  # "total" (categories of the study total) or a category id (its subcategories)
    column: str  # "value_usd" or "pct_gdp"
    total: float  # the published figure of the parent (NaN if absent)
    parts_sum: float  # sum of the parts (NaN if a part is missing or there are no parts)
    n_parts: int
    illustrative: bool  # any part is flagged illustrative

    @property
    def difference(self) -> float:
        return self.parts_sum - self.total

    @property
    def tolerance(self) -> float:
        return max(REL_TOL * abs(self.total), ABS_TOL_PER_PART * self.n_parts) if not _nan(self.total) else float("nan")

    @property
    def consistent(self) -> bool | None:
        """True when the parts add up to the total within the tolerance, False when they do not, None when it
        cannot be checked (no parts, a missing part or no published total)."""
        if self.n_parts == 0 or _nan(self.total) or _nan(self.parts_sum):
            return None
        return abs(self.difference) <= self.tolerance


def check_split(rows: pd.DataFrame, parent: str = TOTAL, column: str = "value_usd") -> SplitCheck:
    """Compare the parts of `parent` with its published figure in the rows of ONE account (one study,
    country and year). parent="total": categories vs the study total; parent=<category>: its subcategories
    vs the category figure. Refuses rows of several studies."""
    ensure_one_basis(rows)
    if parent == TOTAL:
        parent_rows = rows[(rows["category"] == TOTAL) & (rows["subcategory"] == TOTAL)]
        parts = rows[(rows["category"] != TOTAL) & (rows["subcategory"] == TOTAL)]
    else:
        parent_rows = rows[(rows["category"] == parent) & (rows["subcategory"] == TOTAL)]
        parts = rows[(rows["category"] == parent) & (rows["subcategory"] != TOTAL)]
    total = float(parent_rows[column].iloc[0]) if len(parent_rows) else float("nan")
    return SplitCheck(
        parent=parent,
        column=column,
        total=total,
        parts_sum=sum_missing_aware(parts[column]) if len(parts) else float("nan"),
        n_parts=int(len(parts)),
        illustrative=bool(parts["illustrative"].astype(bool).any()) if len(parts) else False,
    )


def split_checks(rows: pd.DataFrame) -> list[SplitCheck]:
    """Every split of one account (categories of the total, subcategories of each category), in USD and in
    % of GDP, that has parts."""
    out = []
    cats = [c for c in dict.fromkeys(rows["category"]) if c != TOTAL]
    for parent in [TOTAL, *cats]:
        for column in ("value_usd", "pct_gdp"):
            chk = check_split(rows, parent, column)
            if chk.n_parts and not (bool(pd.isna(chk.total)) and bool(pd.isna(chk.parts_sum))):
                out.append(chk)
    return out


def is_country(ds: Dataset, country_iso3: str) -> bool:
    """True when the code is a country (a level-0 territory) of the dataset, False for regional codes (LAC)."""
    t = ds.territories
    return bool(((t["level"] == 0) & (t["country_iso3"] == country_iso3)).any())


def country_population(ds: Dataset, country_iso3: str, year: int) -> float:
    """Total population of a country (its level-0 territory) in `year`, from the dataset's population table;
    NaN when the dataset has no such figure (no interpolation, no other year)."""
    return _country_populations(ds).get((country_iso3, int(year)), float("nan"))


@lru_cache(maxsize=8)
def _country_populations(ds: Dataset) -> dict[tuple[str, int], float]:
    """{(country_iso3, year): total population} of the level-0 territories (computed once per dataset)."""
    t = ds.territories
    level0 = t.loc[t["level"] == 0, "country_iso3"]
    pop = population_table(ds, "total")
    pop = pop.loc[pop["territory_id"].isin(level0.index) & pop["population"].notna()]
    iso = pop["territory_id"].map(level0)
    return {(str(c), int(y)): float(v) for c, y, v in zip(iso, pop["year"], pop["population"])}


def breakdown(rows: pd.DataFrame, population: float = float("nan"), convert: bool = True) -> pd.DataFrame:
    """The account of one study, country and year as a hierarchy, in every unit.

    Returns one row per node: node_id ("total", "health", "health/medical_care"), parent_id ("" for the
    total), level (0 total, 1 category, 2 subcategory), category, subcategory, label_es, label_en,
    value_usd (million USD), pct_gdp (%), usd_per_capita (USD), share_of_total (% of the total's USD figure,
    or of its % of GDP when USD is absent), illustrative, usd_derived / pct_derived (True when the figure was
    converted with the GDP implied by the study's own total of that country and year), source.

    Conversions (when `convert`): a row with only one of value_usd / pct_gdp gets the other from the implied
    GDP (total value_usd / total pct_gdp) of the same account, flagged as derived. Nothing else is filled.
    Pass convert=False for regional aggregates, whose % of GDP is an average of countries' percentages
    (the implied "GDP" would not be a GDP). Refuses rows of several studies.
    """
    ensure_one_basis(rows)
    if rows.empty:
        return _empty_breakdown()
    # The accounts are small (tens of rows): plain Python over records is far cheaper than pandas operations.
    recs = rows.to_dict("records")
    for r in recs:
        r["value_usd"] = _num(r["value_usd"])
        r["pct_gdp"] = _num(r["pct_gdp"])
        r["level"] = 0 if r["category"] == TOTAL and r["subcategory"] == TOTAL else 1 if r["subcategory"] == TOTAL else 2
    tot = next((r for r in recs if r["level"] == 0), None)
    gdp = implied_gdp(tot["value_usd"], tot["pct_gdp"]) if tot is not None and convert else float("nan")
    have_gdp = not _nan(gdp)
    for r in recs:
        r["usd_derived"] = have_gdp and _nan(r["value_usd"]) and not _nan(r["pct_gdp"])
        r["pct_derived"] = have_gdp and _nan(r["pct_gdp"]) and not _nan(r["value_usd"])
        if r["usd_derived"]:
            r["value_usd"] = usd_from_pct(r["pct_gdp"], gdp)
        if r["pct_derived"]:
            r["pct_gdp"] = pct_of_gdp(r["value_usd"], gdp)
        r["node_id"] = TOTAL if r["level"] == 0 else r["category"] if r["level"] == 1 else f"{r['category']}/{r['subcategory']}"
        r["parent_id"] = "" if r["level"] == 0 else TOTAL if r["level"] == 1 else r["category"]
        r["usd_per_capita"] = per_capita(r["value_usd"], population)
        r["illustrative"] = bool(r["illustrative"])
    total_usd = tot["value_usd"] if tot is not None else float("nan")
    total_pct = tot["pct_gdp"] if tot is not None else float("nan")
    for r in recs:
        # share of the total in USD; where a part has no USD figure, the same share from % of GDP
        share = _share(r["value_usd"], total_usd)
        r["share_of_total"] = share if not _nan(share) else _share(r["pct_gdp"], total_pct)
    recs.sort(key=lambda r: (r["level"], str(r["category"]), str(r["subcategory"])))
    out = pd.DataFrame.from_records(recs, columns=_BREAKDOWN_COLUMNS)
    for col in ("value_usd", "pct_gdp", "usd_per_capita", "share_of_total"):
        out[col] = out[col].astype(float)
    return out


def _nan_or_blank(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or (isinstance(x, str) and not x.strip())


def _num(x: object) -> float:
    return float("nan") if _nan(x) else float(x)  # type: ignore[arg-type]


def _share(value: float, total: float) -> float:
    return float("nan") if _nan(value) or _nan(total) or total == 0 else value / total * 100.0


_BREAKDOWN_COLUMNS = ["node_id", "parent_id", "level", "study", "country_iso3", "year", "category", "subcategory",
                      "label_es", "label_en", "value_usd", "pct_gdp", "usd_per_capita", "share_of_total",
                      "illustrative", "usd_derived", "pct_derived", "source"]


def _empty_breakdown() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in _BREAKDOWN_COLUMNS})


def unit_column(unit: str) -> str:
    """The breakdown column holding a unit: usd -> value_usd, pct_gdp -> pct_gdp, per_capita -> usd_per_capita."""
    try:
        return {"usd": "value_usd", "pct_gdp": "pct_gdp", "per_capita": "usd_per_capita"}[unit]
    except KeyError:
        raise ValueError(f"unknown unit {unit!r}: use one of {', '.join(UNITS)}") from None


# ---- key figures and references ------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFigures:
    """The headline numbers of one account."""

    study: str
    country_iso3: str
    year: int
    total_usd: float  # million USD
    pct_gdp: float  # %
    population: float  # persons (NaN if the dataset has none for that country and year)
    per_capita_usd: float  # USD per inhabitant
    per_day_usd: float  # million USD per day
    illustrative: bool  # the total itself is illustrative
    pct_derived: bool  # % of GDP converted, not published
    source: str
    split: SplitCheck | None  # categories vs total (USD), None when the account has no categories


def key_figures(ds: Dataset, study: str, country: str, year: int) -> KeyFigures:
    """Total cost, % of GDP, USD per inhabitant and USD per day of one study, country and year. The total is
    the published total row; when the account has no total row, the sum of its categories (NaN if one is
    missing)."""
    rows = account(ds.costs, study, country, year)
    pop = country_population(ds, country, year)
    b = breakdown(rows, pop, convert=is_country(ds, country))
    tot = b.loc[b["level"] == 0]
    if len(tot):
        usd, pct = float(tot["value_usd"].iloc[0]), float(tot["pct_gdp"].iloc[0])
        illustrative, pct_derived = bool(tot["illustrative"].iloc[0]), bool(tot["pct_derived"].iloc[0])
        source = str(tot["source"].iloc[0])
    else:
        cats = b.loc[b["level"] == 1]
        usd, pct = sum_missing_aware(cats["value_usd"]), sum_missing_aware(cats["pct_gdp"])
        illustrative = bool(cats["illustrative"].any()) if len(cats) else False
        pct_derived = bool(cats["pct_derived"].any()) if len(cats) else False
        source = str(cats["source"].iloc[0]) if len(cats) else ""
    split = check_split(rows, TOTAL, "value_usd") if len(rows) else None
    return KeyFigures(
        study=study, country_iso3=country, year=int(year), total_usd=usd, pct_gdp=pct, population=pop,
        per_capita_usd=per_capita(usd, pop), per_day_usd=per_day(usd, int(year)) if not _nan(usd) else float("nan"),
        illustrative=illustrative, pct_derived=pct_derived, source=source,
        split=split if split is not None and split.n_parts else None,
    )


@dataclass(frozen=True)
class ReferenceComparison:
    """A cost as a multiple of a reference figure of the same country and year."""

    reference: str
    label_es: str
    label_en: str
    reference_usd: float  # million USD
    cost_usd: float  # million USD
    ratio: float  # cost / reference
    derived: bool  # the reference was derived from a published ratio
    source: str


def reference_comparisons(references: pd.DataFrame, country: str, year: int, cost_usd: float) -> list[ReferenceComparison]:
    """`cost_usd` (million USD) compared with every reference figure of the same country and year (a reference of
    another year is not used: budgets change from year to year)."""
    if references.empty:
        return []
    m = (references["country_iso3"] == country) & (references["year"] == int(year))
    out = []
    for _, r in references.loc[m].iterrows():
        ref = float(r["value_usd"]) if not pd.isna(r["value_usd"]) else float("nan")
        out.append(ReferenceComparison(
            reference=str(r["reference"]), label_es=str(r["label_es"]), label_en=str(r["label_en"]),
            reference_usd=ref, cost_usd=cost_usd, ratio=times(cost_usd, ref), derived=bool(r["derived"]),
            source=str(r["source"]),
        ))
    return out


# ---- comparison across countries -----------------------------------------------------------------------


def country_comparison(ds: Dataset, study: str, year: int) -> pd.DataFrame:
    """The accounts of one study and year for every country it covers, as stacked-bar segments.

    One row per (country, segment): the categories of the country when the study gives them, otherwise one
    segment "total". Columns: country_iso3, is_territory (the code is a country of the dataset; regional
    aggregates such as "LAC" are not), category, label_es, label_en, value_usd, pct_gdp, usd_per_capita,
    population, illustrative, usd_derived, pct_derived, country_total_usd, country_total_pct, source.
    Only one study at a time, by construction.
    """
    rows_all = study_rows(ds.costs, study)
    rows_all = rows_all.loc[rows_all["year"] == int(year)]
    level0 = set(ds.territories.loc[ds.territories["level"] == 0, "country_iso3"].astype(str))
    frames = []
    for c in sorted(set(rows_all["country_iso3"].astype(str))):
        pop = country_population(ds, c, year)
        b = breakdown(rows_all.loc[rows_all["country_iso3"] == c], pop, convert=c in level0)
        cats = b.loc[b["level"] == 1]
        tot = b.loc[b["level"] == 0]
        seg = cats if len(cats) else tot
        seg = seg.assign(
            population=pop,
            is_territory=c in level0,
            country_total_usd=float(tot["value_usd"].iloc[0]) if len(tot) else sum_missing_aware(cats["value_usd"]),
            country_total_pct=float(tot["pct_gdp"].iloc[0]) if len(tot) else sum_missing_aware(cats["pct_gdp"]),
        )
        frames.append(seg)
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    out["country_total_per_capita"] = [per_capita(v, p) for v, p in zip(out["country_total_usd"], out["population"])]
    return out[["country_iso3", "is_territory", "category", "label_es", "label_en", "value_usd", "pct_gdp",
                "usd_per_capita", "population", "illustrative", "usd_derived", "pct_derived", "country_total_usd",
                "country_total_pct", "country_total_per_capita", "source", "study", "year"]]


def countries_total(comparison: pd.DataFrame) -> tuple[float, int]:
    """(sum of the countries' totals in million USD, number of countries) of a `country_comparison` table —
    countries only, regional aggregates excluded; NaN when one country's total is missing. Refuses a table that
    mixes studies (it would add figures of different studies)."""
    if comparison.empty:
        return float("nan"), 0
    ensure_one_basis(comparison)
    per_country = comparison.loc[comparison["is_territory"]].drop_duplicates("country_iso3")
    if "year" in per_country.columns and per_country["year"].nunique() > 1:
        raise CostMixError("cannot add totals of different reference years")
    return sum_missing_aware(per_country["country_total_usd"]), int(len(per_country))


def _nan(x: object) -> bool:
    try:
        return x is None or math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True
