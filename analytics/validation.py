"""Validation of a prepared dataset against docs/data-contract.md.

`read_and_validate(path)` reads every table of a prepared dataset, parses it into typed columns and checks
every rule of the contract's "Validation rules". It returns the parsed tables together with the list of
`Problem`s found (empty when the dataset is valid). Single-table rules (required columns, allowed values,
identifier and period formats, non-negative numbers, unique keys) are pandera schemas validated with
`lazy=True`; cross-table rules (referential integrity, hierarchy, boundaries, counts, intervals,
frequencies, index.json, datapackage.json) are plain vectorized pandas.

Row numbers are 1-based data rows: pandas index 0 is "row 1", the header is row 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.parquet as pq
import shapely

ID_PATTERN = r"^[A-Za-z0-9_.-]+$"
ID_MESSAGE = "not a valid identifier (letters, digits, _ . - only)"
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"
ISO3_PATTERN = r"^[A-Z]{3}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
AGE_GROUP_PATTERN = r"^(all|\d+-\d+|\d+\+)$"

SEXES = ("total", "female", "male")
DOMAINS = ("crime", "trust", "vawg", "risk", "context")
UNITS = ("count", "rate", "percent", "index", "usd")
RATE_BASES = ("total", "female", "male", "female_10_19", "none")
EVENT_KINDS = ("intervention", "shock", "policy", "other")

TRUE_WORDS = frozenset({"true"})
FALSE_WORDS = frozenset({"false"})

# A broken 6-million-row file could yield millions of identical problems; past this many per
# (file, column, message) the rest are summarised in one line.
MAX_PER_CHECK = 100

DATAPACKAGE = "datapackage.json"
BIG_CSV_BYTES = 20_000_000


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a prepared dataset, located as precisely as possible."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        head = ", ".join(where)
        if self.value is not None:
            return f"{head}: value '{self.value}' — {self.message}"
        return f"{head}: {self.message}"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems ordered by file, then row (file-level problems first), then column; duplicates removed."""
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.file, -1 if p.row is None else p.row, p.column or "", p.message))


# ---- table specifications ----------------------------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    """Columns of one contract table and how each is typed and checked."""

    name: str
    key: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()  # identifiers matching ID_PATTERN
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    patterns: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (regex, message)
    numbers: tuple[str, ...] = ()  # float64, NaN for missing
    integers: tuple[str, ...] = ()  # whole numbers
    booleans: tuple[str, ...] = ()
    non_negative: tuple[str, ...] = ()
    nullable: tuple[str, ...] = ()  # cells that may be empty
    categorical: tuple[str, ...] = ()  # held as pandas categoricals (big repeated string columns)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


TERRITORIES = TableSpec(
    name="territories",
    key=("territory_id",),
    required=("territory_id", "name", "level", "country_iso3"),
    optional=("parent_id",),
    ids=("territory_id", "parent_id"),
    enums={"level": ("0", "1", "2")},
    patterns={"country_iso3": (ISO3_PATTERN, "not an ISO 3166-1 alpha-3 code (3 upper-case letters)")},
    nullable=("parent_id",),
)
POPULATION = TableSpec(
    name="population",
    key=("territory_id", "year", "sex", "age_group"),
    required=("territory_id", "year", "sex", "population"),
    optional=("age_group",),
    ids=("territory_id",),
    enums={"sex": SEXES},
    patterns={"age_group": (AGE_GROUP_PATTERN, "not an age group ('all' or a range such as 10-19)")},
    numbers=("population",),
    integers=("year",),
    non_negative=("population",),
)
INDICATORS = TableSpec(
    name="indicators",
    key=("indicator_id",),
    required=(
        "indicator_id", "domain", "label_es", "label_en", "unit", "higher_is_worse",
        "rate_base", "source", "synthetic",
    ),
    optional=("rate_per", "description_es", "description_en"),
    ids=("indicator_id",),
    enums={"domain": DOMAINS, "unit": UNITS, "rate_base": RATE_BASES},
    integers=("rate_per",),
    booleans=("higher_is_worse", "synthetic"),
    nullable=("rate_per", "description_es", "description_en"),
)
OBSERVATIONS = TableSpec(
    name="observations",
    key=("indicator_id", "territory_id", "period", "sex"),
    required=("indicator_id", "territory_id", "period", "sex", "value"),
    optional=("lower", "upper", "source"),
    ids=("indicator_id", "territory_id"),
    enums={"sex": SEXES},
    patterns={"period": (PERIOD_PATTERN, "not a period (YYYY, YYYY-Qn or YYYY-MM)")},
    numbers=("value", "lower", "upper"),
    nullable=("value", "lower", "upper", "source"),
    categorical=("indicator_id", "territory_id", "period", "sex", "source"),
)
COSTS = TableSpec(
    name="costs",
    key=("country_iso3", "year", "study", "category", "subcategory"),
    required=(
        "country_iso3", "year", "study", "category", "subcategory", "label_es", "label_en",
        "illustrative", "source",
    ),
    optional=("value_usd", "pct_gdp", "note_es", "note_en"),
    # country_iso3 may be a regional code such as LAC, which is not a territory
    ids=("country_iso3", "study", "category", "subcategory"),
    numbers=("value_usd", "pct_gdp"),
    integers=("year",),
    booleans=("illustrative",),
    non_negative=("value_usd", "pct_gdp"),
    nullable=("value_usd", "pct_gdp", "note_es", "note_en"),
)
COST_REFERENCES = TableSpec(
    name="cost_references",
    key=("country_iso3", "year", "reference"),
    required=("country_iso3", "year", "reference", "label_es", "label_en", "value_usd", "derived", "source"),
    ids=("reference",),
    patterns={"country_iso3": (ISO3_PATTERN, "not an ISO 3166-1 alpha-3 code (3 upper-case letters)")},
    numbers=("value_usd",),
    integers=("year",),
    booleans=("derived",),
    non_negative=("value_usd",),
)
EVENTS = TableSpec(
    name="events",
    key=(),
    required=("date", "territory_id", "label_es", "label_en", "kind", "synthetic", "source"),
    ids=("territory_id",),
    enums={"kind": EVENT_KINDS},
    patterns={"date": (DATE_PATTERN, "not a date (YYYY-MM-DD)")},
    booleans=("synthetic",),
)

