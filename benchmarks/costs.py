"""Measure the costs page's server work on the bundled demo: the analytics of one selection (key figures,
breakdown, country comparison), the whole view (figures as dicts, notes, key-figure strip), the CSV behind it,
and the size of the figures sent to the browser. Prints one JSON line per measurement.

    python benchmarks/costs.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import costs as ac  # noqa: E402
from analytics.loader import load_dataset  # noqa: E402
from callbacks import costs as cb  # noqa: E402
from callbacks.context import AppContext  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
SELECTIONS = [("undp_infosegura_2019", "GTM", 2019, "usd"), ("undp_infosegura_2019", "HND", 2019, "per_capita"),
              ("idb_2017", "SLV", 2014, "pct_gdp"), ("idb_2017", "LAC", 2014, "usd")]


def timed(fn, repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    ds = load_dataset(DEMO)
    ctx = AppContext(dataset=ds, cache=None)  # type: ignore[arg-type]
    for study, country, year, unit in SELECTIONS:
        sel = {"study": study, "country": country, "year": year, "unit": unit}
        r = timed(lambda: cb.compute(ctx, study, country, year), args.repeat)
        print(json.dumps({"bench": "costs.analytics", **sel, **r}))
        r = timed(lambda: cb.build_view(ctx, study, country, year, unit, "es"), args.repeat)
        v = cb.build_view(ctx, study, country, year, unit, "es")
        size = {"treemap_bytes": len(json.dumps(v.treemap)), "bars_bytes": len(json.dumps(v.bars))}
        print(json.dumps({"bench": "costs.view", **sel, **r, **size}))
        r = timed(lambda: cb.download_frame(ctx, v, "es").to_csv(index=False), args.repeat)
        print(json.dumps({"bench": "costs.csv", **sel, **r, "rows": len(cb.download_frame(ctx, v, "es"))}))
    print(json.dumps({"bench": "costs.rows", "costs_rows": len(ds.costs), "studies": ac.studies(ds.costs),
                      "cpus": os.cpu_count(), "load_avg_1min": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
