"""Measure the profile page on the bundled demo: the numbers of a profile cold and warm, the page body,
and each export (PNG via kaleido, PDF brief, CSV, Excel). Prints one JSON line per measurement.

    python benchmarks/profile.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import DEMO_DIR  # noqa: E402
from analytics.loader import load_dataset  # noqa: E402


def timed(name: str, fn, **extra) -> object:
    t0 = time.perf_counter()
    out = fn()
    print(json.dumps({"benchmark": "profile", "measure": name, "seconds": round(time.perf_counter() - t0, 3), **extra}))
    return out


def main() -> None:
    from callbacks.profile import body, export_file, profile_data

    ds = timed("load_dataset", lambda: load_dataset(DEMO_DIR))
    from flask import Flask

    from callbacks.context import AppContext, make_cache

    ctx = AppContext(dataset=ds, cache=make_cache(Flask("profile-benchmark")))
    timed("profile_data_cold", lambda: profile_data(ds, ds.main_country), territory=ds.main_country,
          note="first profile in a process: yearly rate tables of every count indicator at 3 levels")
    for tid in ("0101", "0309", "03", "2217"):
        data = timed("profile_data_warm", lambda tid=tid: profile_data(ds, tid), territory=tid)
    data = profile_data(ds, "0309")
    timed("body_layout", lambda: body(ctx, "0309", "homicides", "es", data), territory="0309")
    for kind in ("csv", "xlsx", "png", "png", "pdf", "pdf"):
        out = timed(f"export_{kind}", lambda kind=kind: export_file(ctx, kind, "0309", "homicides", "es", data),
                    territory="0309", note="first png starts the kaleido browser" if kind == "png" else "")
        print(json.dumps({"benchmark": "profile", "measure": f"export_{kind}_bytes",
                          "bytes": len(out["content"]) * 3 // 4}))


if __name__ == "__main__":
    main()