REQUIRED_TABLES = (TERRITORIES, POPULATION, INDICATORS, OBSERVATIONS)
OPTIONAL_TABLES = (COSTS, COST_REFERENCES, EVENTS)
ALL_TABLES = REQUIRED_TABLES + OPTIONAL_TABLES


def empty_table(spec: TableSpec) -> pd.DataFrame:
    """An empty frame with the contract's columns of a table, typed as a loaded one would be."""
    cols: dict[str, pd.Series] = {}
    for c in spec.columns:
        if c in spec.numbers:
            cols[c] = pd.Series([], dtype="float64")
        elif c in spec.integers:
            cols[c] = pd.Series([], dtype="int64")
        elif c in spec.booleans:
            cols[c] = pd.Series([], dtype="bool")
        else:
            cols[c] = pd.Series([], dtype="str")
    return pd.DataFrame(cols)


# ---- reading -------------------------------------------------------------------------------------


@dataclass
class RawTable:
    """A table as read from disk, before typing: the file name it came from and its frame."""

    file: str
    frame: pd.DataFrame


def table_files(root: Path, spec: TableSpec) -> list[Path]:
    """The files on disk that hold a table (CSV and/or Parquet)."""
    return [p for p in (root / f"{spec.name}.csv", root / f"{spec.name}.parquet") if p.is_file()]


def read_raw(root: Path, spec: TableSpec, required: bool) -> tuple[RawTable | None, list[Problem]]:
    """Read one table from CSV or Parquet, every CSV cell as text (ids keep leading zeros, 'NA' stays 'NA')."""
    files = table_files(root, spec)
    if len(files) == 2:
        return None, [Problem(f"{spec.name}.csv", None, None, None,
                              f"both {spec.name}.csv and {spec.name}.parquet exist; keep only one (ambiguous)")]
    if not files:
        if required:
            return None, [Problem(f"{spec.name}.csv", None, None, None,
                                  f"required file is missing ({spec.name}.csv or {spec.name}.parquet)")]
        return None, []
    path = files[0]
    try:
        if path.suffix == ".csv":
            frame = read_csv_text(path)
        else:
            frame = read_parquet(path, spec)
    except UnicodeDecodeError:
        return None, [Problem(path.name, None, None, None, "cannot be read: not UTF-8 text (save it as UTF-8)")]
    except Exception as exc:  # noqa: BLE001 - any reader error becomes a reported problem
        return None, [Problem(path.name, None, None, None, f"cannot be read: {exc}")]
    if frame.shape[1] == 1 and ";" in str(frame.columns[0]):
        return None, [Problem(path.name, None, None, None,
                              "columns are separated by ';'; the contract requires ',' (and '.' for decimals)")]
    return RawTable(path.name, frame), []


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV file with every cell as a string; empty cells are empty strings.

    Big files go through the pyarrow parser (~3x faster); small ones, and any file pyarrow refuses, through
    the C parser, whose errors name the offending line.
    """
    if path.stat().st_size > BIG_CSV_BYTES:
        try:
            return pd.read_csv(path, engine="pyarrow", dtype=str, keep_default_na=False, na_values=[],
                               encoding="utf-8")
        except Exception:  # noqa: BLE001 - retried with the C parser, whose error is the one reported
            pass
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")


def read_parquet(path: Path, spec: TableSpec) -> pd.DataFrame:
    """A Parquet file; the big repeated string columns come back dictionary-encoded as categoricals."""
    names = set(pq.read_schema(path).names)
    dict_cols = [c for c in spec.categorical if c in names]
    table = pq.read_table(path, read_dictionary=dict_cols or None)
    return table.to_pandas()


# ---- typing --------------------------------------------------------------------------------------


def is_text(s: pd.Series) -> bool:
    """True for string-like columns (str, object or categorical of strings)."""
    return isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s) or s.dtype == object


def cap(problems: list[Problem], file: str, column: str | None, message: str, count: int) -> list[Problem]:
    """`problems` truncated to MAX_PER_CHECK, with one summary line for the rest."""
    if count <= MAX_PER_CHECK:
        return problems
    return problems[:MAX_PER_CHECK] + [
        Problem(file, None, column, None, f"{message} — and {count - MAX_PER_CHECK} more rows like this")
    ]


def row_problems(file: str, column: str | None, mask: pd.Series, values: pd.Series, message: str) -> list[Problem]:
    """One Problem per True row of `mask` (capped), naming the row's value."""
    idx = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
    shown = idx[: MAX_PER_CHECK + 1]
    vals = values.iloc[shown]
    out = [
        Problem(file, int(i) + 1, column, None if pd.isna(v) else format_value(v), message)
        for i, v in zip(shown, vals, strict=True)
    ]
    return cap(out, file, column, message, len(idx))


