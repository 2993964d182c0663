"""The in-memory prepared dataset: validated tables plus the lookups pages need.

A `Dataset` is built once per process by `analytics.loader.load_dataset(path)` and then only read.
Tables are pandas DataFrames with the dtypes fixed by docs/data-contract.md:

- ids (`territory_id`, `parent_id`, `indicator_id`, `country_iso3`, `period`, `sex`, ...) are `str`;
  in `observations` the repeated text columns (`indicator_id`, `territory_id`, `period`, `sex`, `source`)
  are pandas categoricals of str (5x less memory and ~5x faster filters on millions of rows): compare
  them with `==`/`isin` as usual, pass `observed=True` if grouping (the pandas 3 default) and use
  `.astype(str)` before filling or setting values that are not already categories;
- `value`, `lower`, `upper`, `population`, `value_usd`, `pct_gdp` are float64 with NaN for missing
  (missing is never turned into 0);
- `observations` always has `lower` and `upper` (all NaN when the file has no such column) and carries
  derived columns added by the loader: `freq` ("Y", "Q" or "M", categorical), `period_start`
  (datetime64 of the first day of the period) and `year` (int);
- `population` always has `age_group` ("all" when the file has no such column).

Callers must treat the tables as read-only (pandas copy-on-write protects derived frames; do not
assign into these frames in place).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SEXES = ("total", "female", "male")
LEVELS = (0, 1, 2)
FREQS = ("Y", "Q", "M")

# rate_base -> (sex, age_group) of the population used as denominator
RATE_BASES: dict[str, tuple[str, str]] = {
    "total": ("total", "all"),
    "female": ("female", "all"),
    "male": ("male", "all"),
    "female_10_19": ("female", "10-19"),
}


@dataclass(frozen=True)
class Source:
    """One cited source from datapackage.json `sources`. `title_en`/`publisher_en` are optional English
    versions; without them the one title (publisher) is shown in both languages."""

    id: str
    title: str
    path: str = ""
    publisher: str = ""
    year: str = ""
    title_en: str = ""
    publisher_en: str = ""

    def title_for(self, lang: str) -> str:
        """The title in `lang` ('en' uses `title_en` when given), else the one title."""
        return self.title_en if lang == "en" and self.title_en else self.title

    def publisher_for(self, lang: str) -> str:
        return self.publisher_en if lang == "en" and self.publisher_en else self.publisher


@dataclass(frozen=True)
class LevelName:
    """What a dataset calls one of its sub-national levels in one language: 'Municipio'/'Municipios'.
    `gender` ('m' or 'f') is used in Spanish sentences ('un municipio', 'una provincia'); `abbr` is the
    short form shown after a name to tell a level-1 territory from a namesake ('Escuintla (depto.)')."""

    singular: str
    plural: str
    gender: str = "m"
    abbr: str = ""


def lower_first(text: str) -> str:
    """'Municipio (distrito)' -> 'municipio (distrito)', for a level name inside a sentence; an
    acronym ('CA') is left as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


# Today's Guatemalan names: the default when datapackage.json has no `level_labels`.
DEFAULT_LEVEL_LABELS: dict[int, dict[str, LevelName]] = {
    1: {"es": LevelName("Departamento", "Departamentos", "m", "depto."),
        "en": LevelName("Department", "Departments", "m", "dept.")},
    2: {"es": LevelName("Municipio", "Municipios", "m", "mun."),
        "en": LevelName("Municipality", "Municipalities", "m", "mun.")},
}


