"""Time the Trends page's computations on the bundled demo (Guatemala: 340 municipalities × 120 months).

For each case prints one JSON line: name, the median of `--repeat` cold runs in milliseconds (no cache),
and for figures the size of the JSON sent to the browser.

    python benchmarks/trends.py [--repeat 5] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.loader import load_dataset  # noqa: E402
from analytics.trends import (  # noqa: E402
    base_series,
    before_after,
    cross_country,
    level_rates,
    survey_series,
    trend_table,
)
from callbacks.trends import before_after_view, countries_view, main_view, side_view, survey_view  # noqa: E402
from components.trends import default_event  # noqa: E402

EIGHT = ["01", "05", "16", "13", "0108", "0115", "1601", "0501"]


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1] / "data" / "demo"))
    args = ap.parse_args()
    ds = load_dataset(args.data)
    ev = default_event(ds)
    cases = {
        "trend_table country monthly rate": lambda: trend_table(ds, "homicides", ["GTM"], "M", "rate", "none"),
        "trend_table municipality monthly rate": lambda: trend_table(ds, "homicides", ["0108"], "M", "rate", "none"),
        "trend_table 8 territories + national, 12-month rolling rate":
            lambda: trend_table(ds, "homicides", EIGHT + ["GTM"], "M", "rate", "roll12"),
        "base_series country monthly + before_after":
            lambda: before_after(base_series(ds, "homicides", "GTM", "M").set_index("period_start")["rate"],
                                 ds.events.loc[int(ev), "date"], 6),
        "cross_country": lambda: cross_country(ds),
        "survey_series department by sex": lambda: survey_series(ds, "trust_police_national", "08", ("female", "male")),
    }
    memo: dict = {}

    def level_table(ind, level, freq, sex):  # what ctx.memoize does in the app
        key = (ind, level, freq, sex)
        if key not in memo:
            memo[key] = level_rates(ds, ind, level, freq, sex)
        return memo[key]

    def cold_levels():
        memo.clear()
        return trend_table(ds, "homicides", EIGHT + ["GTM"], "M", "rate", "roll12", level_table=level_table)

    cases["trend_table 8 territories + national via level tables, cold (3 levels computed)"] = cold_levels
    cases["trend_table 8 other territories via level tables, warm (levels memoized)"] = lambda: trend_table(
        ds, "homicides", ["02", "03", "04", "0101", "0102", "0103", "0104", "0105"], "M", "rate", "roll12",
        level_table=level_table)
    for name, fn in cases.items():
        ms, _ = timed(fn, args.repeat)
        print(json.dumps({"benchmark": "trends", "case": name, "median_ms": round(ms, 1), "repeat": args.repeat}))
    figures = {
        "main_view 8 territories roll12 (figure)":
            lambda: main_view(ds, "homicides", EIGHT, "rate", "M", "roll12", True, True, "es"),
        "before_after_view (figure)": lambda: before_after_view(ds, "homicides", ev, 6, "rate", "es"),
        "countries_view (figure)": lambda: countries_view(ds, "es"),
        "survey_view by sex (figure)": lambda: survey_view(ds, "trust_police_national", "GTM", "sex", "es"),
        "side_view (figure)": lambda: side_view(ds, "homicides", "trust_police_national", "GTM", "es"),
    }
    for name, fn in figures.items():
        ms, view = timed(fn, args.repeat)
        size = len(json.dumps(view.figure, default=str).encode())  # type: ignore[attr-defined]
        print(json.dumps({"benchmark": "trends", "case": name, "median_ms": round(ms, 1), "figure_bytes": size,
                          "repeat": args.repeat}))


if __name__ == "__main__":
    main()