def as_text(s: pd.Series) -> pd.Series:
    """A text column with empty cells as missing; categoricals stay categorical."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories.astype(str)
        s = s.cat.rename_categories(cats)
        if "" in cats:
            s = s.cat.remove_categories([""])
        # sorted categories, so that a CSV and a Parquet file of the same data load identically
        return s.cat.reorder_categories(sorted(s.cat.categories))
    out = s.astype("str")
    return out.mask(out == "")


def parse_number(s: pd.Series, file: str, column: str) -> tuple[pd.Series, list[Problem]]:
    """float64 from a value column: empty -> NaN, anything else that is not a finite number is a problem."""
    if pd.api.types.is_bool_dtype(s):
        return pd.Series(np.nan, index=s.index), [Problem(file, None, column, None, "holds booleans, not numbers")]
    if pd.api.types.is_numeric_dtype(s):
        num = s.astype("float64")
        bad = ~np.isfinite(num.fillna(0.0))
        return num.mask(bad), row_problems(file, column, bad, s, "not a finite number")
    text = s.astype("str").str.strip()
    empty = text.isna() | (text == "")
    num = arrow_float(text.mask(empty))
    if num is None:  # some cell is not a number: find which, row by row
        num = pd.to_numeric(text.mask(empty), errors="coerce").astype("float64")
    bad = ~empty & ~np.isfinite(num.fillna(np.inf))
    msg = "not a number (use '.' as decimal separator, no thousands separator; leave the cell empty for no data)"
    return num.mask(bad), row_problems(file, column, bad, s, msg)


def arrow_float(text: pd.Series) -> pd.Series | None:
    """float64 of a text column when every non-missing cell is a number, else None.

    Arrow's cast is ~20x faster than pd.to_numeric on millions of strings but fails as a whole on
    the first bad cell, so it is only the fast path.
    """
    try:
        values = pyarrow.array(text, from_pandas=True, type=pyarrow.string()).cast(pyarrow.float64())
    except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError, pyarrow.ArrowNotImplementedError):
        return None
    return pd.Series(values.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")


def parse_bool(s: pd.Series, file: str, column: str) -> tuple[pd.Series, list[Problem]]:
    """Nullable boolean from 'true'/'false' (any case); anything else is a problem."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean"), []
    text = s.astype("str").str.strip().str.lower()
    empty = text.isna() | (text == "")
    truth = text.isin(TRUE_WORDS)
    bad = ~empty & ~truth & ~text.isin(FALSE_WORDS)
    out = pd.Series(pd.array(truth.to_numpy(), dtype="boolean"), index=s.index).mask(empty | bad)
    return out, row_problems(file, column, bad, s, "not a boolean (true or false)")


def type_table(raw: RawTable, spec: TableSpec) -> tuple[pd.DataFrame, list[Problem]]:
    """The table with its contract dtypes: numbers float64, booleans nullable boolean, text str/categorical.

    Cells that cannot be parsed become missing and are reported here, so the schema does not report them
    again as merely empty.
    """
    df = raw.frame
    problems: list[Problem] = []
    cols: dict[str, pd.Series] = {}
    for c in df.columns:
        s = df[c]
        if c in spec.numbers or c in spec.integers:
            cols[c], found = parse_number(s, raw.file, c)
            problems += found
        elif c in spec.booleans:
            cols[c], found = parse_bool(s, raw.file, c)
            problems += found
        elif c in spec.ids and not is_text(s) and not s.isna().all():
            problems.append(Problem(raw.file, None, c, None,
                                    f"identifiers stored as {s.dtype}; store them as text (leading zeros matter)"))
            cols[c] = as_text(s.astype("str"))
        else:
            cols[c] = as_text(s)
    out = pd.DataFrame(cols, index=df.index)
    for c in spec.categorical:
        if c in out.columns and not isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype("category")
    return out, problems


# ---- pandera schemas -----------------------------------------------------------------------------


def whole_number(s: pd.Series) -> pd.Series:
    """True where a number is missing or a whole number."""
    return s.isna() | (s % 1 == 0)


def build_schema(spec: TableSpec, check_key: bool = True) -> pa.DataFrameSchema:
    """The pandera schema of one table's single-table rules (without the unique key if not `check_key`)."""
    columns: dict[str, pa.Column] = {}
    for c in spec.columns:
        checks: list[pa.Check] = []
        if c in spec.ids:
            checks.append(pa.Check.str_matches(ID_PATTERN, error=ID_MESSAGE))
        if c in spec.enums:
            allowed = spec.enums[c]
            checks.append(pa.Check.isin(list(allowed), error=f"not one of the allowed values: {', '.join(allowed)}"))
        if c in spec.patterns:
            regex, msg = spec.patterns[c]
            checks.append(pa.Check.str_matches(regex, error=msg))
        if c in spec.integers:
            checks.append(pa.Check(whole_number, error="not a whole number"))
        if c in spec.non_negative:
            checks.append(pa.Check.ge(0, error="negative; must be 0 or more"))
        columns[c] = pa.Column(
            None, checks=checks, nullable=c in spec.nullable, required=c in spec.required, coerce=False,
        )
    return pa.DataFrameSchema(
        columns, unique=(list(spec.key) or None) if check_key else None, report_duplicates="exclude_first",
        strict=False, coerce=False,
    )


