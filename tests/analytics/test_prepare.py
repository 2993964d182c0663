"""`atalaya prepare` on small inputs made in tests/prepare_fixtures.py: each trap has a test asserting
the exact outcome (values computed by hand from the fixture rows)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from analytics.loader import load_dataset, validate_dataset
from analytics.prepare import cli, prepare
from analytics.prepare.boundaries import Level, read_boundaries, simplify_level
from analytics.prepare.mapping import load_mapping
from analytics.prepare.readers import PrepareError, detect_encoding, fold_name, normalise_codes, parse_numbers
from analytics.prepare.report import Report
from tests.prepare_fixtures import X0, Y0, make_raw_inputs

ROOT = Path(__file__).resolve().parents[2]


# ---- readers -------------------------------------------------------------------------------------
def test_detect_encoding() -> None:
    assert detect_encoding("Año".encode("utf-8")) == "utf-8"
    assert detect_encoding("Año".encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding("Año".encode("latin-1")) == "cp1252"
    assert detect_encoding(b"A\x81o") == "latin-1"  # 0x81 is undefined in cp1252


def test_parse_numbers_blank_is_missing_and_bad_cells_flagged() -> None:
    v, bad = parse_numbers(pd.Series(["1,200", "", "x", "1.0", "12,34", " 7 ", "NA", "-3", "1,234,567.5"]))
    assert v.iloc[0] == 1200 and v.iloc[3] == 1 and v.iloc[5] == 7 and v.iloc[7] == -3 and v.iloc[8] == 1234567.5
    assert math.isnan(v.iloc[1]) and math.isnan(v.iloc[6])  # blank / NA: missing, never 0
    assert list(bad) == [False, False, True, False, True, False, False, False, False]


def test_normalise_codes() -> None:
    s = pd.Series(["1001", "1001.0", "01001", "", "GT0101"])
    assert list(normalise_codes(s, pad=5)) == ["01001", "01001", "01001", "", "GT0101"]
    assert list(normalise_codes(pd.Series(["GT0101"]), strip_prefix="GT")) == ["0101"]
    assert list(normalise_codes(pd.Series(["0101"]), add_prefix="GT")) == ["GT0101"]
    assert list(normalise_codes(pd.Series(["01001"]), take=[0, 2])) == ["01"]


def test_fold_name() -> None:
    assert fold_name(" Cosío ") == "cosio" == fold_name("COSIO")
    assert fold_name("San Andrés  Tuxtla") == "san andres tuxtla"


# ---- the whole preparation on the fixture ----------------------------------------------------------
@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("prep")
    mapping = make_raw_inputs(base / "in")
    res = prepare(mapping, base / "out")
    return res


def _obs(res) -> pd.DataFrame:
    return pd.read_csv(res.out_dir / "observations.csv", dtype={"territory_id": str, "period": str})


def _value(res, ind: str, tid: str, period: str) -> float:
    o = _obs(res)
    m = o[(o.indicator_id == ind) & (o.territory_id == tid) & (o.period == period)]
    assert len(m) == 1, (ind, tid, period)
    return float(m["value"].iloc[0])


def _finding(res, title_part: str, step_part: str = ""):
    hits = [f for f in res.report.findings if title_part in f.title and step_part in f.step]
    assert hits, f"no finding {title_part!r} in {[f.title for f in res.report.findings]}"
    return hits[0]


def test_result_passes_validator_and_loads(prepared) -> None:
    assert prepared.exit_code == 0
    assert prepared.problems == []
    assert validate_dataset(prepared.out_dir) == []
    ds = load_dataset(prepared.out_dir)
    assert ds.main_country == "TST"
    assert sorted(ds.territories.index) == ["01", "01001", "01002", "01003", "02", "02001", "02002", "TST"]
    assert ds.name("01003") == "Cosío" and ds.name("01") == "Aguas"
    assert ds.parent("02001") == "02" and ds.parent("01") == "TST"
    assert (prepared.out_dir / "prepare_report" / "report.md").read_text().startswith("# Preparation report")


def test_shapefile_int_codes_padded_and_reprojected(prepared) -> None:
    gj = json.loads((prepared.out_dir / "boundaries" / "admin2.json").read_text())
    ids = [f["id"] for f in gj["features"]]
    assert ids == ["01001", "01002", "01003", "02001", "02002"]
    assert all(f["properties"]["territory_id"] == f["id"] for f in gj["features"])
    to_ll = Transformer.from_crs("EPSG:32616", "EPSG:4326", always_xy=True)
    lon, lat = to_ll.transform(X0 + 5000, Y0 + 5000)  # centre of 01001
    c = shapely.geometry.shape(gj["features"][0]["geometry"]).centroid
    assert abs(c.x - lon) < 1e-4 and abs(c.y - lat) < 1e-4
    coords = np.array(gj["features"][0]["geometry"]["coordinates"][0])
    assert np.allclose(coords, np.round(coords, 5))  # rounded to 5 decimals
    states = json.loads((prepared.out_dir / "boundaries" / "admin1.json").read_text())
    assert [f["id"] for f in states["features"]] == ["01", "02"]


def test_bowtie_repaired_and_listed(prepared) -> None:
    gj = json.loads((prepared.out_dir / "boundaries" / "admin2.json").read_text())
    g = shapely.geometry.shape(next(f for f in gj["features"] if f["id"] == "01002")["geometry"])
    assert g.is_valid and g.geom_type == "MultiPolygon" and len(g.geoms) == 2  # two triangles
    sq = shapely.geometry.shape(gj["features"][0]["geometry"])  # 01001, a full 10 km square
    assert g.area == pytest.approx(sq.area / 2, rel=1e-3)
    f = _finding(prepared, "invalid polygons repaired")
    assert len(f.items) == 1 and f.items[0].startswith("01002: Self-intersection")


def test_sesnsp_modalities_summed_and_codes_padded(prepared) -> None:
    assert _value(prepared, "homicidio_doloso", "01001", "2023-01") == 1  # 1 + 0
    assert _value(prepared, "homicidio_doloso", "01001", "2023-02") == 1  # 0 + 1
    assert _value(prepared, "homicidio_doloso", "01001", "2023-12") == 4  # 3 + 1
    assert _value(prepared, "homicidio_doloso", "01001", "2024-03") == 1
    assert ("sesnsp.csv", "9 rows, 21 columns, encoding cp1252") in prepared.report.facts


def test_blank_month_stays_missing(prepared) -> None:
    assert math.isnan(_value(prepared, "homicidio_doloso", "01001", "2024-12"))
    f = _finding(prepared, "periods with no value in any territory", "homicidio_doloso")
    assert f.items == ["2024-12"] and f.severity == "info"


def test_non_numeric_cell_listed_and_missing(prepared) -> None:
    assert math.isnan(_value(prepared, "homicidio_doloso", "01002", "2023-12"))
    f = _finding(prepared, "not numbers", "sesnsp.csv")
    assert f.items == ["row 5, column 'Diciembre': value 'x'"]


def test_thousands_separator_and_rate_bound(prepared) -> None:
    assert _value(prepared, "homicidio_culposo", "01003", "2023-01") == 1200
    f = _finding(prepared, "plausible bound", "homicidio_culposo")
    assert f.items == ["01003 2023: 1200 / 10000 = 12000.0 per 100,000"]


def test_otros_municipios_kept_apart_and_listed(prepared) -> None:
    o = _obs(prepared)
    assert not o.territory_id.str.endswith("999").any()
    ua = pd.read_csv(prepared.out_dir / "prepare_report" / "unassigned.csv", dtype={"code": str})
    jan = ua[(ua.code == "01999") & (ua.period == "2023-01")]
    assert list(jan["value"]) == [5] and list(jan["indicator_id"]) == ["homicidio_doloso"]
    tot = _finding(prepared, "totals in rows that are not a territory")
    # on the map: 01001 2023 = 1+1+2+4 = 8, 2024 = 2+1 = 3 (December blank), 01002 = 0 -> 11; 5 / (5 + 11)
    assert tot.items == ["homicidio_doloso: 5 (31.2% of the table's total)"]


def test_every_dropped_row_is_listed(prepared) -> None:
    with open(prepared.out_dir / "prepare_report" / "dropped_rows.csv", encoding="utf-8") as fh:
        rows = {(r["file"], r["row"], r["reason"], r["detail"]) for r in csv.DictReader(fh)}
    assert rows == {
        ("sesnsp.csv", "7", "kept apart (not a territory)", "01999"),
        ("sesnsp.csv", "8", "matches no indicator rule", "Feminicidio"),
        ("sesnsp.csv", "9", "code has no admin2 boundary", "03001"),
        ("nombres.csv", "4", "name matched no territory", "Baja / Villa Inexistente"),
    }
    assert _finding(prepared, "no admin2 boundary", "sesnsp.csv").items == ["03001 (1 rows)"]


def test_boundaries_without_data_and_gaps(prepared) -> None:
    f = _finding(prepared, "boundaries with no data", "indicator homicidio_doloso")
    assert f.items == ["01003 Cosío", "all 2 of 02 Baja"] and f.n == 3
    gaps = _finding(prepared, "gaps in time series", "homicidio_doloso (total)")
    # 01002 has 2023 only (December not a number) and no 2024 rows; 2024-12 is missing everywhere (listed apart)
    assert gaps.items == ["01002 2023-12"] + [f"01002 2024-{m:02d}" for m in range(1, 12)]


def test_population_wide_padded_thousands_and_sums(prepared) -> None:
    pop = pd.read_csv(prepared.out_dir / "population.csv", dtype={"territory_id": str})
    val = {(t, y): p for t, y, p in zip(pop.territory_id, pop.year, pop.population)}
    assert val[("01001", 2023)] == 50000  # '1001' padded, '50,000' parsed
    assert val[("01", 2024)] == 51000 + 20500 + 10100
    assert val[("TST", 2023)] == 50000 + 20000 + 10000 + 30000 + 5000
    assert ("02002", 2024) not in val and ("02", 2024) not in val and ("TST", 2024) not in val
    assert _finding(prepared, "blank or unusable population").items == ["02002 2024"]
    assert ("poblacion.csv", "5 rows, encoding utf-8-sig") in prepared.report.facts


def test_names_only_table_matched_explicitly(prepared) -> None:
    assert _value(prepared, "feminicidio", "01003", "2024-01") == 0  # 'Cosio' = 'Cosío'
    assert _value(prepared, "feminicidio", "01001", "2024-01") == 1  # 'AGUAS' / 'centro'
    assert _value(prepared, "homicidio_doloso_nac", "02001", "2024-01") == 3  # 'San Andres'
    assert _finding(prepared, "names that match no territory").items == ["Baja / Villa Inexistente"]
    acc = _finding(prepared, "ignoring accents")
    assert "Aguas / 'Cosio' = 'Cosío' (01003)" in acc.items and "AGUAS / 'centro' = 'Centro' (01001)" in acc.items


# ---- traps that make the run fail ------------------------------------------------------------------
def _edit(mapping: Path, fname: str, old: str, new: str) -> None:
    p = mapping.parent / fname
    raw = p.read_bytes().decode("latin-1" if fname == "sesnsp.csv" else "utf-8")
    assert old in raw
    p.write_bytes(raw.replace(old, new).encode("latin-1" if fname == "sesnsp.csv" else "utf-8"))


def test_negative_count_fails_with_its_cell(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    _edit(mapping, "sesnsp.csv", "Con arma blanca,0,1,0", "Con arma blanca,0,-1,0")
    res = prepare(mapping, tmp_path / "out")
    assert res.exit_code == 1
    f = _finding(res, "negative counts")
    assert f.severity == "error" and f.items == ["row 2, column 'Febrero': value '-1'"]


def test_conflicting_duplicate_rows_fail(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    p = mapping.parent / "sesnsp.csv"
    lines = p.read_bytes().decode("latin-1").splitlines()
    lines.append(lines[1].replace(",1,0,2,", ",9,0,2,"))  # row 1 again with another January
    p.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    res = prepare(mapping, tmp_path / "out")
    assert res.exit_code == 1
    f = _finding(res, "different values")
    assert f.items == ["row 1", "row 10"]
    assert _value(res, "homicidio_doloso", "01001", "2023-01") == 1  # first kept


def test_exact_duplicate_row_dropped_and_listed(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    p = mapping.parent / "sesnsp.csv"
    lines = p.read_bytes().decode("latin-1").splitlines()
    lines.append(lines[1])
    p.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    res = prepare(mapping, tmp_path / "out")
    assert res.exit_code == 0
    assert _finding(res, "exact duplicate rows").items == ["row 10"]
    assert _value(res, "homicidio_doloso", "01001", "2023-01") == 1  # not doubled


def test_alias_matches_a_name_explicitly(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    text = mapping.read_text().replace(
        "    territory: {name: Municipio, parent_name: Entidad, level: 2}",
        "    territory: {name: Municipio, parent_name: Entidad, level: 2, aliases: {'Baja|Villa Inexistente': '02002'}}")
    mapping.write_text(text)
    res = prepare(mapping, tmp_path / "out")
    assert _value(res, "homicidio_doloso_nac", "02002", "2024-01") == 1
    assert _finding(res, "through aliases").items == ["Baja|Villa Inexistente -> 02002"]


def test_rule_with_a_typo_is_reported(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    mapping.write_text(mapping.read_text().replace("{Subtipo de delito: Homicidio culposo}", "{Subtipo de delito: Homicidio culposos}"))
    res = prepare(mapping, tmp_path / "out")
    assert _finding(res, "matched no row").items == ["{'Subtipo de delito': 'Homicidio culposos'}"]
    assert _finding(res, "declared indicators with no observation").items == ["homicidio_culposo"]


def test_missing_column_names_the_file_and_the_columns(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    mapping.write_text(mapping.read_text().replace("{Subtipo de delito: Homicidio doloso}", "{Subtipo: Homicidio doloso}"))
    with pytest.raises(PrepareError, match=r"sesnsp.csv: column\(s\) \['Subtipo'\]"):
        prepare(mapping, tmp_path / "out")


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    assert cli([str(mapping), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "PASSED" in out and "Ready: atalaya serve --data" in out
    assert cli([str(mapping), "--out", str(tmp_path / "out")]) == 2  # exists, no --force
    assert "use --force" in capsys.readouterr().err
    assert cli([str(mapping), "--out", str(tmp_path / "out"), "--force"]) == 0
    assert cli([str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o2")]) == 2


def test_app_main_routes_prepare(tmp_path: Path) -> None:
    from app import main

    mapping = make_raw_inputs(tmp_path / "in")
    assert main(["prepare", str(mapping), "--out", str(tmp_path / "out")]) == 0
    assert main(["validate", str(tmp_path / "out")]) == 0


# ---- formats and simplification --------------------------------------------------------------------
def test_topojson_is_read(tmp_path: Path) -> None:
    topo = {"type": "Topology", "objects": {"munis": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0]], "properties": {"code": "A1"}}]}},
        "arcs": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    p = tmp_path / "m.topojson"
    p.write_text(json.dumps(topo))
    g = read_boundaries(p, None, None, "test")
    assert list(g["code"]) == ["A1"] and g.geometry.iloc[0].area == pytest.approx(1.0)


def test_target_size_simplification(tmp_path: Path) -> None:
    import geopandas as gpd

    left = shapely.Point(0, 0).buffer(1, quad_segs=256).intersection(shapely.box(-2, -2, 0, 2))
    right = shapely.Point(0, 0).buffer(1, quad_segs=256).intersection(shapely.box(0, -2, 2, 2))
    lv = Level(2, gpd.GeoDataFrame({"territory_id": ["a", "b"], "name": ["A", "B"], "parent_id": ["p", "p"]},
                                   geometry=[left, right], crs="EPSG:4326"), "t")
    full, _ = simplify_level(lv, None, 5, Report())
    small, tol = simplify_level(lv, {"target_kb": 4}, 5, Report())
    assert len(full.encode()) > 4000 >= len(small.encode()) and tol > 0
    feats = json.loads(small)["features"]
    a, b = (shapely.geometry.shape(f["geometry"]) for f in feats)
    assert a.is_valid and b.is_valid
    assert a.intersection(b).area == pytest.approx(0, abs=1e-9)  # shared border kept, no overlap


# ---- documented examples --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mexico_sesnsp.yaml", "generic_long.yaml"])
def test_example_mappings_parse(name: str) -> None:
    cfg = load_mapping(ROOT / "docs" / "examples" / name)
    assert cfg["tables"] and cfg["indicators"]


def test_generic_long_example_runs(tmp_path: Path) -> None:
    """The generic long example in docs/examples, on the fixture boundaries plus a long CSV written here."""
    import shutil

    mapping = make_raw_inputs(tmp_path / "in")
    (mapping.parent / "delitos_largo.csv").write_text(
        "codigo;fecha;delito;sexo_victima;casos\n"
        "01001;2024-01-15;Robo;Mujer;3\n"
        "01001;2024-01-15;Robo;Hombre;1.000\n"
        "01002;2024-01-31;Robo;Mujer;\n"
        "02001;2024-01-01;Robo;No identificado;2\n", encoding="cp1252")
    shutil.copy(ROOT / "docs" / "examples" / "generic_long.yaml", mapping.parent / "generic_long.yaml")
    res = prepare(mapping.parent / "generic_long.yaml", tmp_path / "out")
    assert res.exit_code == 0, res.report.terminal()
    o = _obs(res)
    robo = o[o.indicator_id == "robo"].set_index(["territory_id", "sex"])["value"]
    assert robo[("01001", "female")] == 3 and robo[("01001", "male")] == 1000  # '.' thousands in this file
    assert math.isnan(robo[("01002", "female")])
    assert _finding(res, "sex values not in sex.map").items == ["'No identificado' (1 rows)"]


def test_population_long_from_excel_with_sex(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    rows = [("CVE", "anio", "sexo", "personas")]
    for code in ("01001", "01002", "01003", "02001", "02002"):
        rows += [(code, 2024, "Mujeres", 600), (code, 2024, "Hombres", 400)]
    rows.append(("01001", 2024, "Ambos", 1000))
    import openpyxl

    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(list(r))
    wb.save(mapping.parent / "pob_sexo.xlsx")
    text = mapping.read_text() + (
        "  - path: pob_sexo.xlsx\n"
        "    territory: {code: CVE, pad: 5, level: 2}\n"
        "    year: anio\n"
        "    value: personas\n"
        "    sex: {column: sexo, map: {Mujeres: female, Hombres: male, Ambos: drop}}\n")
    mapping.write_text(text)
    res = prepare(mapping, tmp_path / "out")
    assert res.exit_code == 0, res.report.terminal()
    pop = pd.read_csv(res.out_dir / "population.csv", dtype={"territory_id": str})
    fem = pop[(pop.sex == "female") & (pop.year == 2024)].set_index("territory_id")["population"]
    assert fem["01003"] == 600 and fem["01"] == 1800 and fem["TST"] == 3000
    assert ("pob_sexo.xlsx", "11 rows, encoding excel") in res.report.facts
    # female population now exists: the feminicidio rate check runs instead of warning
    assert not [f for f in res.report.findings if "no female population" in f.title]


def test_ambiguous_names_are_not_guessed() -> None:
    from analytics.prepare.tables import Territories, match_names

    names = pd.DataFrame({"territory_id": ["20208", "20209", "20001"], "name": ["San Juan Mixtepec"] * 2 + ["Abejones"],
                          "parent_id": ["20", "20", "20"]})
    terr = Territories(ids={1: {"20"}, 2: set(names["territory_id"])},
                       names={1: pd.DataFrame({"territory_id": ["20"], "name": ["Oaxaca"], "parent_id": ["MEX"]}), 2: names})
    df = pd.DataFrame({"E": ["Oaxaca", "OAXACA"], "M": ["San Juan Mixtepec", "abejones"]})
    rep = Report()
    ids = match_names(df, {"name": "M", "parent_name": "E", "level": 2}, terr, "t", rep)
    assert list(ids) == ["", "20001"]
    assert [f.items for f in rep.findings if "ambiguous" in f.title] == [["Oaxaca / San Juan Mixtepec"]]


def test_all_zero_indicator_is_flagged() -> None:
    from analytics.prepare.checks import check_all_zero

    obs = pd.DataFrame({"indicator_id": ["a", "a", "b", "b"], "territory_id": ["1", "2", "1", "2"],
                        "period": ["2024"] * 4, "sex": ["total"] * 4, "value": [0.0, 0.0, 0.0, 1.0]})
    rep = Report()
    check_all_zero(obs, rep)
    assert [(f.step, f.title) for f in rep.findings] == [
        ("indicator a", "every value is 0 (2 values): check that the source column really holds this indicator")]


def test_filter_rows_listed_and_parquet_output(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    text = mapping.read_text().replace(
        "    adapter: sesnsp_municipal\n", "    adapter: sesnsp_municipal\n    filter: {Año: '2023'}\n")
    mapping.write_text(text + "output: {format: parquet}\n")
    res = prepare(mapping, tmp_path / "out")
    assert res.exit_code == 0, res.report.terminal()
    assert (res.out_dir / "observations.parquet").exists() and not (res.out_dir / "observations.csv").exists()
    o = pd.read_parquet(res.out_dir / "observations.parquet")
    assert not o.period.str.startswith("2024").any() or set(o.loc[o.period.str.startswith("2024"), "indicator_id"]) <= {
        "feminicidio", "homicidio_doloso_nac"}
    filtered = [d for d in res.report.dropped if d.reason == "filtered out by the mapping"]
    assert [(d.row, d.detail) for d in filtered] == [(3, "Año='2024'"), (4, "Año='2024'")]
    assert load_dataset(res.out_dir).observations["value"].notna().sum() > 0


def _with_table(mapping: Path, out: Path, indicator_yaml: str, table_yaml: str):
    """Declare one more indicator and table in the fixture mapping, then prepare."""
    mapping.write_text(mapping.read_text().replace(
        "tables:\n", f"  {indicator_yaml}\ntables:\n  - {table_yaml}\n"))
    return prepare(mapping, out)


def test_percent_indicator_keeps_decimals_and_counts_must_be_whole(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    (mapping.parent / "pobreza.csv").write_text("cve,anio,pct\n01001,2020,45.25\n01002,2020,-\n", encoding="utf-8")
    res = _with_table(mapping, tmp_path / "out",
                      "pobreza: {domain: context, label_es: Pobreza, label_en: Poverty, unit: percent, source: test_sesnsp}",
                      "path: pobreza.csv\n    territory: {code: cve, level: 2}\n    period: {year: anio}\n"
                      "    indicator: pobreza\n    value: pct")
    assert res.exit_code == 0, res.report.terminal()
    assert _value(res, "pobreza", "01001", "2020") == 45.25
    assert math.isnan(_value(res, "pobreza", "01002", "2020"))  # '-' = no data
    assert not [f for f in res.report.findings if "whole numbers" in f.title]


def test_fractional_count_is_an_error(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    _edit(mapping, "sesnsp.csv", "Con arma blanca,0,1,0", "Con arma blanca,0,1.5,0")
    res = prepare(mapping, tmp_path / "out")
    assert res.exit_code == 1
    assert _finding(res, "not whole numbers").items == ["row 2, column 'Febrero': value '1.5'"]


def test_parent_from_a_second_file(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    (mapping.parent / "pertenencia.csv").write_text(
        "municipio,estado\n01001,1\n01002,1\n01003,1\n02001,2\n02002,2\n", encoding="utf-8")
    mapping.write_text(mapping.read_text().replace(
        "    parent: {from_id: 2}",
        "    parent: {path: pertenencia.csv, code: municipio, parent: estado, parent_pad: 2}"))
    res = prepare(mapping, tmp_path / "out")
    assert res.exit_code == 0, res.report.terminal()
    t = pd.read_csv(res.out_dir / "territories.csv", dtype=str).set_index("territory_id")
    assert t.at["01003", "parent_id"] == "01" and t.at["02002", "parent_id"] == "02"


def test_failed_run_leaves_no_partial_output_and_never_touches_other_folders(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    (mapping.parent / "sesnsp.csv").unlink()
    with pytest.raises(PrepareError, match="sesnsp.csv: file not found"):
        prepare(mapping, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # boundaries had been written: removed
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(PrepareError, match="does not look like a prepared dataset"):
        prepare(mapping, other, force=True)
    assert (other / "notes.txt").read_text() == "keep me"


def test_survey_table_with_confidence_intervals(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    (mapping.parent / "encuesta.csv").write_text(
        "estado,trimestre,sexo,pct,li,ls\n01,2024-Q1,Mujeres,64.2,60.1,68.3\n01,2024-Q1,Hombres,52.0,,\n"
        "02,2024-Q1,Mujeres,58.5,54.0,63.0\n", encoding="utf-8")
    res = _with_table(mapping, tmp_path / "out",
                      "inseguridad: {domain: trust, label_es: Percepción de inseguridad, label_en: Perceived insecurity, "
                      "unit: percent, source: test_sesnsp}",
                      "path: encuesta.csv\n    territory: {code: estado, level: 1}\n    period: {column: trimestre}\n"
                      "    indicator: inseguridad\n    sex: {column: sexo, map: {Mujeres: female, Hombres: male}}\n"
                      "    value: pct\n    lower: li\n    upper: ls")
    assert res.exit_code == 0, res.report.terminal()
    ds = load_dataset(res.out_dir)
    o = ds.observations
    row = o[(o.indicator_id == "inseguridad") & (o.territory_id == "01") & (o.sex == "female")].iloc[0]
    assert (row["value"], row["lower"], row["upper"]) == (64.2, 60.1, 68.3) and row["period"] == "2024-Q1"
    male = o[(o.indicator_id == "inseguridad") & (o.sex == "male")].iloc[0]
    assert math.isnan(male["lower"]) and male["value"] == 52.0


# ---- the report's checks table and row accounting ------------------------------------------------------
def _checks(res) -> dict[str, tuple[str, str]]:
    return {label: (found, where) for label, found, where in res.report.check_rows()}


def test_report_lists_every_check_also_those_that_found_nothing(prepared) -> None:
    """The fixture's traps, counted by hand: sesnsp.csv has one code with no boundary (3001), one cell that
    is not a number ('x'), one 'Otros Municipios' row (1999); nombres.csv one unmatched name; no duplicates
    and no negative counts anywhere; homicidio_culposo 1,200 in Cosío (10,000 people) is the one rate above
    1,000 per 100,000; homicidio_doloso has no value anywhere in 2024-12 (blank December)."""
    c = _checks(prepared)
    assert c["codes in the data with no boundary"] == ("1", "table sesnsp.csv: 1")
    assert c["names that match no territory"] == ("1", "table nombres.csv: 1")
    assert c["cells that are not numbers"] == ("1", "table sesnsp.csv: 1")
    assert c["rows kept apart (not a territory: XX999, 'no especificado')"] == ("1", "table sesnsp.csv: 1")
    for label in ("exact duplicate rows", "rows with the same identity but different values", "negative counts",
                  "counts that are not whole numbers", "the same key from two tables", "ambiguous names (never guessed)"):
        assert c[label][0] == "0", label
    assert c["exact duplicate rows"][1] == "none in table nombres.csv, table sesnsp.csv"
    found, where = c["yearly rates above the plausible bound"]
    assert found == "1" and "homicidio_culposo (> 1000): 1" in where
    assert "feminicidio: not checked (no female population)" in where
    assert c["periods with no value in any territory"] == ("1", "indicator homicidio_doloso (total): 1")
    md = (prepared.out_dir / "prepare_report" / "report.md").read_text(encoding="utf-8")
    assert "| negative counts | 0 | none in table nombres.csv, table sesnsp.csv |" in md
    assert md.index("## Checks") < md.index("## Rows: where they went") < md.index("## Inputs and outputs")


def test_every_row_read_is_used_or_listed(prepared) -> None:
    """sesnsp.csv: 9 rows = 6 used + 3 listed (1999 kept apart, 3001 no boundary, Feminicidio matches no
    rule); nombres.csv: 4 = 3 + 1 (Villa Inexistente); poblacion.csv: 5 = 5 + 0."""
    assert prepared.report.tallies == {"sesnsp.csv": ("table", 9, 6), "nombres.csv": ("table", 4, 3),
                                       "poblacion.csv": ("population", 5, 5)}
    assert prepared.report.dropped_by_file() == {"sesnsp.csv": 3, "nombres.csv": 1}
    assert prepared.report.unaccounted() == []
    md = (prepared.out_dir / "prepare_report" / "report.md").read_text(encoding="utf-8")
    assert "| sesnsp.csv | table | 9 | 6 | 3 |" in md and "| nombres.csv | table | 4 | 3 | 1 |" in md
    assert "rows read = used + left out" in md


def test_rows_that_vanish_unlisted_are_an_error() -> None:
    r = Report()
    r.tally("a.csv", "table", 10, 7)
    r.drop("a.csv", [3, 4], "matches no indicator rule")
    assert r.unaccounted() == ["a.csv: 10 read, 7 used, 2 listed as left out"]
    assert "**Rows not accounted for:**" in r.markdown()
    r.drop("a.csv", [4, 9], "another reason")  # row 4 twice: still one row
    assert r.unaccounted() == [] and r.dropped_by_file() == {"a.csv": 3}


def test_level_labels_and_english_sources_reach_the_datapackage(prepared) -> None:
    desc = json.loads((prepared.out_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["level_labels"]["1"]["en"] == {"singular": "State", "plural": "States"}
    assert desc["sources"][0]["title_en"] == "Test table in the SESNSP layout"
    meta = load_dataset(prepared.out_dir).meta
    assert meta.level_name(2, "es", plural=True) == "Alcaldías" and meta.level_term(2, "es").gender == "f"


def test_bad_level_labels_in_the_mapping_name_the_key(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    text = mapping.read_text(encoding="utf-8").replace("en: {singular: State, plural: States}", "en: {singular: State}")
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(PrepareError) as err:
        load_mapping(mapping)
    assert "mapping.yaml: dataset.level_labels.1.en.plural: required field is missing" in str(err.value)


def test_a_missing_input_says_what_paths_are_relative_to(tmp_path: Path) -> None:
    mapping = make_raw_inputs(tmp_path / "in")
    with pytest.raises(PrepareError) as err:
        prepare(mapping, tmp_path / "out", input_dir=tmp_path / "elsewhere")
    assert "states.zip not found" in str(err.value) and "relative to --input-dir" in str(err.value)
    assert not (tmp_path / "out").exists()


def test_rate_check_divides_each_sex_by_its_own_population() -> None:
    """The plausibility check of `prepare` sums each sex apart and divides it by the population of its
    group: 6 female victims over 500 women = 1,200 per 100,000 (flagged at a bound of 1,000); the total
    (10 over 1,000 people = 1,000) is not; without a male population the male counts are not divided
    by anybody else (a warning says so)."""
    from analytics.prepare.checks import check_rates
    from analytics.prepare.report import Report

    obs = pd.DataFrame({"indicator_id": ["hom"] * 3, "territory_id": ["01001"] * 3, "period": ["2024"] * 3,
                        "sex": ["total", "female", "male"], "value": [10.0, 6.0, 4.0]})
    ind = pd.DataFrame({"indicator_id": ["hom"], "unit": ["count"], "rate_base": ["total"]})
    pop = pd.DataFrame({"territory_id": ["01001"] * 2, "year": [2024] * 2, "sex": ["total", "female"],
                        "age_group": ["all"] * 2, "population": [1000.0, 500.0]})
    rep = Report()
    check_rates(obs, ind, pop, rep)
    high = [f for f in rep.findings if "plausible bound" in f.title]
    assert len(high) == 1 and high[0].items == ["01001 2024 (female): 6 / 500 = 1200.0 per 100,000"]
    assert any("no male population" in f.title for f in rep.findings)
