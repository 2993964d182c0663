"""Reading the user's tables: encoding detection, all cells as text, numbers and codes parsed explicitly.

Nothing here guesses silently: the encoding that was used is returned to the caller (and printed in the
report), cells that are not numbers are returned as a mask so the caller can list them, and blank cells
stay missing (NaN), never 0.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# Cells that mean "no value" in official tables (compared after strip + casefold).
MISSING_TOKENS = frozenset({"", "na", "n/a", "n.a.", "nan", "null", "none", "nd", "n.d.", "s/d", "-", "--", "…", "..."})


GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".topojson", ".fgb")

NOT_FOUND_HINT = " (file paths in the mapping are relative to --input-dir, by default the mapping file's folder)"


class PrepareError(Exception):
    """A problem in the mapping file or an input file that stops the preparation. The message names
    the file, and where it applies the row, column and value."""


@dataclass(frozen=True)
class TextTable:
    """A table read with every cell as text ('' for an empty cell)."""

    frame: pd.DataFrame
    encoding: str  # the encoding actually used ('utf-8', 'utf-8-sig', 'cp1252', 'latin-1', or 'excel')
    path: Path


def detect_encoding(raw: bytes) -> str:
    """The first of utf-8-sig (when a byte-order mark is present), utf-8, cp1252 that decodes the
    whole file strictly; latin-1 (which decodes any byte) otherwise."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for enc in ("utf-8", "cp1252"):
        try:
            raw.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"


def read_table(path: Path, encoding: str = "auto", sheet: str | int | None = None,
               delimiter: str | None = None, skip_rows: int = 0) -> TextTable:
    """Read a CSV (any of , ; tab |) or an Excel sheet with every cell as a string.

    encoding: 'auto' (see detect_encoding) or a Python codec name. Column names are stripped of
    surrounding whitespace. Raises PrepareError when the file is missing or cannot be parsed."""
    path = Path(path)
    if not path.exists():
        raise PrepareError(f"{path}: file not found{NOT_FOUND_HINT}")
    suffix = path.suffix.lower()
    if suffix in GEO_SUFFIXES:
        import pyogrio

        try:
            df = pyogrio.read_dataframe(path, read_geometry=False, layer=sheet)
        except Exception as err:
            raise PrepareError(f"{path}: cannot read the attribute table: {err}") from err
        df = df.astype(object).where(df.notna(), "").astype(str)
        enc = "gdal"
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            df = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=str,
                               keep_default_na=False, skiprows=skip_rows)
        except Exception as err:  # openpyxl raises many types
            raise PrepareError(f"{path}: cannot read the Excel sheet {sheet!r}: {err}") from err
        df = df.fillna("").astype(str)
        enc = "excel"
    else:
        raw = path.read_bytes()
        enc = detect_encoding(raw) if encoding == "auto" else encoding
        try:
            text = raw.decode(enc)
        except (UnicodeDecodeError, LookupError) as err:
            raise PrepareError(f"{path}: cannot decode as {enc}: {err}. Use encoding: auto") from err
        if delimiter is None:
            sample = "\n".join(text.splitlines()[skip_rows:skip_rows + 20])
            try:
                delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
            except csv.Error:
                delimiter = ","
        try:
            df = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                             skiprows=skip_rows, skipinitialspace=False)
        except Exception as err:
            raise PrepareError(f"{path}: cannot parse as CSV (delimiter {delimiter!r}): {err}") from err
    df.columns = [str(c).strip() for c in df.columns]
    dupes = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if dupes:
        raise PrepareError(f"{path}: duplicate column names {dupes}")
    df = df.apply(lambda s: s.str.strip())
    return TextTable(frame=df.reset_index(drop=True), encoding=enc, path=path)


def require_columns(table: TextTable, columns: list[str], where: str) -> None:
    """PrepareError naming the missing columns and the ones that exist."""
    missing = [c for c in columns if c not in table.frame.columns]
    if missing:
        raise PrepareError(
            f"{table.path}: column(s) {missing} named in {where} not found; the file has {list(table.frame.columns)}"
        )


_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_numbers(cells: pd.Series, thousands: str | None = ",", decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Parse text cells into float64.

    Blank cells and the tokens in MISSING_TOKENS become NaN (missing, not 0). A thousands separator is
    removed only where it groups digits by three ("1,234", "12,345.5"). Returns (values, bad) where
    `bad` is True for non-empty cells that are not numbers (their value is NaN too)."""
    s = cells.astype(str).str.strip()
    missing = s.str.casefold().isin(MISSING_TOKENS)
    t = s
    if thousands:
        grouped = re.compile(
            r"^[+-]?\d{1,3}(" + re.escape(thousands) + r"\d{3})+(" + re.escape(decimal) + r"\d+)?$"
        )
        is_grouped = t.str.match(grouped)
        t = t.where(~is_grouped, t.str.replace(thousands, "", regex=False))
    if decimal != ".":
        t = t.str.replace(decimal, ".", regex=False)
    ok = t.str.match(_PLAIN) & ~missing
    values = pd.Series(np.nan, index=s.index, dtype="float64")
    values[ok] = t[ok].astype("float64")
    bad = ~ok & ~missing
    return values, bad


def normalise_codes(cells: pd.Series, pad: int | None = None, strip_prefix: str | None = None,
                    add_prefix: str | None = None, take: list[int] | None = None) -> pd.Series:
    """Territory codes as strings: '1001.0' (a code that went through a float) -> '1001', then
    strip a prefix, keep characters take[0]:take[1], left-pad with zeros to `pad` digits, add a prefix.
    Blank stays blank."""
    s = cells.astype(str).str.strip()
    s = s.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    if strip_prefix:
        s = s.where(~s.str.startswith(strip_prefix), s.str.slice(len(strip_prefix)))
    if take:
        s = s.str.slice(take[0], take[1] if len(take) > 1 else None)
    if pad:
        s = s.where(s == "", s.str.zfill(pad))
    if add_prefix:
        s = s.where(s == "", add_prefix + s)
    return s


def fold_name(name: str) -> str:
    """A key for comparing place names: accents removed, case folded, punctuation turned into spaces,
    whitespace collapsed ('Cosío ' -> 'cosio', 'Dolores Hidalgo Cuna de la Independencia Nacional'
    stays distinct from 'Dolores Hidalgo')."""
    s = unicodedata.normalize("NFKD", str(name))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.casefold()
    s = re.sub(r"[^\w]+", " ", s)
    return " ".join(s.split())
