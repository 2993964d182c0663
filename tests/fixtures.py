"""Reusable builders of small prepared datasets for tests.

`make_small_dataset(dir)` writes a complete, valid prepared dataset (contract 1.0) into `dir`:
two countries (GTM with 2 departments and 4 municipalities as unit squares, SLV national only),
population, three indicators (a monthly count, a quarterly survey percent with confidence intervals
and one missing value, a yearly national rate), costs, events, index.json and boundaries.

Municipality squares (lon, lat):  0201 [0,1]x[1,2]  0202 [1,2]x[1,2]
                                   0101 [0,1]x[0,1]  0102 [1,2]x[0,1]
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Callable

import pandas as pd

TERRITORIES = [
    ["territory_id", "name", "level", "parent_id", "country_iso3"],
    ["GTM", "Guatemala", "0", "", "GTM"],
    ["SLV", "El Salvador", "0", "", "SLV"],
    ["01", "Guatemala", "1", "GTM", "GTM"],
    ["02", "Sacatepéquez", "1", "GTM", "GTM"],
    ["0101", "Guatemala", "2", "01", "GTM"],
    ["0102", "Santa Catarina Pinula", "2", "01", "GTM"],
    ["0201", "Antigua Guatemala", "2", "02", "GTM"],
    ["0202", "Jocotenango", "2", "02", "GTM"],
]

MUNI_SQUARES = {"0101": (0, 0), "0102": (1, 0), "0201": (0, 1), "0202": (1, 1)}
DEPT_RECTS = {"01": (0, 0, 2, 1), "02": (0, 1, 2, 2)}

INDICATORS = [
    ["indicator_id", "domain", "label_es", "label_en", "unit", "higher_is_worse", "rate_base", "rate_per",
     "source", "synthetic", "description_es", "description_en"],
    ["homicides", "crime", "Homicidios", "Homicides", "count", "true", "total", "100000", "pnc", "true",
     "Homicidios registrados", "Recorded homicides"],
    ["trust_police", "trust", "Confianza en la policía", "Trust in police", "percent", "false", "none", "",
     "lapop", "false", "", ""],
    ["homicide_rate", "crime", "Tasa de homicidios", "Homicide rate", "rate", "true", "total", "100000",
     "unodc", "false", "", ""],
]

POP_BASE = {"GTM": 4000, "SLV": 6000, "01": 3000, "02": 1000, "0101": 1000, "0102": 2000, "0201": 600, "0202": 400}


def population_rows() -> list[list[str]]:
    """Population per territory, year 2020-2021, total and female (female = half), plus one 10-19 group."""
    rows = [["territory_id", "year", "sex", "age_group", "population"]]
    for tid, base in POP_BASE.items():
        for year in (2020, 2021):
            total = base + (year - 2020) * 10
            rows.append([tid, str(year), "total", "all", str(total)])
            rows.append([tid, str(year), "female", "all", str(total / 2).rstrip("0").rstrip(".")])
    rows.append(["0101", "2020", "female", "10-19", "100"])
    return rows


def observation_rows() -> list[list[str]]:
    """Monthly homicide counts (one measured zero), quarterly trust survey (one missing), national rates."""
    rows = [["indicator_id", "territory_id", "period", "sex", "value", "lower", "upper", "source"]]
    for i, tid in enumerate(MUNI_SQUARES):
        for m in (1, 2, 3):
            value = 0 if (tid == "0202" and m == 2) else i + m
            rows.append(["homicides", tid, f"2020-{m:02d}", "total", str(value), "", "", ""])
    for tid, vals in {"01": ("40.5", "42"), "02": ("35.25", "")}.items():
        for q, v in zip((1, 2), vals):
            if v:
                rows.append(["trust_police", tid, f"2020-Q{q}", "total", v,
                             str(float(v) - 3), str(float(v) + 3), ""])
            else:
                rows.append(["trust_police", tid, f"2020-Q{q}", "total", "", "", "", ""])
    rows.append(["homicide_rate", "GTM", "2020", "total", "15.3", "", "", "unodc"])
    rows.append(["homicide_rate", "SLV", "2020", "total", "19.7", "", "", "unodc"])
    return rows


COSTS = [
    ["country_iso3", "year", "study", "category", "subcategory", "label_es", "label_en", "value_usd", "pct_gdp",
     "illustrative", "source"],
    ["GTM", "2019", "bid2017", "total", "total", "Total", "Total", "2500.5", "3.3", "false", "bid"],
    ["GTM", "2019", "bid2017", "health", "total", "Salud", "Health", "", "0.4", "true", "bid"],
]

COST_REFERENCES = [
    ["country_iso3", "year", "reference", "label_es", "label_en", "value_usd", "derived", "source"],
    ["GTM", "2019", "education_budget", "Presupuesto de educación", "Education budget", "2100", "false", "mof"],
]

EVENTS = [
    ["date", "territory_id", "label_es", "label_en", "kind", "synthetic", "source"],
    ["2020-03-15", "GTM", "Confinamiento", "Lockdown", "shock", "false", "gob"],
    ["2020-02-01", "0101", "Patrullaje", "Patrolling", "intervention", "true", "demo"],
]

DATAPACKAGE = {
    "name": "atalaya-test-small",
    "title": "Conjunto de prueba",
    "title_en": "Test dataset",
    "version": "0.1",
    "contract_version": "1.0",
    "synthetic": True,
    "synthetic_note_es": "Valores municipales sintéticos",
    "synthetic_note_en": "Municipal values are synthetic",
    "sources": [
        {"id": "pnc", "title": "Policía Nacional Civil", "publisher": "PNC", "year": "2021"},
        {"id": "lapop", "title": "LAPOP AmericasBarometer", "publisher": "Vanderbilt", "year": "2021"},
        {"id": "unodc", "title": "UNODC homicide statistics", "publisher": "UNODC", "year": "2023"},
    ],
    "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0"}],
    "resources": [],
}

INDEX_CONFIG = {
    "id": "vawg",
    "label_es": "Índice de prueba",
    "label_en": "Test index",
    "level": 2,
    "dimensions": [
        {"id": "life", "label_es": "Vida", "label_en": "Life", "weight": 1.0,
         "indicators": [{"indicator_id": "homicides", "weight": 1, "polarity": 1}]},
    ],
    "method": {"end_year": 2020, "pooling_years": 1},
}


def write_csv(path: Path, rows: list[list[str]]) -> None:
    """Write rows (header first) as a UTF-8 CSV."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def rect(x0: float, y0: float, x1: float, y1: float) -> dict:
    """A GeoJSON Polygon of an axis-aligned rectangle."""
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(tid: str, geometry: dict) -> dict:
    """A GeoJSON Feature keyed by territory id."""
    return {"type": "Feature", "id": tid, "properties": {"territory_id": tid}, "geometry": geometry}