def schema_problems(df: pd.DataFrame, spec: TableSpec, file: str, already: set[tuple[int, str]]) -> list[Problem]:
    """Problems pandera finds in a typed table, as `Problem`s; cells in `already` were reported by parsing."""
    if spec.name == "territories" and "level" in df.columns:
        # levels are checked as the text '0', '1', '2' so that '1.5' or 'x' name the bad value
        df = df.assign(level=df["level"].astype("str"))
    # with a key column missing, every row would look like a duplicate: report only the missing column
    key_complete = all(k in df.columns for k in spec.key)
    fast_key = categorical_key(df, spec) if key_complete else None
    problems: list[Problem] = []
    if fast_key is not None and has_repeats(fast_key[fast_key >= 0]):
        problems += duplicate_problems(df, list(spec.key), file, fast_key)
    try:
        build_schema(spec, check_key=key_complete and fast_key is None).validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems += failure_cases_to_problems(err.failure_cases, df, spec, file, already)
    return problems


def has_repeats(codes: np.ndarray) -> bool:
    """True when some non-negative integer occurs twice (a counting array when small, else a sort)."""
    if len(codes) < 2:
        return False
    top = int(codes.max())
    if top < 8 * len(codes) + 10_000_000:
        return bool((np.bincount(codes, minlength=top + 1) > 1).any())
    ordered = np.sort(codes)
    return bool((ordered[1:] == ordered[:-1]).any())


def categorical_key(df: pd.DataFrame, spec: TableSpec) -> np.ndarray | None:
    """One int64 per row identifying its key (-1 when a key cell is empty), when every key column is
    categorical; else None.

    pandera's uniqueness check (DataFrame.duplicated over several columns) takes ~1.6 s on 6 million
    observations; repeats of this single integer are found in a fraction of that.
    """
    if not spec.key or not all(isinstance(df[k].dtype, pd.CategoricalDtype) for k in spec.key):
        return None
    combined = np.zeros(len(df), dtype="int64")
    complete = np.ones(len(df), dtype=bool)
    for k in spec.key:
        cat = df[k].cat
        codes = cat.codes.to_numpy()
        complete &= codes >= 0
        combined = combined * len(cat.categories) + codes
    return np.where(complete, combined, -1)


def failure_cases_to_problems(
    fc: pd.DataFrame, df: pd.DataFrame, spec: TableSpec, file: str, already: set[tuple[int, str]]
) -> list[Problem]:
    """Convert pandera's failure-case table into `Problem`s with plain-English messages."""
    problems: list[Problem] = []
    key = list(spec.key)
    for (column, check), group in fc.groupby(["column", "check"], dropna=False, sort=False):
        check = str(check)
        if check == "column_in_dataframe":
            for name in group["failure_case"]:
                problems.append(Problem(file, None, str(name), None, "required column is missing"))
            continue
        if "uniqueness" in check:
            continue  # handled below, once per duplicated row
        index = pd.to_numeric(group["index"], errors="coerce")
        if index.isna().any():  # a check that failed as a whole rather than on rows
            problems.append(Problem(file, None, str(column), None,
                                    f"check '{check}' could not run: {group['failure_case'].iloc[0]}"))
        rows = index.dropna().astype(int).sort_values()
        message = "empty, but a value is required" if check == "not_nullable" else check
        found: list[Problem] = []
        for i, value in zip(rows, group.loc[rows.index, "failure_case"], strict=True):
            if (int(i), str(column)) in already:
                continue
            shown = "" if check == "not_nullable" or pd.isna(value) else format_value(value)
            found.append(Problem(file, int(i) + 1, str(column), shown, message))
            if len(found) > MAX_PER_CHECK:
                break  # the rest are only counted
        problems += cap(found, file, str(column), message, len(rows))
    dup_mask = fc["check"].astype(str).str.contains("uniqueness")
    if dup_mask.any():
        problems += duplicate_problems(df, key, file)
    return problems


