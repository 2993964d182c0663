"""Indicator tables -> observations (indicator_id, territory_id, period, sex, value).

One table's mapping (see docs/importing.md for every key) says where the territory is (a code column
or, explicitly, name columns), where the period is (a period/date column, a year column with a month
column, a year column with one column per month, or a year column alone), which indicator each row or
column feeds (a fixed id, rules on category columns, or one column per indicator), the sex, and the
value. Rows feeding the same (indicator, territory, period, sex) are summed (e.g. the modalities of a
crime); the sum is missing when any of its parts is missing.

Every row that does not reach the output is listed in the report with its reason.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.prepare.readers import (PrepareError, fold_name, normalise_codes, parse_numbers,
                                       read_table, require_columns)
from analytics.prepare.report import Report

MONTHS = {
    **{fold_name(m): i + 1 for i, m in enumerate(
        ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre", "Octubre",
         "Noviembre", "Diciembre"])},
    **{fold_name(m): i + 1 for i, m in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"])},
    "setiembre": 9,
}
SEXES = ("total", "female", "male")


@dataclass
class TableResult:
    observations: pd.DataFrame  # indicator_id, territory_id, period, sex, value
    unassigned: pd.DataFrame  # indicator_id, code, name, period, sex, value: rows kept apart (XX999 ...)
    name: str


@dataclass
class Territories:
    """What tables are matched against: ids and names of admin1/admin2 territories."""

    ids: dict[int, set[str]]  # level -> ids
    names: dict[int, pd.DataFrame]  # level -> territory_id, name, parent_id


# ---------------------------------------------------------------------------------------------------
def month_number(text: str) -> int | None:
    """1..12 from a month name (Spanish or English, any case/accents) or number; None otherwise."""
    t = fold_name(text)
    if t in MONTHS:
        return MONTHS[t]
    if t.isdigit() and 1 <= int(t) <= 12:
        return int(t)
    return None


_PERIOD = re.compile(r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")


def parse_period_cells(cells: pd.Series, fmt: str | None) -> pd.Series:
    """Period strings YYYY / YYYY-Qn / YYYY-MM from a period column: already in that form, or dates
    (format `fmt`, e.g. '%Y-%m-%d', or ISO when fmt is None) turned into YYYY-MM. '' when unparsable."""
    s = cells.astype(str).str.strip()
    ok = s.str.match(_PERIOD)
    out = s.where(ok, "")
    rest = ~ok & (s != "")
    if rest.any():
        dt = pd.to_datetime(s[rest], format=fmt, errors="coerce") if fmt else pd.to_datetime(s[rest], errors="coerce", format="ISO8601")
        out[rest] = dt.dt.strftime("%Y-%m").where(dt.notna(), "")
    return out


def _as_list(v: Any) -> list[str]:
    return [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]


def _rule_mask(df: pd.DataFrame, cond: dict[str, Any], folded: dict[str, pd.Series] | None = None) -> pd.Series:
    """Rows whose columns equal (case-insensitive, trimmed) one of the given values. `folded` caches
    case-folded columns between calls on the same frame."""
    m = pd.Series(True, index=df.index)
    for col, vals in cond.items():
        wanted = {v.strip().casefold() for v in _as_list(vals)}
        if folded is None:
            col_f = df[col].str.casefold()
        else:
            if col not in folded:
                folded[col] = df[col].str.casefold()
            col_f = folded[col]
        m &= col_f.isin(wanted)
    return m


# ---------------------------------------------------------------------------------------------------
def match_names(df: pd.DataFrame, tcfg: dict[str, Any], terr: Territories, step: str, report: Report,
                skip: pd.Series | None = None) -> pd.Series:
    """Territory ids for a names-only table, explicitly: accent/case-insensitive equality of names
    within the parent (parent matched by name too), aliases from the mapping applied and reported,
    ambiguous and unmatched names listed. Returns '' where nothing matched."""
    level = int(tcfg.get("level", 2))
    name_col = tcfg["name"]
    parent_col = tcfg.get("parent_name")
    aliases = {str(k): str(v) for k, v in (tcfg.get("aliases") or {}).items()}
    parent_aliases = {fold_name(k): str(v) for k, v in (tcfg.get("parent_aliases") or {}).items()}
    known = terr.names.get(level)
    if known is None or known.empty:
        raise PrepareError(f"{step}: names-only matching needs admin{level} boundaries")
    key_parent = known["parent_id"] if parent_col else pd.Series("", index=known.index)
    keys = pd.DataFrame({"tid": known["territory_id"], "p": key_parent.values, "n": known["name"].map(fold_name)})
    amb = keys.duplicated(["p", "n"], keep=False)
    lookup = dict(zip(zip(keys.loc[~amb, "p"], keys.loc[~amb, "n"]), keys.loc[~amb, "tid"]))
    ambiguous = set(zip(keys.loc[amb, "p"], keys.loc[amb, "n"]))

    parent_ids = pd.Series("", index=df.index)
    unmatched_parents: dict[str, int] = {}
    if parent_col:
        plevel = level - 1
        pknown = terr.names[plevel]
        plookup: dict[str, str] = {}
        for tid, nm in zip(pknown["territory_id"], pknown["name"]):
            plookup.setdefault(fold_name(nm), tid)
        plookup.update(parent_aliases)
        pnames = df[parent_col]
        uniq = pnames.drop_duplicates()
        pmap = {p: plookup.get(fold_name(p), "") for p in uniq}
        parent_ids = pnames.map(pmap)
        used_palias = [f"{p} -> {pmap[p]}" for p in uniq if fold_name(p) in parent_aliases]
        if used_palias:
            report.add("info", step, "parent names matched through parent_aliases in the mapping", used_palias)
        for p in uniq:
            if pmap[p] == "":
                unmatched_parents[p] = int((pnames == p).sum())
        if unmatched_parents:
            report.add("warning", step, f"parent names ({parent_col}) that match no admin{plevel} name",
                       [f"{p!r} ({n} rows)" for p, n in unmatched_parents.items()])

    names = df[name_col]
    pairs = pd.DataFrame({"p": parent_ids, "raw_p": df[parent_col] if parent_col else "", "n": names})
    if skip is not None:
        pairs = pairs.loc[~skip]
    pairs = pairs.drop_duplicates()
    result: dict[tuple[str, str], str] = {}
    unmatched, amb_hits, alias_hits, accent_hits = [], [], [], []
    for p, raw_p, n in zip(pairs["p"], pairs["raw_p"], pairs["n"]):
        alias_key = f"{raw_p}|{n}" if parent_col else n
        if alias_key in aliases:
            result[(p, n)] = aliases[alias_key]
            alias_hits.append(f"{alias_key} -> {aliases[alias_key]}")
            continue
        if parent_col and p == "":
            result[(p, n)] = ""
            continue
        k = (p, fold_name(n))
        if k in ambiguous:
            amb_hits.append(f"{raw_p + ' / ' if parent_col else ''}{n}")
            result[(p, n)] = ""
        elif k in lookup:
            tid = lookup[k]
            result[(p, n)] = tid
            official = known.loc[known["territory_id"] == tid, "name"].iloc[0]
            if official != n:
                accent_hits.append(f"{raw_p + ' / ' if parent_col else ''}{n!r} = {official!r} ({tid})")
        else:
            unmatched.append(f"{raw_p + ' / ' if parent_col else ''}{n}" + _suggest(n, p, keys, known))
            result[(p, n)] = ""
    ids = pd.Series([result.get((p, n), "") for p, n in zip(parent_ids, names)], index=df.index)
    matched = int((ids != "").sum())
    report.step(step, f"name matching (accent/case-insensitive, within {parent_col or 'the level'}): "
                      f"{len(pairs)} distinct names, {len(pairs) - len(unmatched) - len(amb_hits)} matched, "
                      f"{len(unmatched)} unmatched, {len(amb_hits)} ambiguous; {matched} of {len(df)} rows matched")
    if accent_hits:
        report.add("info", step, "names matched only after ignoring accents/case/punctuation", accent_hits)
    if alias_hits:
        report.add("info", step, "names matched through aliases in the mapping", alias_hits)
    report.check("no_name_match", step, len(unmatched))
    report.check("ambiguous", step, len(amb_hits))
    if amb_hits:
        report.add("warning", step, "ambiguous names (several territories share them; add an alias)", amb_hits)
    if unmatched:
        report.add("warning", step, "names that match no territory (rows left out; add an alias if they should match)", unmatched)
    return ids


def _suggest(name: str, parent: str, keys: pd.DataFrame, known: pd.DataFrame) -> str:
    """' (closest: 'Official name' ID, ...)' — up to 2 similar names in the same parent, as a hint for
    an alias; never applied."""
    cand = keys.loc[keys["p"] == parent]
    folded = fold_name(name)
    pool = list(cand["n"])
    hits = difflib.get_close_matches(folded, pool, n=2, cutoff=0.6)
    # names that contain the unmatched one, or are contained in it ('Cintalapa' / 'Cintalapa de Figueroa')
    hits += [n for n in pool if n not in hits and (folded in n or n in folded) and min(len(n), len(folded)) >= 4][:2]
    if not hits:
        return ""
    off = known.set_index("territory_id")["name"]
    shown = [f"{off[t]!r} {t}" for h in hits[:3] for t in cand.loc[cand["n"] == h, "tid"]]
    return f" (closest: {', '.join(shown)})"


# ---------------------------------------------------------------------------------------------------
def prepare_table(cfg: dict[str, Any], input_dir: Path, terr: Territories, report: Report,
                  units: dict[str, str]) -> TableResult:
    """Turn one indicator table into observations, listing every row left out. `units`: the unit of
    each declared indicator (counts must be whole numbers ≥ 0; other units are not checked so)."""
    indicator_ids = set(units)
    path = input_dir / cfg["path"]
    table = read_table(path, encoding=cfg.get("encoding", "auto"), sheet=cfg.get("sheet"),
                       delimiter=cfg.get("delimiter"), skip_rows=int(cfg.get("skip_rows", 0)))
    fname = path.name
    step = f"table {fname}"
    df = table.frame
    report.fact(f"{fname}", f"{len(df):,} rows, {len(df.columns)} columns, encoding {table.encoding}")
    report.step(step, f"{len(df):,} rows read (encoding {table.encoding})")
    df = df.assign(_row=np.arange(1, len(df) + 1))

    tcfg = cfg["territory"]
    pcfg = cfg["period"]
    value_cols: list[str] = []
    month_cols: list[str] = list(pcfg.get("months") or [])
    if month_cols:
        value_cols = month_cols
    elif "value_columns" in cfg:
        value_cols = list(cfg["value_columns"])
    elif "value" in cfg:
        value_cols = [cfg["value"]]
    else:
        raise PrepareError(f"{step}: say where the values are: value: COLUMN, value_columns: {{COLUMN: indicator}}, "
                           f"or period.months: [one column per month]")
    needed = list(value_cols) + [cfg[b] for b in ("lower", "upper") if cfg.get(b)]
    needed += [c for c in (tcfg.get("code"), tcfg.get("name"), tcfg.get("parent_name")) if c]
    needed += [c for c in (pcfg.get("column"), pcfg.get("year"), pcfg.get("month")) if c]
    rules: dict[str, dict[str, Any]] = cfg.get("indicators") or {}
    for cond in rules.values():
        needed += list(cond)
    for col in (cfg.get("filter") or {}):
        needed.append(col)
    sex_cfg = cfg.get("sex", "total")
    if isinstance(sex_cfg, dict):
        needed.append(sex_cfg["column"])
    require_columns(table, list(dict.fromkeys(needed)), f"the mapping of {fname}")

    # 1. filters
    for col, vals in (cfg.get("filter") or {}).items():
        keep = _rule_mask(df, {col: vals})
        if (~keep).any():
            n = report.drop(fname, df.loc[~keep, "_row"], "filtered out by the mapping",
                            [f"{col}={v!r}" for v in df.loc[~keep, col]])
            report.step(step, f"filter {col} in {_as_list(vals)}: {n:,} rows out, {int(keep.sum()):,} kept")
        df = df.loc[keep]

    # 2. duplicates (same identity: every column that is not a value column)
    identity = [c for c in df.columns if c not in value_cols and c != "_row"]
    dup_all = df.duplicated(subset=identity + value_cols, keep="first")
    report.check("dup_exact", step, int(dup_all.sum()))
    if dup_all.any():
        report.add("warning", step, "exact duplicate rows (extra copies left out)",
                   [f"row {r}" for r in df.loc[dup_all, "_row"]])
        report.drop(fname, df.loc[dup_all, "_row"], "exact duplicate of an earlier row")
        df = df.loc[~dup_all]
    dup_key = df.duplicated(subset=identity, keep=False)
    report.check("dup_conflict", step, int(df.duplicated(subset=identity, keep="first").sum()))
    if dup_key.any():
        later = df.duplicated(subset=identity, keep="first")
        report.add("error", step, f"rows with the same {identity} but different values (first kept)",
                   [f"row {r}" for r in df.loc[dup_key, "_row"]])
        report.drop(fname, df.loc[later, "_row"], "conflicting duplicate (a row with the same identity came first)")
        df = df.loc[~later]

    # 3. indicator of each row
    if "value_columns" in cfg:
        ind_frames = [df.assign(_ind="")]  # decided per column below
    elif rules:
        ind_frames = []
        hit_any = pd.Series(False, index=df.index)
        folded: dict[str, pd.Series] = {}
        for ind, cond in rules.items():
            m = _rule_mask(df, cond, folded)
            hit_any |= m
            if not m.any():
                report.add("warning", step, f"indicator rule for {ind!r} matched no row", [str(cond)])
            ind_frames.append(df.loc[m].assign(_ind=ind))
            report.step(step, f"{ind}: {int(m.sum()):,} rows match {cond}")
        if (~hit_any).any():
            cats = sorted({c for cond in rules.values() for c in cond})
            det = df.loc[~hit_any, cats].astype(str).agg(" | ".join, axis=1)
            report.drop(fname, df.loc[~hit_any, "_row"], "matches no indicator rule", det)
            combos = det.value_counts()
            report.add("info", step, "rows not used by any indicator rule (by category)",
                       [f"{k} ({n} rows)" for k, n in combos.items()])
    elif "indicator" in cfg:
        ind_frames = [df.assign(_ind=str(cfg["indicator"]))]
    else:
        raise PrepareError(f"{step}: say which indicator the rows feed: indicator: ID, indicators: {{ID: {{column: value}}}} "
                           f"or value_columns: {{column: ID}}")
    df = pd.concat(ind_frames, ignore_index=True)

    # 4. territory
    level = int(tcfg.get("level", 2))
    if "code" in tcfg:
        codes = normalise_codes(df[tcfg["code"]], pad=tcfg.get("pad"), strip_prefix=tcfg.get("strip_prefix"),
                                add_prefix=tcfg.get("add_prefix"), take=tcfg.get("take"))
        raw_codes = df[tcfg["code"]]
        padded = (codes != raw_codes.str.replace(r"\.0+$", "", regex=True)) & (raw_codes != "")
        if padded.any() and tcfg.get("pad"):
            ex = sorted(set(zip(raw_codes[padded], codes[padded])))[:8]
            report.add("info", step, f"codes normalised ({tcfg['code']}: padded to {tcfg['pad']} characters)",
                       [f"{a!r} -> {b!r}" for a, b in ex], count=int(df.loc[padded, "_row"].nunique()))
        unassigned_re = tcfg.get("unassigned")
        unassigned = codes.str.match(unassigned_re) if unassigned_re else pd.Series(False, index=df.index)
        tid = codes.where(~unassigned, "")
    else:
        unassigned_re = tcfg.get("unassigned_names")
        unassigned = (df[tcfg["name"]].map(fold_name).str.match(unassigned_re)
                      if unassigned_re else pd.Series(False, index=df.index))
        tid = match_names(df, tcfg, terr, step, report, skip=unassigned)
        tid = tid.where(~unassigned, "")
        # rows kept apart are labelled by their parent and name ('Oaxaca / Otros Municipios')
        label = (df[tcfg["parent_name"]] + " / " + df[tcfg["name"]]) if tcfg.get("parent_name") else df[tcfg["name"]]
        codes = tid.where(~unassigned, label)
    df = df.assign(_tid=tid, _code=codes, _unassigned=unassigned)
    first_ind = df.drop_duplicates("_row")  # drops/listing once per source row
    known = terr.ids.get(level, set())
    if "code" in tcfg:
        bl = first_ind[(first_ind["_tid"] == "") & ~first_ind["_unassigned"]]
        if len(bl):
            report.add("warning", step, f"rows with a blank territory code ({tcfg['code']}), left out",
                       [f"row {r}" for r in bl["_row"]])
            report.drop(fname, bl["_row"], "blank territory code")
    else:
        bl = first_ind[(first_ind["_tid"] == "") & ~first_ind["_unassigned"]]
        report.drop(fname, bl["_row"], "name matched no territory",
                    (bl[tcfg["parent_name"]] + " / " if tcfg.get("parent_name") else "") + bl[tcfg["name"]])
    nm = first_ind[(first_ind["_tid"] != "") & ~first_ind["_tid"].isin(known)]
    if "code" in tcfg:
        report.check("no_boundary", step, int(nm["_tid"].nunique()))
    report.check("kept_apart", step, len(first_ind[first_ind["_unassigned"]]))
    if len(nm):
        counts = nm["_tid"].value_counts()
        report.add("warning", step, f"codes in the data with no admin{level} boundary (rows left out)",
                   [f"{c} ({n} rows)" for c, n in counts.items()])
        report.drop(fname, nm["_row"], f"code has no admin{level} boundary", nm["_tid"])
    ua = first_ind[first_ind["_unassigned"]]
    if len(ua):
        if "code" in tcfg and tcfg.get("name"):
            items = [f"{k}: {v}" for k, v in ua.groupby("_code")[tcfg["name"]].first().items()]
        else:
            items = [f"{k} ({n} rows)" for k, n in ua["_code"].value_counts().sort_index().items()]
        report.add("info", step, "rows kept apart: not a territory (e.g. XX999 'otros municipios', 'no especificado'); "
                   "their totals are in prepare_report/unassigned.csv", items)
        report.drop(fname, ua["_row"], "kept apart (not a territory)", ua["_code"])

    # 5. sex
    if isinstance(sex_cfg, dict):
        smap = {str(k).strip().casefold(): str(v) for k, v in sex_cfg.get("map", {}).items()}
        bad_targets = set(smap.values()) - set(SEXES) - {"drop"}
        if bad_targets:
            raise PrepareError(f"{step}: sex.map values must be total, female, male or drop; got {sorted(bad_targets)}")
        sex = df[sex_cfg["column"]].str.casefold().map(lambda v: smap.get(v, v if v in SEXES else ""))
        unk = sex == ""
        if unk.any():
            vals = df.loc[unk, sex_cfg["column"]].value_counts()
            report.add("warning", step, f"sex values not in sex.map (rows left out)", [f"{k!r} ({n} rows)" for k, n in vals.items()])
            rows_unk = df.loc[unk].drop_duplicates("_row")
            report.drop(fname, rows_unk["_row"], "sex value not mapped", rows_unk[sex_cfg["column"]])
        dropped_sex = sex == "drop"
        if dropped_sex.any():
            rows_d = df.loc[dropped_sex].drop_duplicates("_row")
            report.drop(fname, rows_d["_row"], "sex value mapped to drop", rows_d[sex_cfg["column"]])
        df = df.assign(_sex=sex)
        df = df.loc[~unk & ~dropped_sex]
    else:
        if str(sex_cfg) not in SEXES:
            raise PrepareError(f"{step}: sex must be total, female, male or {{column: ..., map: ...}}; got {sex_cfg!r}")
        df = df.assign(_sex=str(sex_cfg))

    # 6. values to long: one row per (source row, indicator, period)
    year = df[pcfg["year"]].str.replace(r"\.0+$", "", regex=True) if pcfg.get("year") else None
    if year is not None:
        bad_year = ~year.str.match(r"^\d{4}$")
        if bad_year.any():
            rows_b = df.loc[bad_year].drop_duplicates("_row")
            report.add("error", step, f"year ({pcfg['year']}) that is not a 4-digit year (rows left out)",
                       [f"row {r}: {v!r}" for r, v in zip(rows_b["_row"], rows_b[pcfg["year"]])])
            report.drop(fname, rows_b["_row"], "year does not parse", rows_b[pcfg["year"]])
            df, year = df.loc[~bad_year], year[~bad_year]
    long_parts = []
    base_cols = ["_row", "_ind", "_tid", "_code", "_unassigned", "_sex"] + ([tcfg["name"]] if tcfg.get("name") else [])
    if month_cols:
        for col in month_cols:
            m = month_number(col)
            if m is None:
                raise PrepareError(f"{step}: month column {col!r} is not a month name or number")
            part = df[base_cols].assign(_period=year + f"-{m:02d}", _cell=df[col], _col=col)
            long_parts.append(part)
    else:
        if pcfg.get("column"):
            period = parse_period_cells(df[pcfg["column"]], pcfg.get("format"))
        elif pcfg.get("month"):
            mn = df[pcfg["month"]].map(month_number)
            period = year + "-" + mn.map(lambda v: f"{int(v):02d}" if pd.notna(v) else "??")
            period = period.where(mn.notna(), "")
        elif year is not None:
            period = year
        else:
            raise PrepareError(f"{step}: period needs column:, year: with month: or months:, or year: alone")
        bad_p = period == ""
        if bad_p.any():
            rows_b = df.loc[bad_p].drop_duplicates("_row")
            col = pcfg.get("column") or pcfg.get("month")
            report.add("error", step, f"periods that do not parse ({col}; rows left out)",
                       [f"row {r}: {v!r}" for r, v in zip(rows_b["_row"], rows_b[col])])
            report.drop(fname, rows_b["_row"], "period does not parse", rows_b[col])
        df, period = df.loc[~bad_p], period[~bad_p]
        if "value_columns" in cfg:
            for col, ind in cfg["value_columns"].items():
                long_parts.append(df[base_cols].assign(_ind=str(ind), _period=period, _cell=df[col], _col=col))
        else:
            extra = {f"_{b}": df[cfg[b]] for b in ("lower", "upper") if cfg.get(b)}
            long_parts.append(df[base_cols].assign(_period=period, _cell=df[cfg["value"]], _col=cfg["value"], **extra))
    long = pd.concat(long_parts, ignore_index=True)

    # 7. numbers
    values, bad = parse_numbers(long["_cell"], thousands=cfg.get("thousands", ","), decimal=cfg.get("decimal", "."))
    report.check("not_numeric", step, int(bad.sum()))
    if bad.any():
        b = long.loc[bad]
        report.add("warning", step, "cells that are not numbers (kept as missing)",
                   [f"row {r}, column {c!r}: value {v!r}" for r, c, v in zip(b["_row"], b["_col"], b["_cell"])])
    n_blank = int((values.isna() & ~bad).sum())
    long = long.assign(value=values)
    unknown_ind = set(long["_ind"].unique()) - indicator_ids
    if unknown_ind:
        raise PrepareError(f"{step}: indicator ids {sorted(unknown_ind)} are not declared under indicators: in the mapping")
    counts_ind = set(long["_ind"].unique())
    is_count = long["_ind"].map(units).eq("count")
    neg = (long["value"] < 0) & is_count
    report.check("negative", step, int(neg.sum()))
    if neg.any():
        b = long.loc[neg]
        report.add("error", step, "negative counts (set to missing)",
                   [f"row {r}, column {c!r}: value {v!r}" for r, c, v in zip(b["_row"], b["_col"], b["_cell"])])
        long.loc[neg, "value"] = np.nan
    frac = long["value"].notna() & (long["value"] % 1 != 0) & is_count
    report.check("not_whole", step, int(frac.sum()))
    if frac.any():
        b = long.loc[frac]
        report.add("error", step, "counts that are not whole numbers",
                   [f"row {r}, column {c!r}: value {v!r}" for r, c, v in zip(b["_row"], b["_col"], b["_cell"])])
    report.step(step, f"{len(long):,} cells ({n_blank:,} blank = missing, {int(bad.sum()):,} not numbers) "
                      f"for indicators {sorted(counts_ind)}")

    # 8. kept apart / out / in
    keep = (long["_tid"] != "") & long["_tid"].isin(known) & ~long["_unassigned"]
    ua_long = long.loc[long["_unassigned"]]
    unassigned_tbl = _sum_groups(ua_long.rename(columns={"_code": "code"}), ["_ind", "code", "_period", "_sex"]).rename(
        columns={"_ind": "indicator_id", "_period": "period", "_sex": "sex"})
    if tcfg.get("name") and len(ua_long):
        nm_first = ua_long.groupby("_code")[tcfg["name"]].first()
        unassigned_tbl["name"] = unassigned_tbl["code"].map(nm_first)
    unassigned_tbl["table"] = fname
    obs_long = long.loc[keep]
    obs = _sum_groups(obs_long, ["_ind", "_tid", "_period", "_sex"])
    partial = (obs["n_missing"] > 0) & (obs["n_missing"] < obs["n_parts"])
    if partial.any():
        ex = obs.loc[partial].head(20)
        report.add("warning", step, "sums with some parts blank and others not (the sum is left missing)",
                   [f"{i} {t} {p}: {int(m)} of {int(n)} parts blank" for i, t, p, m, n in
                    zip(ex["_ind"], ex["_tid"], ex["_period"], ex["n_missing"], ex["n_parts"])], count=int(partial.sum()))
    obs = obs.rename(columns={"_ind": "indicator_id", "_tid": "territory_id", "_period": "period", "_sex": "sex"})
    cols = ["indicator_id", "territory_id", "period", "sex", "value"]
    for b in ("lower", "upper"):
        if f"_{b}" not in obs_long:
            continue
        # survey intervals: one row per key (an interval cannot be summed)
        multi = obs["n_parts"] > 1
        if multi.any():
            report.add("error", step, f"several rows for one key while the table has {b} bounds (intervals cannot be summed)",
                       [f"{i} {t} {p}" for i, t, p in zip(obs.loc[multi, "indicator_id"], obs.loc[multi, "territory_id"],
                                                           obs.loc[multi, "period"])])
        vals, badb = parse_numbers(obs_long[f"_{b}"], thousands=cfg.get("thousands", ","), decimal=cfg.get("decimal", "."))
        if badb.any():
            bb = obs_long.loc[badb]
            report.add("warning", step, f"{b} cells that are not numbers (kept as missing)",
                       [f"row {r}, column {cfg[b]!r}: value {v!r}" for r, v in zip(bb["_row"], bb[f"_{b}"])])
        first = pd.DataFrame({"indicator_id": obs_long["_ind"], "territory_id": obs_long["_tid"],
                              "period": obs_long["_period"], "sex": obs_long["_sex"], b: vals})
        first = first.drop_duplicates(["indicator_id", "territory_id", "period", "sex"])
        obs = obs.merge(first, on=["indicator_id", "territory_id", "period", "sex"], how="left")
        cols.append(b)
    report.step(step, f"{int(keep.sum()):,} cells from {obs_long['_row'].nunique():,} rows -> {len(obs):,} observations "
                      f"({int(obs['value'].isna().sum()):,} missing); {len(ua_long):,} cells kept apart")
    report.tally(fname, "table", len(table.frame), int(obs_long["_row"].nunique()))
    return TableResult(obs[cols], unassigned_tbl, fname)


def _sum_groups(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum `value` by keys; the sum is NaN when any part is NaN. Adds n_parts and n_missing."""
    if long.empty:
        return pd.DataFrame(columns=keys + ["value", "n_parts", "n_missing"])
    g = long.assign(_miss=long["value"].isna()).groupby(keys, sort=True)
    out = g.agg(value=("value", "sum"), n_parts=("value", "size"), n_missing=("_miss", "sum")).reset_index()
    out["value"] = out["value"].where(out["n_missing"] == 0)
    return out