def write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")


def make_small_dataset(directory: Path | str) -> Path:
    """Write the small valid prepared dataset (all CSV) into `directory` and return its path."""
    d = Path(directory)
    (d / "boundaries").mkdir(parents=True, exist_ok=True)
    write_json(d / "datapackage.json", DATAPACKAGE)
    write_csv(d / "territories.csv", TERRITORIES)
    write_csv(d / "population.csv", population_rows())
    write_csv(d / "indicators.csv", INDICATORS)
    write_csv(d / "observations.csv", observation_rows())
    write_csv(d / "costs.csv", COSTS)
    write_csv(d / "cost_references.csv", COST_REFERENCES)
    write_csv(d / "events.csv", EVENTS)
    write_json(d / "index.json", INDEX_CONFIG)
    write_json(d / "story.json", [{"title_es": "Mapa", "title_en": "Map", "url": "/map?indicator=homicides"}])
    admin1 = [feature(t, rect(*r)) for t, r in DEPT_RECTS.items()]
    admin2 = [feature(t, rect(x, y, x + 1, y + 1)) for t, (x, y) in MUNI_SQUARES.items()]
    write_json(d / "boundaries" / "admin1.json", {"type": "FeatureCollection", "features": admin1})
    write_json(d / "boundaries" / "admin2.json", {"type": "FeatureCollection", "features": admin2})
    return d


# ---- helpers to break a dataset ------------------------------------------------------------------

NUMERIC = {"level", "year", "population", "value", "lower", "upper", "rate_per", "value_usd", "pct_gdp"}
BOOLEAN = {"higher_is_worse", "synthetic", "illustrative", "derived"}


def read_text_table(path: Path) -> pd.DataFrame:
    """A CSV with every cell as text (empty cells as '')."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def edit_csv(directory: Path, table: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Rewrite `table`.csv in `directory` with `change` applied to its all-text frame."""
    path = Path(directory) / f"{table}.csv"
    change(read_text_table(path)).to_csv(path, index=False)


