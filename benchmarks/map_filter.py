"""Map explorer: bytes and server time of a filter change (Patch) against the naive full figure.

For the demo (340 municipalities) and a Mexico-scale dataset (2,475 municipalities × 120 months ×
20 indicators, generated into a temporary folder in the data contract's format), prints JSON lines:

- `filter_change`: the figure Patch the filter-change callback returns (values only), serialized with
  plotly's JSON encoder as Dash does: bytes (raw and gzip) and server time p50/p95 over N distinct
  filter changes, cold (memo cache cleared before each call) and warm (repeated, memo hits);
- `callback_response`: the whole response of the page's update callback (Patch + legend + source +
  ranking query and columns + selection card), raw and gzip;
- `ranking_block`: the first block of 100 ranking rows the grid then asks for (infinite row model):
  server time and bytes;
- `first_load`: the initial figure plus the boundary files (gzip, as served by app.py);
- `naive`: the same map rebuilt as one full figure with the geometry embedded, on each change;
- `ratio`: naive bytes / Patch bytes.

Geometry of the Mexico-scale dataset: INEGI's 2,475 municipalities from /work/shared/realdata/mexico
when that folder exists (simplified with shapely.coverage_simplify as `prepare` would), else a
generated Voronoi partition with jagged (segmentized) borders of similar size.

    python benchmarks/map_filter.py [--calls 30] [--only demo|mexico] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REALDATA = Path("/work/shared/realdata/mexico")
N_STATES, N_MUNIS, N_INDICATORS = 32, 2475, 20
YEARS = list(range(2015, 2025))


# ---- the Mexico-scale dataset ---------------------------------------------------------------------
def _round(g: Any) -> Any:
    """Coordinates rounded to 4 decimals (~11 m), as the prepared boundaries are."""
    import shapely

    return shapely.transform(g, lambda c: np.round(c, 4))


def _real_geometry() -> tuple[list[dict], list[dict], pd.DataFrame] | None:
    import shapely

    path = REALDATA / "municipios_mg2025.geojson"
    if not path.exists():
        return None
    gj = json.loads(path.read_text(encoding="utf-8"))
    feats = gj["features"]
    ids = [f["properties"]["CVEGEO"] for f in feats]
    names = [f["properties"]["NOMGEO"] for f in feats]
    geoms = [shapely.geometry.shape(f["geometry"]) for f in feats]
    geoms = list(shapely.coverage_simplify(np.array(geoms, dtype=object), tolerance=0.01))
    muni = [{"type": "Feature", "id": i, "properties": {},
             "geometry": json.loads(shapely.to_geojson(_round(g)))}
            for i, g in zip(ids, geoms)]
    states = {}
    for i, g in zip(ids, geoms):
        states.setdefault(i[:2], []).append(g)
    admin1 = [{"type": "Feature", "id": s, "properties": {},
               "geometry": json.loads(shapely.to_geojson(_round(shapely.union_all(shapely.make_valid(gs)))))}
              for s, gs in sorted(states.items())]
    terr = pd.DataFrame({"territory_id": ids, "name": names})
    return muni, admin1, terr


def _generated_geometry() -> tuple[list[dict], list[dict], pd.DataFrame]:
    import shapely

    rng = np.random.default_rng(1)
    pts = shapely.multipoints(np.column_stack([rng.uniform(-117, -87, N_MUNIS), rng.uniform(14.5, 32.5, N_MUNIS)]))
    box = shapely.box(-117.5, 14, -86.5, 33)
    cells = [c.intersection(box) for c in shapely.voronoi_polygons(pts, extend_to=box).geoms]
    cells = sorted(cells, key=lambda c: (round(c.centroid.x), c.centroid.y))
    cells = [_round(shapely.segmentize(c, 0.02)) for c in cells]
    ids = [f"{i % N_STATES + 1:02d}{i // N_STATES + 1:03d}" for i in range(N_MUNIS)]
    muni = [{"type": "Feature", "id": i, "properties": {}, "geometry": json.loads(shapely.to_geojson(c))}
            for i, c in zip(ids, cells)]
    states = {}
    for i, c in zip(ids, cells):
        states.setdefault(i[:2], []).append(c)
    admin1 = [{"type": "Feature", "id": s, "properties": {},
               "geometry": json.loads(shapely.to_geojson(shapely.union_all(gs)))} for s, gs in sorted(states.items())]
    terr = pd.DataFrame({"territory_id": ids, "name": [f"Municipio {i}" for i in ids]})
    return muni, admin1, terr


def generate_mexico(d: Path) -> str:
    """Write the Mexico-scale prepared dataset into `d`; returns where the geometry came from."""
    geo = _real_geometry()
    origin = "INEGI MG2025 (realdata), coverage-simplified 0.01°" if geo else "generated Voronoi"
    muni_feats, state_feats, muni = geo or _generated_geometry()
    (d / "boundaries").mkdir(parents=True, exist_ok=True)
    (d / "boundaries/admin2.json").write_text(json.dumps({"type": "FeatureCollection", "features": muni_feats},
                                                         separators=(",", ":")))
    (d / "boundaries/admin1.json").write_text(json.dumps({"type": "FeatureCollection", "features": state_feats},
                                                         separators=(",", ":")))
    states = sorted({t[:2] for t in muni["territory_id"]})
    terr = pd.DataFrame({
        "territory_id": ["MEX"] + states + muni["territory_id"].tolist(),
        "name": ["México"] + [f"Estado {s}" for s in states] + muni["name"].tolist(),
        "level": [0] + [1] * len(states) + [2] * len(muni),
        "parent_id": [""] + ["MEX"] * len(states) + [t[:2] for t in muni["territory_id"]],
        "country_iso3": "MEX",
    })
    terr.to_csv(d / "territories.csv", index=False)
    rng = np.random.default_rng(7)
    base_pop = rng.lognormal(9.5, 1.3, len(muni)).round() + 500
    rows = []
    for y in YEARS:
        grow = 1 + 0.01 * (y - 2015)
        tot = (base_pop * grow).round()
        fem = (tot * 0.51).round()
        for sex, p in (("total", tot), ("female", fem), ("male", tot - fem)):
            rows.append(pd.DataFrame({"territory_id": muni["territory_id"], "year": y, "sex": sex, "age_group": "all",
                                      "population": p}))
    pop = pd.concat(rows, ignore_index=True)
    states_pop = pop.assign(territory_id=pop["territory_id"].str[:2]).groupby(
        ["territory_id", "year", "sex", "age_group"], as_index=False)["population"].sum()
    nat = pop.assign(territory_id="MEX").groupby(["territory_id", "year", "sex", "age_group"],
                                                 as_index=False)["population"].sum()
    pd.concat([pop, states_pop, nat]).to_parquet(d / "population.parquet", index=False)
    inds = [f"ind{i:02d}" for i in range(N_INDICATORS)]
    bases = ["total" if i % 3 else "female" for i in range(N_INDICATORS)]
    pd.DataFrame({
        "indicator_id": inds, "domain": ["crime" if i % 2 else "vawg" for i in range(N_INDICATORS)],
        "label_es": [f"Indicador {i}" for i in range(N_INDICATORS)],
        "label_en": [f"Indicator {i}" for i in range(N_INDICATORS)], "unit": "count", "higher_is_worse": "true",
        "rate_base": bases, "rate_per": 100000, "source": "bench", "synthetic": "true",
    }).to_csv(d / "indicators.csv", index=False)
    months = [f"{y}-{m:02d}" for y in YEARS for m in range(1, 13)]
    n_t, n_m = len(muni), len(months)
    tid = np.repeat(muni["territory_id"].to_numpy(), n_m)
    per = np.tile(np.array(months), n_t)
    frames = []
    for i, ind in enumerate(inds):
        lam = np.repeat(base_pop * rng.uniform(2, 40) / 100000 / 12, n_m)
        v = rng.poisson(lam).astype(float)
        frames.append(pd.DataFrame({"indicator_id": ind, "territory_id": tid, "period": per,
                                    "sex": "female" if bases[i] == "female" else "total", "value": v}))
    obs = pd.concat(frames, ignore_index=True)
    obs["lower"] = np.nan
    obs["upper"] = np.nan
    obs.to_parquet(d / "observations.parquet", index=False)
    (d / "datapackage.json").write_text(json.dumps({
        "name": "bench-mexico", "title": "Benchmark (Mexico scale, synthetic values)", "contract_version": "1.0",
        "synthetic": True, "sources": [{"id": "bench", "title": "Generated by benchmarks/map_filter.py"}],
    }))
    return origin


# ---- measuring ------------------------------------------------------------------------------------
def _json(obj: Any) -> bytes:
    from plotly.io.json import to_json_plotly

    return to_json_plotly(obj).encode("utf-8")


def _dash_response(outputs: dict[str, Any]) -> bytes:
    """A callback response body as Dash builds it (multi-output)."""
    return _json({"multi": True, "response": outputs})


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def _filter_sequence(ctx: Any, n: int) -> list[dict[str, Any]]:
    """n distinct filter changes at municipal level (indicator, sex, period, measure, method): the
    measures rate, count and change in turn (change sends the most "no data" territories: a zero
    baseline has no percentage)."""
    from analytics.map_values import mappable_indicators, normalize_filters

    ds = ctx.dataset
    inds = [i for i in mappable_indicators(ds) if str(ds.indicator(i)["unit"]) == "count"]
    measures = ["rate", "count", "change"]
    methods = ["quantiles", "natural_breaks", "equal_interval"]
    seq = []
    k = 0
    while len(seq) < n:
        ind = inds[k % len(inds)]
        m = measures[k % len(measures)]
        f = normalize_filters(ds, ind, 2, m, None, "Y", False, None)
        idx = len(f.periods) - 1 - (k // (len(inds) * len(measures))) % len(f.periods)
        seq.append({"indicator": ind, "level": 2, "measure": f.measure, "sex": f.sex, "gran": "Y", "pooled": [],
                    "period_index": idx, "method": methods[(k // 3) % 3], "small": 10, "dept": None})
        k += 1
    return seq


def measure(name: str, data_dir: Path | None, calls: int, geometry_origin: str = "") -> None:
    from app import create_app
    from callbacks import map as cb
    from components import map_figure as mf

    t0 = time.perf_counter()
    app = create_app(data_dir)
    ctx = app.server.config["ATALAYA_CONTEXT"]
    load_s = time.perf_counter() - t0
    n_munis = len(ctx.dataset.territories_at(2, within=ctx.dataset.main_country))
    seq = _filter_sequence(ctx, calls)

    def run(cold: bool) -> tuple[list[float], list[int], list[int], list[int], list[int], list[float], list[int],
                                 list[int]]:
        times, raw, gz, resp_raw, resp_gz = [], [], [], [], []
        btimes, braw, bgz = [], [], []  # the first block of ranking rows the grid then asks for
        for i, s in enumerate(seq):
            if cold:
                ctx.cache.clear()
            else:  # fill the memo cache for this filter first: the timed call is a hit
                cb.compute(ctx, cb.normalize_filters(ctx.dataset, s["indicator"], 2, s["measure"], s["sex"], "Y",
                                                     False, cb.period_from_index(ctx, s["indicator"], 2, s["measure"],
                                                                                 s["sex"], "Y", [], s["period_index"])),
                           10, s["method"])
            t = time.perf_counter()
            patch, f, mv, cls = cb.filter_change(ctx, s["indicator"], s["level"], s["measure"], s["sex"], s["gran"],
                                                 s["pooled"], s["period_index"], s["method"], s["small"], s["dept"],
                                                 None, 2, "es", trigger="map-indicator")
            body = _dash_response({"map-graph": {"figure": patch}})
            times.append(time.perf_counter() - t)
            raw.append(len(body))
            gz.append(len(gzip.compress(body, 6)))
            outs = cb.page_update(ctx, "map-indicator", s["indicator"], s["level"], s["measure"], s["sex"], s["gran"],
                                  s["pooled"], s["period_index"], s["method"], s["small"], s["dept"], "all", None,
                                  {"lang": "es", "level": 2})
            ids = ["map-graph.figure", "map-legend.children", "map-source.children", "map-note.children",
                   "map-note.is_open", "map-period-label.children", "map-state.data", "map-rank-query.data",
                   "map-grid.columnDefs", "map-rank-caption.children", "map-selected.children",
                   "map-flag-key.children"]
            full = _dash_response({k: v for k, v in zip(ids, outs)})
            resp_raw.append(len(full))
            resp_gz.append(len(gzip.compress(full, 6)))
            t = time.perf_counter()
            block = cb.ranking_block(ctx, {"startRow": 0, "endRow": 100, "sortModel": []}, outs[7], "")
            bbody = _dash_response({"map-grid": {"getRowsResponse": block}})
            btimes.append(time.perf_counter() - t)
            braw.append(len(bbody))
            bgz.append(len(gzip.compress(bbody, 6)))
        return times, raw, gz, resp_raw, resp_gz, btimes, braw, bgz

    for label, cold in (("cold", True), ("warm", False)):
        times, raw, gz, rraw, rgz, btimes, braw, bgz = run(cold)
        print(json.dumps({
            "bench": "map_filter", "dataset": name, "municipalities": n_munis, "what": "filter_change",
            "cache": label, "calls": len(times),
            "server_ms_p50": round(statistics.median(times) * 1000, 1),
            "server_ms_p95": round(_pct(times, 0.95) * 1000, 1),
            "patch_kb_p50": round(statistics.median(raw) / 1024, 1), "patch_kb_max": round(max(raw) / 1024, 1),
            "patch_gzip_kb_p50": round(statistics.median(gz) / 1024, 1),
            "callback_response_kb_p50": round(statistics.median(rraw) / 1024, 1),
            "callback_response_gzip_kb_p50": round(statistics.median(rgz) / 1024, 1),
            "callback_response_kb_max": round(max(rraw) / 1024, 1),
            "ranking_block_ms_p95": round(_pct(btimes, 0.95) * 1000, 1),
            "ranking_block_kb_p50": round(statistics.median(braw) / 1024, 1),
            "ranking_block_gzip_kb_p50": round(statistics.median(bgz) / 1024, 1),
        }), flush=True)

    # first load: the initial figure (in the page layout) + boundaries as served (app.py adds the hover
    # labels; gzip, as sent to a browser that accepts it)
    st = cb.initial_state(ctx, {}, "es")
    fig_bytes = _json(st["figure"])
    client = app.server.test_client()
    geo, geo_gz = {}, {}
    for lv in ctx.dataset.boundary_files:
        geo[lv] = client.get(ctx.boundary_url(lv)).data
        geo_gz[lv] = len(client.get(ctx.boundary_url(lv), headers={"Accept-Encoding": "gzip"}).data)
    first_gz = len(gzip.compress(fig_bytes, 6)) + sum(geo_gz.values())
    print(json.dumps({
        "bench": "map_filter", "dataset": name, "municipalities": n_munis, "what": "first_load",
        "figure_kb": round(len(fig_bytes) / 1024, 1),
        "admin2_kb": round(len(geo.get(2, b"")) / 1024, 1), "admin2_gzip_kb": round(geo_gz.get(2, 0) / 1024, 1),
        "admin1_gzip_kb": round(geo_gz.get(1, 0) / 1024, 1),
        "first_load_gzip_kb": round(first_gz / 1024, 1), "geometry": geometry_origin or "dataset",
        "app_start_s": round(load_s, 1),
    }), flush=True)

    # naive: rebuild one full figure with the geometry embedded on every change
    gj2 = json.loads(geo[2])
    ntimes, nraw, ngz = [], [], []
    for s in seq:
        t = time.perf_counter()
        f = cb.normalize_filters(ctx.dataset, s["indicator"], 2, s["measure"], s["sex"], "Y", False,
                                 cb.period_from_index(ctx, s["indicator"], 2, s["measure"], s["sex"], "Y", [],
                                                      s["period_index"]))
        mv, cls = cb.compute(ctx, f, 10, s["method"])
        fig = cb.full_figure(ctx, f, mv, cls, None, None, "es")
        tab = mv.table
        naive = {"data": [{"type": "choroplethmap", "geojson": gj2, "featureidkey": "id",
                           "locations": tab["territory_id"].tolist(), "z": tab["value"].tolist(),
                           "customdata": tab[["count", "population", "rank"]].to_numpy().tolist(),
                           "hovertext": (tab["name"] + ", " + tab["parent_name"]).tolist(),
                           "hovertemplate": fig["data"][0]["hovertemplate"],
                           "colorscale": fig["data"][0]["colorscale"]}],
                 "layout": fig["layout"]}
        body = _dash_response({"map-graph": {"figure": naive}})
        ntimes.append(time.perf_counter() - t)
        nraw.append(len(body))
        ngz.append(len(gzip.compress(body, 6)))
    print(json.dumps({
        "bench": "map_filter", "dataset": name, "municipalities": n_munis, "what": "naive_full_figure",
        "calls": len(ntimes), "server_ms_p50": round(statistics.median(ntimes) * 1000, 1),
        "server_ms_p95": round(_pct(ntimes, 0.95) * 1000, 1),
        "response_kb_p50": round(statistics.median(nraw) / 1024, 1),
        "response_gzip_kb_p50": round(statistics.median(ngz) / 1024, 1),
    }), flush=True)
    _, raw, gz, _, _, _, _, _ = run(False)
    print(json.dumps({
        "bench": "map_filter", "dataset": name, "municipalities": n_munis, "what": "ratio_naive_over_patch",
        "bytes_raw": round(statistics.median(nraw) / statistics.median(raw), 1),
        "bytes_gzip": round(statistics.median(ngz) / statistics.median(gz), 1),
    }), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--only", choices=["demo", "mexico"])
    ap.add_argument("--keep", help="write the Mexico-scale dataset here and keep it")
    args = ap.parse_args()
    if args.only in (None, "demo"):
        measure("demo", None, args.calls)
    if args.only in (None, "mexico"):
        if args.keep:
            d = Path(args.keep)
            d.mkdir(parents=True, exist_ok=True)
            origin = generate_mexico(d) if not (d / "datapackage.json").exists() else "kept"
            measure("mexico_scale", d, args.calls, origin)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                origin = generate_mexico(Path(tmp))
                measure("mexico_scale", Path(tmp), args.calls, origin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