def format_value(value: Any) -> str:
    """A cell value as shown in a message: whole floats without '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def duplicate_problems(df: pd.DataFrame, key: list[str], file: str, codes: np.ndarray | None = None) -> list[Problem]:
    """One Problem per row whose key repeats an earlier row's key, naming that earlier row.

    `codes`, when given, is `categorical_key` of the rows: then only rows with a repeated code are grouped.
    """
    present = [k for k in key if k in df.columns]
    if codes is not None:
        involved = pd.Series(codes).duplicated(keep=False).to_numpy() & (codes >= 0)
    else:
        involved = df.duplicated(present, keep=False).to_numpy()
    if not involved.any():
        return []
    # only the rows that share a key with another row, numbered by position
    sub = df.iloc[np.flatnonzero(involved)][present].assign(_pos=np.flatnonzero(involved))
    groups = sub.groupby(present, observed=True, dropna=False, sort=False)["_pos"]
    first = groups.transform("min").to_numpy()
    pos = sub["_pos"].to_numpy()
    repeats = pos[pos != first]
    first_of = dict(zip(pos, first, strict=True))
    columns = ", ".join(present)
    found = []
    for i in repeats[: MAX_PER_CHECK + 1]:
        values = ", ".join(format_value(df[k].iloc[i]) for k in present)
        found.append(Problem(file, int(i) + 1, columns, values,
                             f"duplicate key: same ({columns}) as row {int(first_of[i]) + 1}"))
    return cap(found, file, columns, "duplicate key", len(repeats))


# ---- cross-table checks (plain pandas) -----------------------------------------------------------


def missing_reference(file: str, s: pd.Series, known: pd.Index, column: str, what: str) -> list[Problem]:
    """Rows whose id in `s` is not in `known` (empty cells are left to the schema)."""
    mask = s.notna() & ~s.isin(known)
    return row_problems(file, column, mask, s, f"no such {what}")


def check_hierarchy(t: pd.DataFrame, file: str) -> list[Problem]:
    """Parents exist and are exactly one level up; level 0 has no parent, levels 1-2 have one."""
    if not {"territory_id", "level"} <= set(t.columns):
        return []
    level = pd.to_numeric(t["level"], errors="coerce")
    parent = t["parent_id"] if "parent_id" in t.columns else pd.Series(np.nan, index=t.index, dtype="str")
    problems: list[Problem] = []
    problems += row_problems(file, "parent_id", (level == 0) & parent.notna(), parent,
                             "a country (level 0) has no parent; leave parent_id empty")
    problems += row_problems(file, "parent_id", level.isin([1, 2]) & parent.isna(), parent.fillna(""),
                             "empty, but level 1 and 2 territories need a parent")
    if not (level == 0).any():
        problems.append(Problem(file, None, "level", None, "no country: at least one territory must have level 0"))
    ids = t["territory_id"].dropna()
    level_of = pd.Series(level.to_numpy(), index=t["territory_id"]).loc[lambda s: ~s.index.duplicated()]
    has_parent = parent.notna()
    problems += row_problems(file, "parent_id", has_parent & ~parent.isin(ids), parent,
                             "no such territory (parent_id must be a territory_id)")
    parent_level = parent.map(level_of)
    wrong = has_parent & parent.isin(ids) & level.notna() & (parent_level != level - 1)
    problems += row_problems(file, "parent_id", wrong, parent, "the parent must be exactly one level up")
    return problems


def period_table(periods: pd.Series) -> pd.DataFrame:
    """freq, period_start and year of each distinct valid period string (NaN/NaT for invalid ones)."""
    p = pd.Series(pd.unique(periods.dropna()), dtype="str")
    ok = p.str.match(PERIOD_PATTERN)
    year = pd.to_numeric(p.str.slice(0, 4), errors="coerce").where(ok)
    suffix = p.str.slice(5)
    is_q = ok & suffix.str.startswith("Q")
    is_m = ok & ~is_q & (suffix.str.len() == 2)
    month = pd.Series(1.0, index=p.index)
    month = month.mask(is_q, (pd.to_numeric(suffix.str.slice(1), errors="coerce") - 1) * 3 + 1)
    month = month.mask(is_m, pd.to_numeric(suffix, errors="coerce"))
    freq = pd.Series("Y", index=p.index, dtype="str").mask(is_q, "Q").mask(is_m, "M").where(ok)
    start = pd.to_datetime(
        pd.DataFrame({"year": year, "month": month.where(ok), "day": 1}), errors="coerce"
    )
    return pd.DataFrame({"freq": freq.to_numpy(), "period_start": start.to_numpy(), "year": year.to_numpy()},
                        index=pd.Index(p, name="period"))


FREQ_NAMES = {"Y": "yearly", "Q": "quarterly", "M": "monthly"}


def freq_codes(period: pd.Series, periods: pd.DataFrame) -> np.ndarray:
    """Per row, the code of its period's frequency in FREQS order (Y=0, Q=1, M=2), -1 when invalid/missing."""
    cat = period if isinstance(period.dtype, pd.CategoricalDtype) else period.astype("category")
    per_cat = periods["freq"].reindex(cat.cat.categories)
    cat_codes = pd.Categorical(per_cat, categories=list(FREQ_NAMES)).codes
    codes = cat.cat.codes.to_numpy()
    return np.where(codes >= 0, cat_codes[codes], -1)


def check_frequencies(obs: pd.DataFrame, freq: np.ndarray, file: str) -> list[Problem]:
    """One frequency per indicator: report the first row of every minority frequency of an indicator.

    Counted with integer codes (bincount) rather than a groupby: this runs on millions of rows.
    """
    ind = obs["indicator_id"]
    if not isinstance(ind.dtype, pd.CategoricalDtype):
        ind = ind.astype("category")
    ind_codes = ind.cat.codes.to_numpy()
    ok = (ind_codes >= 0) & (freq >= 0)
    combined = ind_codes[ok].astype("int64") * 3 + freq[ok]
    counts = np.bincount(combined, minlength=len(ind.cat.categories) * 3).reshape(-1, 3)
    freqs = list(FREQ_NAMES)
    problems: list[Problem] = []
    for i in np.flatnonzero((counts > 0).sum(axis=1) > 1):
        main = int(counts[i].argmax())
        for f in np.flatnonzero(counts[i]):
            if f == main:
                continue
            first = int(np.flatnonzero((ind_codes == i) & (freq == f))[0])
            problems.append(Problem(
                file, first + 1, "period", str(obs["period"].iloc[first]),
                f"indicator {ind.cat.categories[i]} mixes frequencies: {int(counts[i, f])} "
                f"{FREQ_NAMES[freqs[f]]} rows but mostly {FREQ_NAMES[freqs[main]]}; "
                "one indicator must use one frequency",
            ))
    return problems


def check_observation_values(obs: pd.DataFrame, units: pd.Series, file: str) -> list[Problem]:
    """Counts are whole numbers >= 0; intervals satisfy lower <= value <= upper."""
    problems: list[Problem] = []
    value = obs["value"] if "value" in obs.columns else pd.Series(np.nan, index=obs.index)
    unit = obs["indicator_id"].map(units) if "indicator_id" in obs.columns else pd.Series(dtype="str")
    is_count = (unit == "count").to_numpy(dtype=bool, na_value=False)
    if is_count.any():
        v = value.to_numpy()
        problems += row_problems(file, "value", pd.Series(is_count & (v < 0)), value,
                                 "a count cannot be negative")
        problems += row_problems(file, "value", pd.Series(is_count & (v % 1 != 0) & ~np.isnan(v)), value,
                                 "a count must be a whole number")
    for bound, bad_msg in (("lower", "lower bound is greater than the value"),
                           ("upper", "upper bound is less than the value")):
        if bound in obs.columns:
            b = obs[bound]
            bad = (b > value) if bound == "lower" else (b < value)
            problems += row_problems(file, bound, bad.fillna(False), b, bad_msg)
    if {"lower", "upper"} <= set(obs.columns):
        bad = (obs["lower"] > obs["upper"]).fillna(False)
        problems += row_problems(file, "lower", bad, obs["lower"],
                                 "lower bound is greater than the upper bound")
    return problems