def set_cell(directory: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell; `row` is the 1-based data row as in error messages."""
    def change(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df.loc[row - 1, column] = value
        return df
    edit_csv(directory, table, change)


def csv_to_parquet(directory: Path, tables: tuple[str, ...] = ("population", "observations")) -> None:
    """Replace `tables` in `directory` by typed Parquet files (ids text, numbers float, booleans bool)."""
    d = Path(directory)
    for table in tables:
        src = d / f"{table}.csv"
        df = read_text_table(src)
        for c in df.columns:
            if c in NUMERIC and c not in ("level", "year", "rate_per"):
                df[c] = pd.to_numeric(df[c].replace("", None)).astype("float64")
            elif c in ("year", "level"):
                df[c] = df[c].astype("int64")
            elif c in BOOLEAN:
                df[c] = df[c].str.lower() == "true"
            else:
                df[c] = df[c].replace("", None)
        df.to_parquet(d / f"{table}.parquet", index=False)
        src.unlink()


# ---- a country of another shape ----------------------------------------------------------------------
"""`make_wide_dataset(dir)`: a country wider than tall whose top-left corner is land and whose top-right
and bottom-left corners are empty (as Mexico's: Baja California at the top left, the United States at
the top right, the Pacific at the bottom left), with level names Estado/Municipio:

    lat 20 ┌─0101─┬─0102─┬─0103─┐              state 01 Norte   = [0,6]×[18,20]
           │      │      │      │              state 02 Centro  = [3,6]×[14,18]
    lat 18 └──────┴──────┼─0201─┼─0301─┐       state 03 Oriente = [6,9]×[14,18]
                         │      │      │
    lat 16               ├─0202─┼─0302─┤
                         │      │      │
    lat 14               └──────┴──────┘
           lon 0        3      6      9

Indicators: `homicides` (monthly counts, most municipalities with zero events in 2021: quantile classes
with a class of its own at 0), `north_robberies` (counts for state 01's municipalities only: a series
that covers part of the country; its name is long, as the SESNSP state series' are), `trust_survey` (a
yearly survey percentage by state: no counts).
"""

WIDE_MUNIS = {  # id: (west, south, east, north)
    "0101": (0, 18, 2, 20), "0102": (2, 18, 4, 20), "0103": (4, 18, 6, 20),
    "0201": (3, 16, 6, 18), "0202": (3, 14, 6, 16),
    "0301": (6, 16, 9, 18), "0302": (6, 14, 9, 16),
}
WIDE_STATES = {"01": (0, 18, 6, 20), "02": (3, 14, 6, 18), "03": (6, 14, 9, 18)}
WIDE_STATE_NAMES = {"01": "Norte", "02": "Centro", "03": "Oriente"}
WIDE_MUNI_NAMES = {"0101": "Punta Alta", "0102": "Llano Largo", "0103": "Sierra Seca", "0201": "Villa Centro",
                   "0202": "San Mateo", "0301": "Puerto Este", "0302": "Costa Sur"}
WIDE_POP = {"0101": 50000, "0102": 20000, "0103": 10000, "0201": 400000, "0202": 30000, "0301": 80000,
            "0302": 15000}
# homicides per year (spread over months) in 2020 and 2021: four municipalities with none in 2021
WIDE_HOMICIDES = {"0101": (3, 0), "0102": (0, 0), "0103": (1, 0), "0201": (40, 52), "0202": (2, 0),
                  "0301": (9, 12), "0302": (1, 3)}
WIDE_ROBBERIES = {"0101": (30, 24), "0102": (6, 9), "0103": (2, 0)}  # state 01 only
WIDE_TRUST = {"01": (41.0, 44.5), "02": (38.2, 36.0), "03": (47.5, 49.1)}  # percent, by state


def wide_shape():
    """The wide country's land (shapely), from the municipality rectangles."""
    import shapely

    return shapely.union_all([shapely.box(*r) for r in WIDE_MUNIS.values()])


def make_wide_dataset(directory: Path | str) -> Path:
    """Write the wide-country dataset (see above) into `directory` and return its path."""
    d = Path(directory)
    (d / "boundaries").mkdir(parents=True, exist_ok=True)
    meta = {
        "name": "atalaya-test-wide", "title": "País ancho de prueba", "title_en": "Wide test country",
        "version": "0.1", "contract_version": "1.0", "synthetic": True,
        "synthetic_note_es": "Todo es inventado", "synthetic_note_en": "Everything is made up",
        "locale": "es_MX",
        "level_labels": {"1": {"es": {"singular": "Estado", "plural": "Estados"},
                               "en": {"singular": "State", "plural": "States"}},
                         "2": {"es": {"singular": "Municipio", "plural": "Municipios"},
                               "en": {"singular": "Municipality", "plural": "Municipalities"}}},
        "sources": [{"id": "fiscalia", "title": "Fiscalía de prueba", "publisher": "Fiscalía", "year": "2022"},
                    {"id": "encuesta", "title": "Encuesta de prueba", "publisher": "Instituto", "year": "2022"}],
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0"}],
        "resources": [],
    }
    write_json(d / "datapackage.json", meta)
    terr = [["territory_id", "name", "level", "parent_id", "country_iso3"], ["XTA", "Tierra Ancha", "0", "", "XTA"]]
    terr += [[s, n, "1", "XTA", "XTA"] for s, n in WIDE_STATE_NAMES.items()]
    terr += [[m, WIDE_MUNI_NAMES[m], "2", m[:2], "XTA"] for m in WIDE_MUNIS]
    write_csv(d / "territories.csv", terr)
    pop = [["territory_id", "year", "sex", "age_group", "population"]]
    totals: dict[str, int] = {}
    for m, p in WIDE_POP.items():
        totals[m[:2]] = totals.get(m[:2], 0) + p
    totals["XTA"] = sum(WIDE_POP.values())
    for tid, p in {**WIDE_POP, **totals}.items():
        for year in (2020, 2021):
            pop.append([tid, str(year), "total", "all", str(p)])
            pop.append([tid, str(year), "female", "all", str(p // 2)])
    write_csv(d / "population.csv", pop)
    write_csv(d / "indicators.csv", [
        ["indicator_id", "domain", "label_es", "label_en", "unit", "higher_is_worse", "rate_base", "rate_per",
         "source", "synthetic", "description_es", "description_en"],
        ["homicides", "crime", "Homicidios", "Homicides", "count", "true", "total", "100000", "fiscalia", "true", "", ""],
        ["north_robberies", "crime", "Robos con violencia (serie municipal 2020–2021 del estado Norte, carpetas)",
         "Violent robberies (municipal series 2020–2021 of the Norte state, investigation files)", "count",
         "true", "total", "100000", "fiscalia", "true", "", ""],
        ["trust_survey", "trust", "Confianza en la policía", "Trust in the police", "percent", "false", "none", "",
         "encuesta", "true", "", ""],
    ])
    obs = [["indicator_id", "territory_id", "period", "sex", "value", "lower", "upper", "source"]]
    for ind, table in (("homicides", WIDE_HOMICIDES), ("north_robberies", WIDE_ROBBERIES)):
        for m, per_year in table.items():
            for year, total in zip((2020, 2021), per_year):
                months = [total // 12 + (1 if k < total % 12 else 0) for k in range(12)]
                for k, v in enumerate(months, start=1):
                    obs.append([ind, m, f"{year}-{k:02d}", "total", str(v), "", "", ""])
    for s, vals in WIDE_TRUST.items():
        for year, v in zip((2020, 2021), vals):
            obs.append(["trust_survey", s, str(year), "total", str(v), str(v - 4), str(v + 4), ""])
    write_csv(d / "observations.csv", obs)
    write_csv(d / "costs.csv", COSTS[:1])
    write_csv(d / "cost_references.csv", COST_REFERENCES[:1])
    write_csv(d / "events.csv", EVENTS[:1])
    write_json(d / "index.json", {
        "id": "vawg", "label_es": "Índice de prueba", "label_en": "Test index", "level": 2,
        "dimensions": [{"id": "life", "label_es": "Vida", "label_en": "Life", "weight": 1.0,
                        "indicators": [{"indicator_id": "homicides", "weight": 1, "polarity": 1}]}],
        "method": {"end_year": 2021, "pooling_years": 1},
    })
    write_json(d / "story.json", [{"title_es": "Mapa", "title_en": "Map", "url": "/map?ind=homicides"}])
    admin1 = [feature(t, rect(*r)) for t, r in WIDE_STATES.items()]
    admin2 = [feature(t, rect(*r)) for t, r in WIDE_MUNIS.items()]
    write_json(d / "boundaries" / "admin1.json", {"type": "FeatureCollection", "features": admin1})
    write_json(d / "boundaries" / "admin2.json", {"type": "FeatureCollection", "features": admin2})
    return d
