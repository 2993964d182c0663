"""Benchmark the table step of `atalaya prepare` on a synthetic SESNSP-layout file at national scale.

    python benchmarks/prepare_tables_scale.py [N_MUNICIPALITIES] [ROWS_PER_MUNICIPALITY] [YEARS]

Writes a latin-1 CSV in the original SESNSP municipal layout (one row per municipality × year × crime ×
modality, twelve month columns, codes without the leading zero) into a temporary folder, then times
`prepare_table` with the `sesnsp_municipal` adapter and one indicator rule per crime type. Defaults
(2,475 × 40 × 2 ≈ 200,000 rows) are about a fifth of one full national SESNSP year range; prints JSON lines.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.prepare.adapters import MONTHS_ES, apply_adapter  # noqa: E402
from analytics.prepare.report import Report  # noqa: E402
from analytics.prepare.tables import Territories, prepare_table  # noqa: E402


def main() -> int:
    n_mun = int(sys.argv[1]) if len(sys.argv) > 1 else 2475
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    years = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    rng = np.random.default_rng(1)
    codes = [f"{1 + i // 100:02d}{1 + i % 100:03d}" for i in range(n_mun)]
    crimes = [f"Delito {k // 4}" for k in range(per)]
    modal = [f"Modalidad {k % 4}" for k in range(per)]
    n = n_mun * per * years
    df = pd.DataFrame({
        "Año": np.repeat(np.arange(2024 - years + 1, 2025), n_mun * per),
        "Clave_Ent": [int(c[:2]) for c in codes for _ in range(per)] * years,
        "Entidad": "Estado",
        "Cve. Municipio": [int(c) for c in codes for _ in range(per)] * years,
        "Municipio": "Municipio",
        "Bien jurídico afectado": "Bien",
        "Tipo de delito": crimes * n_mun * years,
        "Subtipo de delito": crimes * n_mun * years,
        "Modalidad": modal * n_mun * years,
    })
    for m in MONTHS_ES:
        df[m] = rng.poisson(0.5, n)
    df.loc[df["Año"] == 2024, "Diciembre"] = pd.NA  # unpublished month
    folder = Path(tempfile.mkdtemp())
    path = folder / "sesnsp_scale.csv"
    df.to_csv(path, index=False, encoding="latin-1")
    rules = {f"delito_{k}": {"Subtipo de delito": f"Delito {k}"} for k in range(per // 4)}
    cfg = apply_adapter({"path": path.name, "adapter": "sesnsp_municipal", "indicators": rules})
    terr = Territories(ids={2: set(codes)}, names={})
    t0 = time.perf_counter()
    res = prepare_table(cfg, folder, terr, Report(), {k: "count" for k in rules})
    dt = time.perf_counter() - t0
    print(json.dumps({"benchmark": "prepare_tables_scale", "rows": n, "file_mb": round(path.stat().st_size / 1e6, 1),
                      "observations": len(res.observations), "seconds": round(dt, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