def check_indicators(ind: pd.DataFrame, file: str) -> list[Problem]:
    """rate_per is a positive whole number whenever rate_base is not 'none'."""
    if "rate_base" not in ind.columns:
        return []
    needs = ind["rate_base"].notna() & (ind["rate_base"] != "none")
    rate_per = ind["rate_per"] if "rate_per" in ind.columns else pd.Series(np.nan, index=ind.index)
    problems = row_problems(file, "rate_per", needs & rate_per.isna(), pd.Series("", index=ind.index),
                            "empty, but rate_per is required when rate_base is not 'none'")
    problems += row_problems(file, "rate_per", rate_per <= 0, rate_per,
                             "must be a positive number such as 100000 or 1000")
    return problems


def check_event_dates(ev: pd.DataFrame, file: str) -> list[Problem]:
    """Dates that look like YYYY-MM-DD but are not calendar dates (2020-02-30)."""
    if "date" not in ev.columns:
        return []
    d = ev["date"]
    looks = d.str.match(DATE_PATTERN).fillna(False)
    parsed = pd.to_datetime(d.where(looks), format="%Y-%m-%d", errors="coerce")
    return row_problems(file, "date", looks & parsed.isna(), d, "not a calendar date")


# ---- datapackage, index, story, boundaries ------------------------------------------------------


