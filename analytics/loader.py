"""Loading a prepared dataset: validate it, then build the typed in-memory `Dataset`.

`load_dataset(path)` either returns a `Dataset` or raises `DatasetError` listing every problem;
`validate_dataset(path)` returns the problems (an empty list when the dataset is valid).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.dataset import DEFAULT_LEVEL_LABELS, Dataset, DatasetMeta, LevelName, Source, lower_first
from analytics.validation import (
    ALL_TABLES,
    COST_REFERENCES,
    COSTS,
    EVENTS,
    INDICATORS,
    OBSERVATIONS,
    POPULATION,
    TERRITORIES,
    Problem,
    TableSpec,
    ValidatedTables,
    empty_table,
    read_and_validate,
)


class DatasetError(Exception):
    """A prepared dataset that does not pass validation; `problems` lists everything wrong with it."""

    def __init__(self, problems: list[Problem], path: Path | str | None = None) -> None:
        self.path = None if path is None else Path(path)
        self.problems = list(problems)
        where = f" in {self.path}" if self.path is not None else ""
        lines = [f"{len(self.problems)} problems{where}:"] + [str(p) for p in self.problems]
        super().__init__("\n".join(lines))


def validate_dataset(path: Path | str) -> list[Problem]:
    """Every problem of the prepared dataset at `path`, sorted by file and row; empty when valid."""
    return read_and_validate(path).problems


def load_dataset(path: Path | str) -> Dataset:
    """The validated, typed `Dataset` at `path`; raises `DatasetError` when the dataset is invalid."""
    path = Path(path)
    v = read_and_validate(path)
    if v.problems:
        raise DatasetError(v.problems, path)
    return build_dataset(path, v)


def build_dataset(path: Path, v: ValidatedTables) -> Dataset:
    """A `Dataset` from tables that passed validation."""
    t = v.tables
    assert v.datapackage is not None and v.periods is not None
    return Dataset(
        path=path,
        meta=build_meta(v.datapackage),
        territories=build_territories(t["territories"]),
        population=build_population(t["population"]),
        indicators=build_indicators(t["indicators"]),
        observations=build_observations(t["observations"], v.periods),
        costs=finish_optional(t["costs"], COSTS),
        cost_references=finish_optional(t["cost_references"], COST_REFERENCES),
        events=build_events(t["events"]),
        index_config=v.index_config,
        story=v.story,
        boundary_files=v.boundary_files,
        fingerprint=fingerprint(path),
    )


def build_meta(desc: dict[str, Any]) -> DatasetMeta:
    """The descriptor fields of datapackage.json the app shows."""
    sources = tuple(
        Source(
            id=str(s["id"]),
            title=str(s.get("title", s["id"])),
            path=str(s.get("path", "")),
            publisher=str(s.get("publisher", "")),
            year=str(s.get("year", "")),
            title_en=str(s.get("title_en") or ""),
            publisher_en=str(s.get("publisher_en") or ""),
        )
        for s in desc.get("sources") or []
    )
    licenses = tuple({str(k): str(val) for k, val in lic.items()} for lic in desc.get("licenses") or []
                     if isinstance(lic, dict))
    return DatasetMeta(
        name=desc["name"],
        title=desc["title"],
        title_en=str(desc.get("title_en") or desc["title"]),
        version=str(desc.get("version", "")),
        contract_version=desc["contract_version"],
        synthetic=desc["synthetic"],
        synthetic_note_es=str(desc.get("synthetic_note_es", "")),
        synthetic_note_en=str(desc.get("synthetic_note_en", "")),
        locale=str(desc.get("locale") or "es_419"),
        sources=sources,
        licenses=licenses,
        raw=desc,
        level_labels=build_level_labels(desc.get("level_labels")),
    )


def build_level_labels(labels: Any) -> dict[int, dict[str, LevelName]]:
    """The level names of a (validated) `level_labels` field; levels it leaves out keep the defaults
    (analytics.dataset.DEFAULT_LEVEL_LABELS: Departamento/Department, Municipio/Municipality). A
    language without an abbreviation uses the lower-case singular ('(estado)')."""
    out = {lv: dict(by_lang) for lv, by_lang in DEFAULT_LEVEL_LABELS.items()}
    for level, by_lang in (labels or {}).items():
        out[int(level)] = {
            lang: LevelName(singular=str(n["singular"]).strip(), plural=str(n["plural"]).strip(),
                            gender=str(n.get("gender") or "m"),
                            abbr=str(n.get("abbr") or "").strip() or lower_first(str(n["singular"]).strip()))
            for lang, n in by_lang.items()
        }
    return out


def with_optional_columns(df: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """`df` with every optional column of `spec` present (missing ones all-NaN), in contract order first."""
    extra = {c: missing_column(spec, c, df.index) for c in spec.optional if c not in df.columns}
    df = df.assign(**extra) if extra else df
    if spec.numbers:
        df = df.astype({c: "float64" for c in spec.numbers})
    ordered = list(spec.columns) + [c for c in df.columns if c not in spec.columns]
    return df[ordered]


def missing_column(spec: TableSpec, column: str, index: pd.Index) -> pd.Series:
    """An all-missing column of the dtype `column` has in `spec` (built cheaply: tables can be huge)."""
    n = len(index)
    if column in spec.categorical:
        empty = pd.Index([], dtype="str")
        return pd.Series(pd.Categorical.from_codes(np.full(n, -1, dtype="int8"), categories=empty), index=index)
    if column in spec.numbers or column in spec.integers:
        return pd.Series(np.full(n, np.nan), index=index)
    if column in spec.booleans:
        return pd.Series(pd.array([pd.NA] * n, dtype="boolean"), index=index)
    return pd.Series(np.full(n, np.nan, dtype=object), index=index).astype("str")


def typed_ints_bools(df: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Whole-number columns as int64 (nullable Int64 when some are missing) and booleans as bool."""
    conv: dict[str, str] = {}
    for c in spec.integers:
        if c in df.columns:
            conv[c] = "Int64" if df[c].isna().any() else "int64"
    for c in spec.booleans:
        if c in df.columns:
            conv[c] = "boolean" if df[c].isna().any() else "bool"
    return df.astype(conv) if conv else df


