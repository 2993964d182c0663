"""Population tables (wide: one column per year, or long) -> population rows of the contract
(territory_id, year, sex, age_group, population), summed up to admin1 and the country where every part
is known."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.prepare.readers import PrepareError, normalise_codes, parse_numbers, read_table, require_columns
from analytics.prepare.report import Report

SEXES = ("total", "female", "male")


def prepare_population(cfg: dict[str, Any], input_dir: Path, known: dict[int, set[str]], report: Report) -> pd.DataFrame:
    """One population source. Layouts:
    - wide: `years: "^\\d{4}$"` (a regex of the year columns, default 4 digits) — one column per year;
    - long: `year: COLUMN` and `value: COLUMN`.
    `territory: {code, pad, ..., level}`, `sex: total|female|male|{column, map}`, `age_group: all|COLUMN`,
    optional `keep_years: [first, last]`."""
    path = input_dir / cfg["path"]
    table = read_table(path, encoding=cfg.get("encoding", "auto"), sheet=cfg.get("sheet"), delimiter=cfg.get("delimiter"))
    fname = path.name
    step = f"population {fname}"
    df = table.frame.assign(_row=np.arange(1, len(table.frame) + 1))
    report.fact(fname, f"{len(df):,} rows, encoding {table.encoding}")
    tcfg = cfg["territory"]
    level = int(tcfg.get("level", 2))
    require_columns(table, [tcfg["code"]], f"population.territory of {fname}")
    df["_tid"] = normalise_codes(df[tcfg["code"]], pad=tcfg.get("pad"), strip_prefix=tcfg.get("strip_prefix"),
                                 add_prefix=tcfg.get("add_prefix"), take=tcfg.get("take"))
    sex_cfg = cfg.get("sex", "total")
    age = cfg.get("age_group", "all")

    if "year" in cfg:  # long
        require_columns(table, [cfg["year"], cfg["value"]], f"population of {fname}")
        long = df.assign(_year=df[cfg["year"]].str.replace(r"\.0+$", "", regex=True), _cell=df[cfg["value"]], _col=cfg["value"])
    else:
        pat = re.compile(cfg.get("years", r"^\d{4}$"))
        ycols = [c for c in df.columns if pat.match(str(c))]
        if not ycols:
            raise PrepareError(f"{step}: no year columns match {pat.pattern!r}; columns are {list(table.frame.columns)}")
        keep = [c for c in df.columns if c not in ycols]
        long = df.melt(id_vars=keep, value_vars=ycols, var_name="_col", value_name="_cell")
        long["_year"] = long["_col"].str.extract(r"(\d{4})", expand=False)
    if isinstance(sex_cfg, dict):
        require_columns(table, [sex_cfg["column"]], f"population.sex of {fname}")
        smap = {str(k).strip().casefold(): str(v) for k, v in sex_cfg.get("map", {}).items()}
        long["_sex"] = long[sex_cfg["column"]].str.casefold().map(lambda v: smap.get(v, v if v in SEXES else ""))
    else:
        long["_sex"] = str(sex_cfg)
    long["_age"] = long[age] if age in table.frame.columns else str(age)
    bad_year = ~long["_year"].fillna("").str.match(r"^\d{4}$")
    if bad_year.any():
        raise PrepareError(f"{step}: years that do not parse: {sorted(set(long.loc[bad_year, '_year'].astype(str)))[:10]}")
    long["_year"] = long["_year"].astype(int)
    if cfg.get("keep_years"):
        lo, hi = (int(x) for x in cfg["keep_years"])
        n0 = len(long)
        long = long[(long["_year"] >= lo) & (long["_year"] <= hi)]
        report.step(step, f"years kept {lo}–{hi}: {n0 - len(long):,} year cells of other years not used")
    values, bad = parse_numbers(long["_cell"], thousands=cfg.get("thousands", ","), decimal=cfg.get("decimal", "."))
    long = long.assign(population=values)
    report.check("pop_not_numeric", step, int(bad.sum()))
    if bad.any():
        b = long.loc[bad]
        report.add("warning", step, "population cells that are not numbers (left out)",
                   [f"row {r}, column {c!r}: value {v!r}" for r, c, v in zip(b["_row"], b["_col"], b["_cell"])])
    neg = long["population"] < 0
    report.check("pop_negative", step, int(neg.sum()))
    if neg.any():
        b = long.loc[neg]
        report.add("error", step, "negative populations (left out)",
                   [f"row {r}, column {c!r}: value {v!r}" for r, c, v in zip(b["_row"], b["_col"], b["_cell"])])
        long.loc[neg, "population"] = np.nan
    if isinstance(sex_cfg, dict):
        bad_targets = set(smap.values()) - set(SEXES) - {"drop"}
        if bad_targets:
            raise PrepareError(f"{step}: sex.map values must be total, female, male or drop; got {sorted(bad_targets)}")
        dropped = long.loc[long["_sex"] == "drop"].drop_duplicates("_row")
        if len(dropped):
            report.drop(fname, dropped["_row"], "sex value mapped to drop", dropped[sex_cfg["column"]])
    unsexed = long["_sex"].isin(["", "drop"])
    if (long["_sex"] == "").any():
        report.add("warning", step, "sex values not in sex.map (left out)",
                   sorted(set(long.loc[long["_sex"] == "", sex_cfg["column"]])))
        miss_rows = long.loc[long["_sex"] == ""].drop_duplicates("_row")
        report.drop(fname, miss_rows["_row"], "sex value not mapped", miss_rows[sex_cfg["column"]])
    ids = known.get(level, set())
    nob = ~long["_tid"].isin(ids)
    report.check("pop_no_boundary", step, int(long.loc[nob, "_tid"].nunique()))
    if nob.any():
        rows = long.loc[nob].drop_duplicates("_row")
        report.add("warning", step, f"codes with no admin{level} boundary (left out)", sorted(set(rows["_tid"])))
        report.drop(fname, rows["_row"], f"population code has no admin{level} boundary", rows["_tid"])
    miss = long["population"].isna() & ~nob & ~unsexed
    if miss.any():
        m = long.loc[miss]
        report.add("warning", step, "blank or unusable population cells (no population for that year; rates there stay missing)",
                   [f"{t} {y}" for t, y in zip(m["_tid"], m["_year"])])
    good = long.loc[~nob & ~miss & ~unsexed]
    out = pd.DataFrame({"territory_id": good["_tid"], "year": good["_year"], "sex": good["_sex"],
                        "age_group": good["_age"], "population": good["population"]})
    dup = out.duplicated(["territory_id", "year", "sex", "age_group"], keep=False)
    if dup.any():
        d = out.loc[dup]
        report.add("error", step, "duplicate population keys (first kept)",
                   sorted({f"{t} {y} {s} {a}" for t, y, s, a in zip(d["territory_id"], d["year"], d["sex"], d["age_group"])}))
        out = out.drop_duplicates(["territory_id", "year", "sex", "age_group"])
    # a row is used when its territory and sex are (its blank year cells are listed above as missing)
    report.tally(fname, "population", len(df), int(long.loc[~nob & ~unsexed, "_row"].nunique()))
    years = sorted(out["year"].unique())
    report.step(step, f"{len(out):,} population values for {out['territory_id'].nunique():,} territories, "
                      f"years {years[0] if years else '-'}–{years[-1] if years else '-'}")
    return out.reset_index(drop=True)


def sum_up(pop: pd.DataFrame, territories: pd.DataFrame, report: Report) -> pd.DataFrame:
    """Add admin1 and country populations as sums of their children, for each (year, sex, age_group),
    only where every child has a value (otherwise the parent's population is left out and listed).
    Levels already present in `pop` (given by the user) are kept as given."""
    t = territories.set_index("territory_id")
    out = [pop]
    have = set(zip(pop["territory_id"], pop["year"], pop["sex"], pop["age_group"]))
    for child_level in (2, 1):
        current = pd.concat(out, ignore_index=True)
        kids = t.index[t["level"] == child_level]
        if len(kids) == 0:
            continue
        n_kids = t.loc[kids].groupby("parent_id").size()
        cur = current[current["territory_id"].isin(kids)]
        if cur.empty:
            continue
        cur = cur.assign(parent=cur["territory_id"].map(t["parent_id"]))
        agg = cur.groupby(["parent", "year", "sex", "age_group"]).agg(population=("population", "sum"), n=("population", "size")).reset_index()
        agg["expected"] = agg["parent"].map(n_kids)
        complete = agg["n"] == agg["expected"]
        incomplete = agg.loc[~complete]
        if len(incomplete):
            report.add("warning", "population", f"{'country' if child_level == 1 else 'admin1'} populations not summed because some of their "
                       f"admin{child_level} parts lack a value", [f"{p} {y} {s}: {n} of {e} parts" for p, y, s, n, e in
                       zip(incomplete["parent"], incomplete["year"], incomplete["sex"], incomplete["n"], incomplete["expected"])])
        agg = agg.loc[complete]
        agg = agg[[(p, y, s, a) not in have for p, y, s, a in zip(agg["parent"], agg["year"], agg["sex"], agg["age_group"])]]
        out.append(agg.rename(columns={"parent": "territory_id"})[["territory_id", "year", "sex", "age_group", "population"]])
    res = pd.concat(out, ignore_index=True)
    report.step("population", f"{len(pop):,} values given, {len(res) - len(pop):,} summed up to admin1 and the country")
    return res