def read_json(path: Path) -> tuple[Any, list[Problem]]:
    """Parsed JSON of a file, or a problem when it is not valid JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8")), []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [Problem(path.name if path.parent.name != "boundaries" else f"boundaries/{path.name}",
                              None, None, None, f"not valid JSON: {exc}")]


def check_datapackage(root: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """datapackage.json exists, is a JSON object and has the required fields with the right types."""
    path = root / DATAPACKAGE
    if not path.is_file():
        return None, [Problem(DATAPACKAGE, None, None, None, "required file is missing")]
    desc, problems = read_json(path)
    if problems:
        return None, problems
    if not isinstance(desc, dict):
        return None, [Problem(DATAPACKAGE, None, None, None, "must be a JSON object")]
    for name in ("name", "title", "contract_version"):
        if name not in desc:
            problems.append(Problem(DATAPACKAGE, None, name, None, "required field is missing"))
        elif not isinstance(desc[name], str) or not desc[name].strip():
            problems.append(Problem(DATAPACKAGE, None, name, str(desc[name]), "must be a non-empty string"))
    if "synthetic" not in desc:
        problems.append(Problem(DATAPACKAGE, None, "synthetic", None, "required field is missing"))
    elif not isinstance(desc["synthetic"], bool):
        problems.append(Problem(DATAPACKAGE, None, "synthetic", str(desc["synthetic"]), "must be true or false"))
    for name in ("sources", "licenses", "resources"):
        if name in desc and not isinstance(desc[name], list):
            problems.append(Problem(DATAPACKAGE, None, name, None, "must be an array"))
    if "title_en" in desc and not (isinstance(desc["title_en"], str) and desc["title_en"].strip()):
        problems.append(Problem(DATAPACKAGE, None, "title_en", str(desc["title_en"]),
                                "must be a non-empty string (or leave it out)"))
    for i, s in enumerate(desc.get("sources") or []):
        if not isinstance(s, dict) or not isinstance(s.get("id"), str):
            problems.append(Problem(DATAPACKAGE, None, f"sources[{i}]", None, "a source needs a string 'id'"))
            continue
        for key in ("title", "title_en", "publisher", "publisher_en", "path", "year"):
            if key in s and not isinstance(s[key], str):
                problems.append(Problem(DATAPACKAGE, None, f"sources[{i}].{key}", str(s[key]),
                                        f"must be a string (source '{s['id']}')"))
    for i, lic in enumerate(desc.get("licenses") or [] if isinstance(desc.get("licenses"), list) else []):
        if isinstance(lic, dict) and "title_en" in lic and not isinstance(lic["title_en"], str):
            problems.append(Problem(DATAPACKAGE, None, f"licenses[{i}].title_en", str(lic["title_en"]),
                                    "must be a string"))
    if "level_labels" in desc:
        problems += level_label_problems(desc["level_labels"])
    return desc, problems


LEVEL_LABEL_LANGS = ("es", "en")


def level_label_problems(labels: Any) -> list[Problem]:
    """`level_labels` (optional): {"1"|"2": {"es"|"en": {"singular", "plural", "gender"?, "abbr"?}}}.
    Each level given needs both languages and, in each, a singular and a plural."""
    where = "level_labels"
    if not isinstance(labels, dict):
        return [Problem(DATAPACKAGE, None, where, None, 'must be an object such as {"1": {"es": {...}, "en": {...}}}')]
    out: list[Problem] = []
    for level, by_lang in labels.items():
        lw = f"{where}.{level}"
        if str(level) not in ("1", "2"):
            out.append(Problem(DATAPACKAGE, None, lw, str(level), 'unknown level: use "1" (admin-1) or "2" (admin-2)'))
            continue
        if not isinstance(by_lang, dict):
            out.append(Problem(DATAPACKAGE, None, lw, None, 'must be an object with "es" and "en"'))
            continue
        for lang in LEVEL_LABEL_LANGS:
            if lang not in by_lang:
                out.append(Problem(DATAPACKAGE, None, f"{lw}.{lang}", None, "required field is missing"))
        for lang, names in by_lang.items():
            nw = f"{lw}.{lang}"
            if lang not in LEVEL_LABEL_LANGS:
                out.append(Problem(DATAPACKAGE, None, nw, str(lang), 'unknown language: use "es" and "en"'))
                continue
            if not isinstance(names, dict):
                out.append(Problem(DATAPACKAGE, None, nw, None, 'must be an object {"singular": ..., "plural": ...}'))
                continue
            for key in ("singular", "plural"):
                v = names.get(key)
                if key not in names:
                    out.append(Problem(DATAPACKAGE, None, f"{nw}.{key}", None, "required field is missing"))
                elif not isinstance(v, str) or not v.strip():
                    out.append(Problem(DATAPACKAGE, None, f"{nw}.{key}", str(v), "must be a non-empty string"))
            if "gender" in names and names["gender"] not in ("m", "f"):
                out.append(Problem(DATAPACKAGE, None, f"{nw}.gender", str(names["gender"]),
                                   'must be "m" or "f" (grammatical gender, for Spanish articles)'))
            if "abbr" in names and not (isinstance(names["abbr"], str) and names["abbr"].strip()):
                out.append(Problem(DATAPACKAGE, None, f"{nw}.abbr", str(names["abbr"]), "must be a non-empty string"))
            unknown = sorted(set(names) - {"singular", "plural", "gender", "abbr"})
            if unknown:
                out.append(Problem(DATAPACKAGE, None, nw, ", ".join(map(str, unknown)),
                                   "unknown field(s); allowed: singular, plural, gender, abbr"))
    return out


def check_index_config(root: Path, indicator_ids: pd.Index | None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """index.json, when present: an object whose every dimension indicator_id exists in indicators
    (not checked when `indicator_ids` is None: the indicators table itself could not be read)."""
    path = root / "index.json"
    if not path.is_file():
        return None, []
    cfg, problems = read_json(path)
    if problems:
        return None, problems
    if not isinstance(cfg, dict) or not isinstance(cfg.get("dimensions"), list):
        return None, [Problem("index.json", None, "dimensions", None, "must be an object with a 'dimensions' array")]
    for d_i, dim in enumerate(cfg["dimensions"]):
        inds = dim.get("indicators") if isinstance(dim, dict) else None
        if not isinstance(inds, list):
            problems.append(Problem("index.json", None, f"dimensions[{d_i}].indicators", None, "must be an array"))
            continue
        for i_i, item in enumerate(inds):
            ind = item.get("indicator_id") if isinstance(item, dict) else None
            if indicator_ids is not None and ind not in indicator_ids:
                problems.append(Problem("index.json", None, f"dimensions[{d_i}].indicators[{i_i}].indicator_id",
                                        None if ind is None else str(ind), "no such indicator in indicators"))
    return cfg, problems


def check_story(root: Path) -> tuple[list[dict[str, str]], list[Problem]]:
    """story.json, when present: a list of saved views."""
    path = root / "story.json"
    if not path.is_file():
        return [], []
    story, problems = read_json(path)
    if problems:
        return [], problems
    if not isinstance(story, list) or not all(isinstance(s, dict) and "url" in s for s in story):
        return [], [Problem("story.json", None, None, None, "must be an array of objects with a 'url'")]
    return story, []


def feature_id(feature: Any) -> str | None:
    """A GeoJSON feature's territory id: its `id`, else properties.territory_id."""
    if not isinstance(feature, dict):
        return None
    fid = feature.get("id")
    if fid is None:
        fid = (feature.get("properties") or {}).get("territory_id")
    return None if fid is None else str(fid)


def check_boundary_file(path: Path, level: int, ids_at_level: pd.Index) -> tuple[set[str], list[Problem]]:
    """Feature ids of one boundaries file, with problems for unknown ids and bad or invalid geometry."""
    file = f"boundaries/{path.name}"
    data, problems = read_json(path)
    if problems:
        return set(), problems
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        return set(), [Problem(file, None, None, None, "not a GeoJSON FeatureCollection")]
    found: set[str] = set()
    level_name = f"level-{level}"
    for n, feat in enumerate(features, start=1):
        fid = feature_id(feat)
        if fid is None:
            problems.append(Problem(file, n, "id", None, "feature has no id (or properties.territory_id)"))
            continue
        found.add(fid)
        if fid not in ids_at_level:
            problems.append(Problem(file, n, "id", fid, f"matches no {level_name} territory"))
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        gtype = geom.get("type") if isinstance(geom, dict) else None
        if gtype not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(file, n, "geometry", str(gtype), "geometry must be Polygon or MultiPolygon"))
            continue
        problems += geometry_problems(file, n, fid, geom)
    return found, problems


def geometry_problems(file: str, row: int, fid: str, geom: dict[str, Any]) -> list[Problem]:
    """Problems of a polygon geometry that shapely cannot build or finds invalid."""
    try:
        shape = shapely.geometry.shape(geom)
    except Exception as exc:  # noqa: BLE001 - malformed coordinates
        return [Problem(file, row, "geometry", fid, f"malformed geometry: {exc}")]
    if not shape.is_valid:
        return [Problem(file, row, "geometry", fid, f"invalid geometry: {shapely.is_valid_reason(shape)}")]
    return []