def build_territories(df: pd.DataFrame) -> pd.DataFrame:
    """Territories indexed by territory_id, level as int."""
    df = with_optional_columns(df, TERRITORIES)
    df = df.assign(level=pd.to_numeric(df["level"]).astype("int64"))
    return df.set_index("territory_id", drop=True)


def build_population(df: pd.DataFrame) -> pd.DataFrame:
    """Population with age_group defaulting to 'all' and year as int."""
    if "age_group" not in df.columns:
        df = df.assign(age_group=pd.Series("all", index=df.index, dtype="str"))
    df = typed_ints_bools(with_optional_columns(df, POPULATION), POPULATION)
    first = ["territory_id", "year", "sex", "age_group", "population"]
    return df[first + [c for c in df.columns if c not in first]]


def build_indicators(df: pd.DataFrame) -> pd.DataFrame:
    """Indicators indexed by indicator_id; booleans as bool, rate_per as nullable Int64."""
    df = with_optional_columns(df, INDICATORS)
    df = typed_ints_bools(df, INDICATORS)
    df = df.assign(rate_per=df["rate_per"].astype("Int64"))
    return df.set_index("indicator_id", drop=True)


def build_observations(df: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Observations with lower/upper always present and the derived freq, period_start and year columns.

    The four key columns stay categoricals: on millions of rows they load, compare and group faster.
    """
    df = with_optional_columns(df, OBSERVATIONS)
    codes = df["period"].cat.codes.to_numpy()
    by_cat = periods.reindex(df["period"].cat.categories)
    freq = pd.Categorical.from_codes(
        pd.Categorical(by_cat["freq"], categories=["Y", "Q", "M"]).codes[codes], categories=["Y", "Q", "M"]
    )
    return df.assign(
        freq=freq,
        period_start=by_cat["period_start"].to_numpy()[codes],
        year=by_cat["year"].to_numpy().astype("int64")[codes],
    )


def build_events(df: pd.DataFrame | None) -> pd.DataFrame:
    """Events with `date` as datetime64 (empty with the contract's columns when there is no file)."""
    out = finish_optional(df, EVENTS)
    return out.assign(date=pd.to_datetime(out["date"], format="%Y-%m-%d"))


def finish_optional(df: pd.DataFrame | None, spec: TableSpec) -> pd.DataFrame:
    """A typed optional table, or an empty frame with the contract's columns when its file is absent."""
    if df is None:
        return empty_table(spec)
    return typed_ints_bools(with_optional_columns(df, spec), spec)


def dataset_files(path: Path) -> list[Path]:
    """The files that make up a prepared dataset, in a stable order."""
    names = [f"{s.name}.{ext}" for s in ALL_TABLES for ext in ("csv", "parquet")]
    names += ["datapackage.json", "index.json", "story.json", "boundaries/admin1.json", "boundaries/admin2.json"]
    return [path / n for n in sorted(names) if (path / n).is_file()]


def fingerprint(path: Path) -> str:
    """Short sha256 hex over the names and bytes of the dataset's files: changes when any data change."""
    h = hashlib.sha256()
    for f in dataset_files(path):
        h.update(f.relative_to(path).as_posix().encode())
        h.update(b"\0")
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]
