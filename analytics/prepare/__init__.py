"""`atalaya prepare`: official boundaries and tables -> a prepared dataset (docs/data-contract.md),
with a validation report. See docs/importing.md for the walk-through and the mapping file.

    atalaya prepare MAPPING.yaml --out DIR [--input-dir DIR] [--force]

Exit codes: 0 the dataset was written and passes `atalaya validate` with no error in the report;
1 written but the report has errors or the validator rejects it; 2 the mapping or an input could not
be used (nothing valid written).

Modules: readers (encodings, numbers, codes, names), boundaries, tables (indicator tables), population,
checks, report, adapters (ready layouts such as `sesnsp_municipal`), mapping (the mapping file).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.prepare.boundaries import Level, dissolve_level1, load_level, write_level
from analytics.prepare.checks import check_all_zero, check_coverage, check_duplicates, check_frequencies, check_gaps, check_rates
from analytics.prepare.mapping import load_mapping
from analytics.prepare.population import prepare_population, sum_up
from analytics.prepare.readers import PrepareError
from analytics.prepare.report import Report
from analytics.prepare.tables import Territories, prepare_table

__all__ = ["cli", "prepare", "PrepareResult", "PrepareError"]

REPORT_DIR = "prepare_report"
INDICATOR_COLUMNS = ["indicator_id", "domain", "label_es", "label_en", "unit", "higher_is_worse", "rate_base",
                     "rate_per", "source", "synthetic", "description_es", "description_en"]


@dataclass
class PrepareResult:
    out_dir: Path
    report: Report
    report_path: Path
    problems: list[Any]  # validator problems (empty when valid)
    exit_code: int


def prepare(mapping_path: Path | str, out_dir: Path | str, input_dir: Path | str | None = None,
            force: bool = False, echo: bool = False) -> PrepareResult:
    """Run the whole preparation. Raises PrepareError when the mapping or an input cannot be used; the
    output folder is then removed (it would hold a partial dataset). An existing folder is replaced only
    with force=True and only when it holds a prepared dataset."""
    t_start = time.perf_counter()
    mapping_path = Path(mapping_path)
    cfg = load_mapping(mapping_path)
    in_dir = Path(input_dir) if input_dir else mapping_path.resolve().parent
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise PrepareError(f"{out} exists and is not empty; use --force to replace it")
        if not (out / "datapackage.json").exists() and not (out / REPORT_DIR).exists():
            raise PrepareError(f"{out} is not empty and does not look like a prepared dataset; refusing to overwrite it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        return _prepare(cfg, mapping_path, in_dir, out, echo, t_start)
    except PrepareError:
        shutil.rmtree(out, ignore_errors=True)
        raise


def _prepare(cfg: dict[str, Any], mapping_path: Path, in_dir: Path, out: Path, echo: bool,
             t_start: float) -> PrepareResult:
    report = Report()
    report.fact("mapping", str(mapping_path))
    report.fact("input folder", str(in_dir))

    def say(msg: str) -> None:
        if echo:
            print(f"  … {msg}", flush=True)

    country = cfg["country"]
    cid = country["id"]
    b = cfg["boundaries"]
    precision = int(b.get("precision", 5))

    # boundaries
    t0 = time.perf_counter()
    levels: dict[int, Level] = {}
    say("reading boundaries")
    if "admin1" in b and "path" in b["admin1"]:
        levels[1] = load_level(b["admin1"], 1, in_dir, report, None, cid)
    if "admin2" in b:
        levels[2] = load_level(b["admin2"], 2, in_dir, report, set(levels[1].frame["territory_id"]) if 1 in levels else None, cid)
        if 1 not in levels:
            levels[1] = dissolve_level1(levels[2], b.get("admin1", {}), in_dir, report, cid)
    if not levels:
        raise PrepareError(f"{mapping_path}: boundaries needs admin1 and/or admin2")
    territories = pd.concat(
        [pd.DataFrame([{"territory_id": cid, "name": country["name"], "level": 0, "parent_id": "", "country_iso3": country["iso3"]}])]
        + [lv.frame.drop(columns="geometry").assign(level=lv.level, country_iso3=country["iso3"]) for lv in levels.values()],
        ignore_index=True)[["territory_id", "name", "level", "parent_id", "country_iso3"]]
    clash = territories["territory_id"].duplicated(keep=False)
    if clash.any():
        raise PrepareError(f"territory ids used at two levels: {sorted(set(territories.loc[clash, 'territory_id']))[:10]}; "
                           f"add a prefix to one level (id: {{add_prefix: ...}})")
    say("simplifying and writing boundaries")
    for lv in levels.values():
        key = f"admin{lv.level}"
        write_level(lv, out, b.get(key, {}).get("simplify", b.get("simplify")), precision, report)
    report.fact("time: boundaries", f"{time.perf_counter() - t0:.1f} s")
    known = {lv.level: set(lv.frame["territory_id"]) for lv in levels.values()}
    terr = Territories(ids=known, names={lv.level: lv.frame[["territory_id", "name", "parent_id"]] for lv in levels.values()})

    # indicators
    ind = pd.DataFrame([{"indicator_id": k, **v} for k, v in cfg["indicators"].items()])

    # tables
    t0 = time.perf_counter()
    obs_parts, unassigned = [], []
    for tcfg in cfg["tables"]:
        say(f"reading {tcfg['path']}")
        res = prepare_table(tcfg, in_dir, terr, report, dict(zip(ind["indicator_id"], ind["unit"])))
        obs_parts.append(res.observations)
        if len(res.unassigned):
            unassigned.append(res.unassigned)
    obs = pd.concat(obs_parts, ignore_index=True) if obs_parts else pd.DataFrame(
        columns=["indicator_id", "territory_id", "period", "sex", "value"])
    obs = check_duplicates(obs, report)
    unused = sorted(set(ind["indicator_id"]) - set(obs["indicator_id"]))
    if unused:
        report.add("warning", "indicators", "declared indicators with no observation (left out of indicators.csv)", unused)
        ind = ind[~ind["indicator_id"].isin(unused)]
    report.fact("time: tables", f"{time.perf_counter() - t0:.1f} s")

    # population
    t0 = time.perf_counter()
    pops = [prepare_population(p, in_dir, known, report) for p in cfg.get("population", [])]
    pop = pd.concat(pops, ignore_index=True) if pops else pd.DataFrame(columns=["territory_id", "year", "sex", "age_group", "population"])
    pop = sum_up(pop, territories, report) if len(pop) else pop
    report.fact("time: population", f"{time.perf_counter() - t0:.1f} s")

    # checks
    say("checking")
    check_frequencies(obs, report)
    check_coverage(obs, territories, report)
    check_all_zero(obs, report)
    check_gaps(obs, report)
    check_rates(obs, ind, pop, report, float(cfg.get("checks", {}).get("max_rate_per_100k", 1000)))

    # write
    fmt = cfg.get("output", {}).get("format", "csv")
    write_table(territories, out, "territories", "csv")
    write_table(pop.sort_values(["territory_id", "year", "sex", "age_group"]), out, "population", fmt)
    ind_out = ind.copy()
    for c in INDICATOR_COLUMNS:
        if c not in ind_out:
            ind_out[c] = ""
    ind_out["rate_per"] = ind_out["rate_per"].map(lambda v: "" if v in ("", None) or pd.isna(v) else str(int(v)))
    for c in ("higher_is_worse", "synthetic"):
        ind_out[c] = ind_out[c].map(lambda v: "true" if v is True or str(v).lower() == "true" else "false")
    write_table(ind_out[INDICATOR_COLUMNS], out, "indicators", "csv")
    obs = obs.sort_values(["indicator_id", "territory_id", "period", "sex"]).reset_index(drop=True)
    obs_cols = ["indicator_id", "territory_id", "period", "sex", "value"] + [b for b in ("lower", "upper") if b in obs]
    write_table(obs[obs_cols], out, "observations", fmt, numeric=[c for c in ("value", "lower", "upper") if c in obs])
    if unassigned:
        ua = pd.concat(unassigned, ignore_index=True)
        (out / REPORT_DIR).mkdir(parents=True, exist_ok=True)
        ua.assign(value=_num_text(ua["value"])).to_csv(out / REPORT_DIR / "unassigned.csv", index=False)
        tot_ua = ua.groupby("indicator_id")["value"].sum(min_count=1)
        tot_obs = obs.groupby("indicator_id")["value"].sum(min_count=1)
        report.add("info", "kept apart", "totals in rows that are not a territory (not on the map; summed over all periods)",
                   [f"{i}: {v:,.0f} ({v / (v + tot_obs.get(i, 0)) * 100:.1f}% of the table's total)"
                    for i, v in tot_ua.items() if pd.notna(v) and v + tot_obs.get(i, 0) > 0])
    write_datapackage(cfg, out, fmt, tuple(b for b in ("lower", "upper") if b in obs))
    for name in ("territories", "population", "indicators", "observations"):
        f = next(out.glob(f"{name}.*"))
        report.fact(f.name, f"{_rows(f):,} rows, {f.stat().st_size / 1000:,.0f} kB")
    report.step("observations", f"{len(obs):,} observations of {obs['indicator_id'].nunique()} indicator(s) "
                                f"({int(obs['value'].isna().sum()):,} missing) for {obs['territory_id'].nunique():,} territories")

    # validate with the project's validator
    from analytics.loader import validate_dataset

    t0 = time.perf_counter()
    problems = validate_dataset(out)
    report.fact("time: validation", f"{time.perf_counter() - t0:.1f} s")
    if problems:
        report.add("error", "atalaya validate", "the prepared dataset does not pass validation", [str(p) for p in problems])
    else:
        report.step("atalaya validate", "the prepared dataset passes")
    lost = report.unaccounted()
    if lost:
        report.add("error", "rows", "rows neither used nor listed as left out (a bug: please report it)", lost)
    report.fact("time: total", f"{time.perf_counter() - t_start:.1f} s")
    md = report.write(out / REPORT_DIR, f"Preparation report — {cfg['dataset']['title']}")
    code = 0 if not report.errors else 1
    return PrepareResult(out, report, md, problems, code)


def _rows(path: Path) -> int:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    with open(path, encoding="utf-8") as fh:
        return sum(1 for _ in fh) - 1


def _num_text(values: pd.Series) -> pd.Series:
    """Numbers as text: whole numbers without '.0', blanks for missing."""
    return pd.Series([("" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(float(v))))
                      for v in values], index=values.index, dtype=object)


def write_table(df: pd.DataFrame, out: Path, name: str, fmt: str, numeric: list[str] | None = None) -> Path:
    if name == "population":
        df = df.assign(population=df["population"].astype("float64"))
        if (df["population"] % 1 == 0).all():
            df = df.assign(population=df["population"].astype("int64"))
    if fmt == "parquet":
        path = out / f"{name}.parquet"
        df.to_parquet(path, index=False)
    else:
        path = out / f"{name}.csv"
        for col in numeric or []:
            df = df.assign(**{col: _num_text(df[col])})
        df.to_csv(path, index=False, lineterminator="\n")
    return path


def write_datapackage(cfg: dict[str, Any], out: Path, fmt: str, bounds: tuple[str, ...] = ()) -> None:
    d = dict(cfg["dataset"])
    d.setdefault("name", "atalaya-prepared")
    d["contract_version"] = "1.0"
    d["synthetic"] = bool(d.get("synthetic", False))
    d["sources"] = cfg.get("sources", [])
    d["licenses"] = cfg.get("licenses", [])
    d["prepared_by"] = "atalaya prepare"
    fields = {
        "territories": [("territory_id", "string"), ("name", "string"), ("level", "integer"), ("parent_id", "string"),
                        ("country_iso3", "string")],
        "population": [("territory_id", "string"), ("year", "integer"), ("sex", "string"), ("age_group", "string"),
                       ("population", "number")],
        "indicators": [(c, "boolean" if c in ("higher_is_worse", "synthetic") else "integer" if c == "rate_per" else "string")
                       for c in INDICATOR_COLUMNS],
        "observations": [("indicator_id", "string"), ("territory_id", "string"), ("period", "string"), ("sex", "string"),
                         ("value", "number")] + [(b, "number") for b in bounds],
    }
    res = []
    for name, fl in fields.items():
        f = "csv" if name in ("territories", "indicators") else fmt
        res.append({"name": name, "path": f"{name}.{f}", "format": f,
                    "schema": {"fields": [{"name": n, "type": t} for n, t in fl]}})
    d["resources"] = res
    (out / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False, indent=1), encoding="utf-8")


def cli(argv: list[str]) -> int:
    """`atalaya prepare MAPPING --out DIR [--input-dir DIR] [--force]`; returns the exit code."""
    ap = argparse.ArgumentParser(prog="atalaya prepare",
                                 description="Turn official boundaries and tables into a prepared dataset "
                                             "(see docs/importing.md).")
    ap.add_argument("mapping", help="the mapping file (YAML), e.g. docs/examples/mexico_sesnsp.yaml")
    ap.add_argument("--out", required=True, help="output folder for the prepared dataset")
    ap.add_argument("--input-dir", default=None,
                    help="folder the mapping's file paths are relative to (default: the mapping file's folder)")
    ap.add_argument("--force", action="store_true", help="replace the output folder if it holds a prepared dataset")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    print(f"atalaya prepare {args.mapping} -> {args.out}")
    try:
        res = prepare(args.mapping, args.out, args.input_dir, force=args.force, echo=True)
    except PrepareError as err:
        print(f"atalaya prepare: {err}", file=sys.stderr)
        return 2
    print(res.report.terminal())
    print(f"Report: {res.report_path}")
    if res.exit_code == 0:
        print(f"Ready: atalaya serve --data {res.out_dir}")
    else:
        print("The dataset has errors (see the report); fix the inputs or the mapping and run again.", file=sys.stderr)
    return res.exit_code
