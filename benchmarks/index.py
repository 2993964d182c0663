"""Benchmark of the VAWG index at 2,475 synthetic municipalities (7 indicators, 4 dimensions, as in
the demo configuration). Prints one JSON line per measurement (median of repeated runs, seconds).

    /work/venv/bin/python benchmarks/index.py

Targets (issue #6): recompute after a weight change ≤ 50 ms; 1,000 Monte Carlo draws ≤ 2 s.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics import vawg_index as vi  # noqa: E402

N = 2475


def synthetic_inputs(n: int = N, seed: int = 1) -> vi.IndexInputs:
    raw = json.loads((ROOT / "data" / "demo" / "index.json").read_text()) if (ROOT / "data/demo/index.json").exists() \
        else None
    if raw is None:
        raw = {"dimensions": [
            {"id": "life", "weight": 0.25, "indicators": [{"indicator_id": "violent_deaths_women"}]},
            {"id": "integrity", "weight": 0.25, "indicators": [{"indicator_id": "sexual_violence"},
                                                                {"indicator_id": "vawg_complaints"},
                                                                {"indicator_id": "missing_women"}]},
            {"id": "property", "weight": 0.25, "indicators": [{"indicator_id": "robbery_extortion_women"}]},
            {"id": "risk", "weight": 0.25, "indicators": [{"indicator_id": "adolescent_births"},
                                                          {"indicator_id": "poverty"}]}],
            "method": {"end_year": 2024}}
    cfg = vi.parse_index_config(raw)
    rng = np.random.default_rng(seed)
    ids = [f"{i:05d}" for i in range(n)]
    values = pd.DataFrame(rng.gamma(2.0, 20.0, size=(n, len(cfg.indicator_ids))), index=ids,
                          columns=cfg.indicator_ids)
    values = values.mask(rng.random(values.shape) < 0.01)  # 1 % missing, imputed
    deps = pd.Series([f"D{i % 60:02d}" for i in range(n)], index=ids)
    return vi.inputs_from_values(values, deps, cfg)


def timeit(fn: Callable[[], Any], repeat: int = 15) -> tuple[float, Any]:
    out = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def emit(name: str, seconds: float, **extra: Any) -> None:
    print(json.dumps({"benchmark": f"index.{name}", "municipalities": N, "seconds": round(seconds, 4),
                      "cpus": os.cpu_count(), "load_avg_1min": round(os.getloadavg()[0], 1), **extra}), flush=True)


def main() -> None:
    t0 = time.perf_counter()
    inputs = synthetic_inputs()
    emit("prepare_synthetic_inputs_with_imputation", time.perf_counter() - t0)
    cfg = inputs.config
    weights = iter(np.random.default_rng(2).dirichlet(np.ones(4), size=1000))
    for method in ("quantiles", "fixed", "natural_breaks"):
        c = cfg.with_method(classification=method)
        s, _ = timeit(lambda: vi.compute_from_inputs(inputs, c, weights=list(next(weights))),
                      repeat=15 if method != "natural_breaks" else 5)
        emit(f"weight_change_recompute.{method}", s, target_seconds=0.05)
    tr = vi.treat(inputs, cfg)
    s, _ = timeit(lambda: vi.compute_from_inputs(inputs, cfg, weights=list(next(weights)), treated=tr), repeat=25)
    emit("weight_change_recompute.cached_steps_4_5", s, target_seconds=0.05)
    for norm in vi.NORMALIZATIONS:
        for agg in vi.AGGREGATIONS:
            c = cfg.with_method(normalization=norm, aggregation=agg)
            s, _ = timeit(lambda: vi.compute_from_inputs(inputs, c, weights=list(next(weights))), repeat=9)
            emit(f"weight_change_recompute.{norm}.{agg}", s, target_seconds=0.05)
    s, variants = timeit(lambda: vi.normalized_variants(inputs), repeat=5)
    emit("normalized_variants", s)
    s, mc = timeit(lambda: vi.monte_carlo(variants, cfg, draws=1000), repeat=5)
    emit("monte_carlo_1000_draws", s, target_seconds=2.0)
    s, _ = timeit(lambda: vi.monte_carlo(vi.normalized_variants(inputs), cfg, draws=1000), repeat=5)
    emit("variants_plus_monte_carlo_1000_draws", s, target_seconds=2.0)
    demo = ROOT / "data" / "demo"
    if (demo / "datapackage.json").exists():
        try:
            from analytics.loader import load_dataset
        except ImportError:
            return
        ds = load_dataset(demo)
        dcfg = vi.parse_index_config(ds.index_config or {})
        t1 = time.perf_counter()
        vi.prepare_inputs(ds, dcfg)
        print(json.dumps({"benchmark": "index.demo_prepare_inputs_steps_1_to_3",
                          "municipalities": int((ds.territories["level"] == 2).sum()),
                          "seconds": round(time.perf_counter() - t1, 4), "cpus": os.cpu_count()}), flush=True)


if __name__ == "__main__":
    main()
