"""Benchmark `atalaya prepare` on the real Mexican files (INEGI boundaries, CONAPO, SESNSP), if present.

    python benchmarks/prepare_mexico.py [REALDATA_DIR] [OUT_DIR]

Prints JSON lines: one per timed step (from the preparation report) and one per output file with its
size and gzip size. Prints {"skipped": ...} and exits 0 when the folder is absent (fresh machines).
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.prepare import prepare  # noqa: E402


def main() -> int:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/realdata/mexico")
    if not (src / "municipios_mg2025.geojson").exists():
        print(json.dumps({"benchmark": "prepare_mexico", "skipped": f"{src} not found"}))
        return 0
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp()) / "mexico_prepared"
    t0 = time.perf_counter()
    res = prepare(ROOT / "docs" / "examples" / "mexico_sesnsp.yaml", out, src, force=True)
    total = time.perf_counter() - t0
    for label, value in res.report.facts:
        if label.startswith("time: "):
            print(json.dumps({"benchmark": "prepare_mexico", "step": label[6:], "seconds": float(value.split()[0])}))
    print(json.dumps({"benchmark": "prepare_mexico", "step": "wall total", "seconds": round(total, 1),
                      "exit_code": res.exit_code}))
    for f in sorted(p for p in out.rglob("*") if p.is_file() and "prepare_report" not in p.parts):
        raw = f.read_bytes()
        print(json.dumps({"benchmark": "prepare_mexico", "file": str(f.relative_to(out)), "bytes": len(raw),
                          "gzip_bytes": len(gzip.compress(raw, 9))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