def check_boundaries(root: Path, terr: pd.DataFrame, terr_file: str) -> tuple[dict[int, Path], list[Problem]]:
    """Boundary files exist for levels 1 and 2, match territories, and cover every level-2 territory."""
    if not {"territory_id", "level"} <= set(terr.columns):
        return {}, []
    level = pd.to_numeric(terr["level"], errors="coerce")
    files: dict[int, Path] = {}
    problems: list[Problem] = []
    for lv in (1, 2):
        at_level = level == lv
        if not at_level.any():
            continue
        path = root / "boundaries" / f"admin{lv}.json"
        if not path.is_file():
            problems.append(Problem(f"boundaries/admin{lv}.json", None, None, None,
                                    f"required file is missing (there are level-{lv} territories)"))
            continue
        files[lv] = path
        ids = pd.Index(terr.loc[at_level, "territory_id"].dropna())
        found, found_problems = check_boundary_file(path, lv, ids)
        problems += found_problems
        if lv == 2 and not any(p.row is None for p in found_problems):
            missing = at_level & terr["territory_id"].notna() & ~terr["territory_id"].isin(found)
            problems += row_problems(terr_file, "territory_id", missing, terr["territory_id"],
                                     f"level-2 territory has no geometry in boundaries/admin2.json")
    return files, problems


# ---- the whole dataset ---------------------------------------------------------------------------


@dataclass
class ValidatedTables:
    """What validation read: typed tables (None when unreadable), descriptor, configs, files, problems."""

    tables: dict[str, pd.DataFrame | None]
    files: dict[str, str]  # table name -> file name it was read from
    datapackage: dict[str, Any] | None
    index_config: dict[str, Any] | None
    story: list[dict[str, str]]
    boundary_files: dict[int, Path]
    periods: pd.DataFrame | None  # period -> freq, period_start, year
    problems: list[Problem]


def read_and_validate(root: Path | str) -> ValidatedTables:
    """Read and check every file of a prepared dataset; problems are sorted by file and row."""
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        return ValidatedTables({}, {}, None, None, [], {}, None,
                               [Problem(str(root), None, None, None, "not a directory")])
    desc, found = check_datapackage(root)
    problems += found
    tables: dict[str, pd.DataFrame | None] = {}
    files: dict[str, str] = {}
    for spec in ALL_TABLES:
        table, found = load_table(root, spec, required=spec in REQUIRED_TABLES)
        problems += found
        tables[spec.name] = table
        files[spec.name] = f"{spec.name}.csv" if table is None else table.attrs["file"]
    problems += cross_table_problems(tables, files)
    periods = None
    obs = tables["observations"]
    if obs is not None and "period" in obs.columns:
        periods = period_table(obs["period"])
        if "indicator_id" in obs.columns:
            problems += check_frequencies(obs, freq_codes(obs["period"], periods), files["observations"])
    ind = tables["indicators"]
    ind_ids = pd.Index(ind["indicator_id"].dropna()) if ind is not None and "indicator_id" in ind else None
    index_config, found = check_index_config(root, ind_ids)
    problems += found
    story, found = check_story(root)
    problems += found
    boundary_files: dict[int, Path] = {}
    terr = tables["territories"]
    if terr is not None:
        boundary_files, found = check_boundaries(root, terr, files["territories"])
        problems += found
    return ValidatedTables(tables, files, desc, index_config, story, boundary_files, periods,
                           sort_problems(problems))


def load_table(root: Path, spec: TableSpec, required: bool) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read, type and schema-check one table; the frame's attrs['file'] names the file it came from."""
    raw, problems = read_raw(root, spec, required)
    if raw is None:
        return None, problems
    typed, found = type_table(raw, spec)
    problems += found
    already = {(p.row - 1, p.column) for p in found if p.row is not None and p.column is not None}
    problems += schema_problems(typed, spec, raw.file, already)
    typed.attrs["file"] = raw.file
    return typed, problems


def cross_table_problems(tables: dict[str, pd.DataFrame | None], files: dict[str, str]) -> list[Problem]:
    """Referential integrity, hierarchy, counts and intervals across the typed tables."""
    problems: list[Problem] = []
    terr, ind = tables["territories"], tables["indicators"]
    terr_ids = pd.Index(terr["territory_id"].dropna()) if terr is not None and "territory_id" in terr else None
    ind_ids = pd.Index(ind["indicator_id"].dropna()) if ind is not None and "indicator_id" in ind else None
    if terr is not None:
        problems += check_hierarchy(terr, files["territories"])
    if ind is not None:
        problems += check_indicators(ind, files["indicators"])
    for name in ("population", "observations", "events"):
        t = tables[name]
        if t is None or "territory_id" not in t.columns or terr_ids is None:
            continue
        problems += missing_reference(files[name], t["territory_id"], terr_ids, "territory_id",
                                      "territory (not in territories)")
    obs = tables["observations"]
    if obs is not None and ind_ids is not None and "indicator_id" in obs.columns:
        problems += missing_reference(files["observations"], obs["indicator_id"], ind_ids, "indicator_id",
                                      "indicator (not in indicators)")
    if obs is not None and ind is not None and {"indicator_id", "unit"} <= set(ind.columns):
        units = ind.drop_duplicates("indicator_id").set_index("indicator_id")["unit"]
        problems += check_observation_values(obs, units, files["observations"])
    if tables["events"] is not None:
        problems += check_event_dates(tables["events"], files["events"])
    return problems
