"""Measure load + validate time of a Mexico-scale prepared dataset (Parquet observations).

Generates 2,475 municipalities x 120 months x 20 indicators (~5.9 million observation rows) into a
temporary folder (or DIR if given), then times `load_dataset`. Prints one JSON line.

    python benchmarks/load_validate.py [--keep DIR] [--csv]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.loader import load_dataset  # noqa: E402

N_STATES, N_MUNIS, N_MONTHS, N_INDICATORS = 32, 2475, 120, 20


def square(x: float, y: float) -> dict:
    """A small square GeoJSON polygon."""
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]]}


def generate(d: Path, csv: bool = False) -> int:
    """Write the big dataset into `d`; returns the number of observation rows."""
    (d / "boundaries").mkdir(parents=True, exist_ok=True)
    (d / "datapackage.json").write_text(json.dumps(
        {"name": "bench", "title": "Bench", "contract_version": "1.0", "synthetic": True}))
    states = [f"{i + 1:02d}" for i in range(N_STATES)]
    munis = [f"{states[i % N_STATES]}{i // N_STATES + 1:03d}" for i in range(N_MUNIS)]
    terr = pd.DataFrame({
        "territory_id": ["MEX"] + states + munis,
        "name": ["México"] + [f"Estado {s}" for s in states] + [f"Municipio {m}" for m in munis],
        "level": [0] + [1] * N_STATES + [2] * N_MUNIS,
        "parent_id": [""] + ["MEX"] * N_STATES + [m[:2] for m in munis],
        "country_iso3": "MEX",
    })
    terr.to_csv(d / "territories.csv", index=False)
    feats2 = [{"type": "Feature", "id": m, "properties": {"territory_id": m},
               "geometry": square((i % 50) * 0.1, (i // 50) * 0.1)} for i, m in enumerate(munis)]
    feats1 = [{"type": "Feature", "id": s, "properties": {"territory_id": s},
               "geometry": square(i * 0.1, -1.0)} for i, s in enumerate(states)]
    (d / "boundaries/admin2.json").write_text(json.dumps({"type": "FeatureCollection", "features": feats2}))
    (d / "boundaries/admin1.json").write_text(json.dumps({"type": "FeatureCollection", "features": feats1}))
    inds = [f"ind{i:02d}" for i in range(N_INDICATORS)]
    pd.DataFrame({
        "indicator_id": inds, "domain": "crime", "label_es": inds, "label_en": inds, "unit": "count",
        "higher_is_worse": "true", "rate_base": "total", "rate_per": 100000, "source": "x", "synthetic": "true",
    }).to_csv(d / "indicators.csv", index=False)
    years = list(range(2015, 2025))
    pop = pd.MultiIndex.from_product([terr["territory_id"], years, ["total", "female", "male"]],
                                     names=["territory_id", "year", "sex"]).to_frame(index=False)
    pop["population"] = 10000.0
    pop.to_parquet(d / "population.parquet", index=False)
    periods = [f"{y}-{m:02d}" for y in years for m in range(1, 13)]
    n = N_MUNIS * N_MONTHS * N_INDICATORS
    rng = np.random.default_rng(1)
    value = rng.poisson(3, n).astype("float64")
    value[rng.random(n) < 0.05] = np.nan
    ind_codes = np.repeat(np.arange(N_INDICATORS), N_MUNIS * N_MONTHS)
    terr_codes = np.tile(np.repeat(np.arange(N_MUNIS), N_MONTHS), N_INDICATORS)
    per_codes = np.tile(np.arange(N_MONTHS), N_MUNIS * N_INDICATORS)
    table = pa.table({
        "indicator_id": pa.DictionaryArray.from_arrays(ind_codes.astype("int32"), inds),
        "territory_id": pa.DictionaryArray.from_arrays(terr_codes.astype("int32"), munis),
        "period": pa.DictionaryArray.from_arrays(per_codes.astype("int32"), periods),
        "sex": pa.DictionaryArray.from_arrays(np.zeros(n, dtype="int32"), ["total"]),
        "value": value,
    })
    if csv:
        table.to_pandas().to_csv(d / "observations.csv", index=False)
    else:
        pq.write_table(table, d / "observations.parquet")
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", type=Path, help="write the dataset here and keep it")
    ap.add_argument("--csv", action="store_true", help="observations as CSV instead of Parquet")
    args = ap.parse_args()
    d = args.keep or Path(tempfile.mkdtemp(prefix="atalaya-bench-"))
    if not (d / "datapackage.json").exists():
        generate(d, csv=args.csv)
    t0, c0 = time.perf_counter(), time.process_time()
    ds = load_dataset(d)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"benchmark": "load_validate", "rows": len(ds.observations),
                      "format": "csv" if args.csv else "parquet", "seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2)}))


if __name__ == "__main__":
    main()