@dataclass(frozen=True)
class DatasetMeta:
    """Descriptor fields of datapackage.json that the app shows."""

    name: str
    title: str
    title_en: str
    version: str
    contract_version: str
    synthetic: bool
    synthetic_note_es: str
    synthetic_note_en: str
    locale: str
    sources: tuple[Source, ...]
    licenses: tuple[dict[str, str], ...]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    level_labels: dict[int, dict[str, LevelName]] = field(compare=False,
                                                          default_factory=lambda: dict(DEFAULT_LEVEL_LABELS))

    def title_for(self, lang: str) -> str:
        """The dataset title in `lang` (English when `title_en` is given)."""
        return self.title_en if lang == "en" and self.title_en else self.title

    def level_name(self, level: int, lang: str, plural: bool = False) -> str:
        """What the dataset calls a level: 'Municipio', 'Estados', 'Department'... (capitalised as given)."""
        n = self.level_term(level, lang)
        return n.plural if plural else n.singular

    def level_term(self, level: int, lang: str) -> LevelName:
        lang = "en" if lang == "en" else "es"
        by_lang = self.level_labels.get(int(level)) or DEFAULT_LEVEL_LABELS[int(level)]
        return by_lang.get(lang) or DEFAULT_LEVEL_LABELS[int(level)][lang]

    def license_title(self, lic: dict[str, str], lang: str) -> str:
        """A licence's title in `lang` (its `title_en` when given)."""
        return (lic.get("title_en") or lic.get("title", "")) if lang == "en" else lic.get("title", "")

    def source(self, source_id: str) -> Source:
        """The Source with this id; an unknown id is returned as a Source whose title is the id itself
        (tables may cite a free-text reference instead of an id)."""
        for s in self.sources:
            if s.id == source_id:
                return s
        return Source(id=source_id, title=source_id)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A validated prepared dataset held in memory."""

    path: Path
    meta: DatasetMeta
    territories: pd.DataFrame  # index: territory_id
    population: pd.DataFrame  # columns: territory_id, year, sex, age_group, population
    indicators: pd.DataFrame  # index: indicator_id
    observations: pd.DataFrame  # see module docstring
    costs: pd.DataFrame  # may be empty (with the contract's columns)
    cost_references: pd.DataFrame  # may be empty
    events: pd.DataFrame  # may be empty; `date` is datetime64
    index_config: dict[str, Any] | None
    story: list[dict[str, str]]
    boundary_files: dict[int, Path]  # level -> GeoJSON path
    fingerprint: str  # content hash of the dataset files: a cache key that changes when data change

    # ---- territory hierarchy -------------------------------------------------------------
    def name(self, territory_id: str) -> str:
        """Official name of a territory."""
        return str(self.territories.at[territory_id, "name"])

    def level(self, territory_id: str) -> int:
        return int(self.territories.at[territory_id, "level"])

    def parent(self, territory_id: str) -> str | None:
        p = self.territories.at[territory_id, "parent_id"]
        return None if pd.isna(p) or p == "" else str(p)

    def children(self, territory_id: str) -> list[str]:
        """Ids of the territories whose parent is `territory_id`, in id order."""
        t = self.territories
        return sorted(t.index[t["parent_id"] == territory_id])

    def territories_at(self, level: int, within: str | None = None) -> pd.DataFrame:
        """Territories of a level, optionally only those under `within` (any level above). Memoized
        (the dataset never changes); callers must not modify the frame returned."""
        key = (int(level), within)
        cached = self._territories_at_cache.get(key)
        if cached is None:
            cached = self._territories_at_cache[key] = self._territories_at(level, within)
        return cached

    @cached_property
    def _territories_at_cache(self) -> dict[tuple[int, str | None], pd.DataFrame]:
        return {}

    def _territories_at(self, level: int, within: str | None) -> pd.DataFrame:
        t = self.territories[self.territories["level"] == level]
        if within is not None and within in self.territories.index:
            wl = self.level(within)
            anc = t.index.to_series()
            for _ in range(level - wl):
                anc = anc.map(self.territories["parent_id"])
            t = t[anc.values == within]
        return t

    def ancestor(self, territory_id: str, level: int) -> str | None:
        """The ancestor of a territory at `level` (itself if it is at that level)."""
        tid: str | None = territory_id
        while tid is not None and self.level(tid) > level:
            tid = self.parent(tid)
        return tid if tid is not None and self.level(tid) == level else None

    @cached_property
    def main_country(self) -> str:
        """The level-0 territory that has sub-national levels (the country the maps show)."""
        t = self.territories
        parents = set(t.loc[t["level"] == 1, "parent_id"])
        countries = [c for c in t.index[t["level"] == 0] if c in parents]
        return countries[0] if countries else str(t.index[t["level"] == 0][0])

    # ---- populations and indicators ------------------------------------------------------
    def population_of(self, territory_id: str, year: int, rate_base: str = "total") -> float:
        """Population (persons) of the rate_base group for a territory and year; NaN if unknown."""
        sex, age = RATE_BASES[rate_base]
        p = self.population
        m = (p["territory_id"] == territory_id) & (p["year"] == year) & (p["sex"] == sex) & (p["age_group"] == age)
        s = p.loc[m, "population"]
        return float(s.iloc[0]) if len(s) else float("nan")

    def indicator(self, indicator_id: str) -> pd.Series:
        """Metadata row of an indicator (label_es, label_en, unit, rate_base, rate_per, ...)."""
        return self.indicators.loc[indicator_id]

    def label(self, indicator_id: str, lang: str) -> str:
        return str(self.indicators.at[indicator_id, "label_en" if lang == "en" else "label_es"])

    @cached_property
    def derived(self) -> dict[Any, Any]:
        """A place where analytics keep tables derived from this (immutable) dataset, keyed by what
        they are, so they are computed once per process (e.g. population matrices)."""
        return {}

    @cached_property
    def _observation_rows(self) -> dict[tuple[str, str], np.ndarray]:
        """Row positions in `observations` per (indicator_id, sex), ordered by period_start. Built once
        (about a second for six million rows) so that selecting one series and time window is a
        binary search and a take instead of a scan of every row."""
        obs = self.observations
        starts = obs["period_start"].to_numpy()
        out: dict[tuple[str, str], np.ndarray] = {}
        for key, pos in obs.groupby(["indicator_id", "sex"], observed=True, sort=False).indices.items():
            pos = np.asarray(pos)
            out[(str(key[0]), str(key[1]))] = pos[np.argsort(starts[pos], kind="stable")]
        return out

    def series_observations(self, indicator_id: str, sex: str = "total", start: Any = None,
                            end: Any = None, columns: list[str] | None = None) -> pd.DataFrame:
        """The observations of one indicator and sex, all territories, ordered by period_start;
        with `start`/`end` (inclusive dates) only the periods starting in that window, with `columns`
        only those columns."""
        obs = self.observations if columns is None else self.observations[columns]
        pos = self._observation_rows.get((str(indicator_id), str(sex)))
        if pos is None:
            return obs.iloc[0:0]
        if start is not None or end is not None:
            starts = self.observations["period_start"].to_numpy()[pos]
            lo = 0 if start is None else int(np.searchsorted(starts, np.datetime64(pd.Timestamp(start)), "left"))
            hi = len(pos) if end is None else int(np.searchsorted(starts, np.datetime64(pd.Timestamp(end)), "right"))
            pos = pos[lo:hi]
        return obs.take(pos)

    def series_span(self, indicator_id: str, sex: str = "total") -> tuple[str, pd.Timestamp, pd.Timestamp, int] | None:
        """(frequency, first period_start, last period_start, finest territory level) of one
        indicator and sex; None when it has no observations."""
        key = (str(indicator_id), str(sex))
        if key not in self._series_spans:
            pos = self._observation_rows.get(key)
            if pos is None:
                self._series_spans[key] = None
            else:
                obs = self.observations
                starts = obs["period_start"]
                tid = obs["territory_id"]
                if isinstance(tid.dtype, pd.CategoricalDtype):  # the loader's ids: distinct codes, then names
                    codes = np.unique(tid.cat.codes.to_numpy()[pos])
                    ids = tid.cat.categories.astype(str)[codes[codes >= 0]]
                else:
                    ids = tid.take(pos).astype(str).unique()
                finest = int(self.territories["level"].reindex(ids).max())
                self._series_spans[key] = (str(obs["freq"].iloc[pos[0]]), pd.Timestamp(starts.iloc[pos[0]]),
                                           pd.Timestamp(starts.iloc[pos[-1]]), finest)
        return self._series_spans[key]

    @cached_property
    def _series_spans(self) -> dict[tuple[str, str], tuple[str, pd.Timestamp, pd.Timestamp, int] | None]:
        return {}

    def indicator_freq(self, indicator_id: str) -> str:
        """"Y", "Q" or "M": the frequency of an indicator's periods."""
        obs = self.observations
        f = obs.loc[obs["indicator_id"] == indicator_id, "freq"]
        return str(f.iloc[0]) if len(f) else "Y"
