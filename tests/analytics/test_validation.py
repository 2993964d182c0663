"""One test per kind of bad input: each asserts the file, row, column and value the problem names.

Row numbers of the fixture (tests/fixtures.py), 1-based data rows:
  territories   1 GTM, 2 SLV, 3 01, 4 02, 5 0101, 6 0102, 7 0201, 8 0202
  indicators    1 homicides (monthly count), 2 trust_police (quarterly percent), 3 homicide_rate (yearly)
  observations  1-12 homicides of 0101, 0102, 0201, 0202 for 2020-01..03 (row 11 is a measured 0),
                13-16 trust_police of 01, 02 for 2020-Q1..Q2 (row 16 missing), 17-18 homicide_rate GTM, SLV
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analytics.loader import validate_dataset
from analytics.validation import Problem
from tests.fixtures import csv_to_parquet, edit_csv, make_small_dataset, rect, set_cell

OBS = "observations.csv"
TERR = "territories.csv"


@pytest.fixture
def ds(tmp_path: Path) -> Path:
    return make_small_dataset(tmp_path / "ds")


def find(problems: list[Problem], file: str, row: int | None, column: str | None) -> Problem:
    """The single problem at (file, row, column); fails listing all problems otherwise."""
    hits = [p for p in problems if (p.file, p.row, p.column) == (file, row, column)]
    assert len(hits) == 1, "\n".join(map(str, problems))
    return hits[0]


def only(ds: Path) -> Problem:
    """The one problem of a dataset that has exactly one."""
    problems = validate_dataset(ds)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def edit_json(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


# ---- files and columns ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["territories", "population", "indicators", "observations"])
def test_missing_required_file(ds: Path, name: str) -> None:
    (ds / f"{name}.csv").unlink()
    p = find(validate_dataset(ds), f"{name}.csv", None, None)
    assert "required file is missing" in p.message


def test_missing_datapackage(ds: Path) -> None:
    (ds / "datapackage.json").unlink()
    p = only(ds)
    assert (p.file, p.row, p.column) == ("datapackage.json", None, None)
    assert "missing" in p.message


def test_missing_boundary_file(ds: Path) -> None:
    (ds / "boundaries" / "admin2.json").unlink()
    p = only(ds)
    assert p.file == "boundaries/admin2.json" and "required file is missing" in p.message


def test_missing_column(ds: Path) -> None:
    edit_csv(ds, "observations", lambda df: df.drop(columns="sex"))
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (OBS, None, "sex", None)
    assert p.message == "required column is missing"


def test_csv_and_parquet_both_present(ds: Path) -> None:
    pd.read_csv(ds / OBS, dtype=str, keep_default_na=False).to_parquet(ds / "observations.parquet")
    p = only(ds)
    assert (p.file, p.row, p.column) == (OBS, None, None)
    assert "observations.csv and observations.parquet" in p.message and "ambiguous" in p.message


@pytest.mark.parametrize("field", ["name", "title", "contract_version", "synthetic"])
def test_datapackage_missing_required_field(ds: Path, field: str) -> None:
    edit_json(ds / "datapackage.json", lambda d: d.pop(field))
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == ("datapackage.json", None, field, None)
    assert p.message == "required field is missing"


def test_datapackage_synthetic_not_boolean(ds: Path) -> None:
    edit_json(ds / "datapackage.json", lambda d: d.update(synthetic="yes"))
    p = only(ds)
    assert (p.column, p.value) == ("synthetic", "yes")


def test_invalid_json(ds: Path) -> None:
    (ds / "index.json").write_text("{not json", encoding="utf-8")
    p = only(ds)
    assert p.file == "index.json" and "not valid JSON" in p.message


# ---- values ---------------------------------------------------------------------------------------


def test_unknown_territory_in_observations(ds: Path) -> None:
    set_cell(ds, "observations", 5, "territory_id", "0999")
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (OBS, 5, "territory_id", "0999")
    assert "no such territory" in p.message


def test_unknown_territory_in_population_and_events(ds: Path) -> None:
    set_cell(ds, "population", 3, "territory_id", "XX")
    set_cell(ds, "events", 2, "territory_id", "0909")
    problems = validate_dataset(ds)
    assert find(problems, "population.csv", 3, "territory_id").value == "XX"
    assert find(problems, "events.csv", 2, "territory_id").value == "0909"
    assert len(problems) == 2


def test_duplicate_key_in_observations(ds: Path) -> None:
    set_cell(ds, "observations", 2, "period", "2020-01")
    p = only(ds)
    assert (p.file, p.row) == (OBS, 2)
    assert p.column == "indicator_id, territory_id, period, sex"
    assert p.value == "homicides, 0101, 2020-01, total"
    assert "duplicate key" in p.message and "row 1" in p.message


def test_duplicate_territory_id(ds: Path) -> None:
    edit_csv(ds, "territories", lambda df: pd.concat([df, df.iloc[[7]]], ignore_index=True))
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (TERR, 9, "territory_id", "0202")
    assert "same (territory_id) as row 8" in p.message


@pytest.mark.parametrize("bad", ["12a", "n/d", "1,5", "nan", "NA"])
def test_non_numeric_value(ds: Path, bad: str) -> None:
    set_cell(ds, "observations", 3, "value", bad)
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (OBS, 3, "value", bad)
    assert p.message.startswith("not a number")


def test_negative_count(ds: Path) -> None:
    set_cell(ds, "observations", 4, "value", "-1")
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (OBS, 4, "value", "-1")
    assert p.message == "a count cannot be negative"


def test_non_integer_count(ds: Path) -> None:
    set_cell(ds, "observations", 6, "value", "2.5")
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (OBS, 6, "value", "2.5")
    assert p.message == "a count must be a whole number"


def test_non_integer_percent_is_fine(ds: Path) -> None:
    set_cell(ds, "observations", 13, "value", "40.123")
    assert validate_dataset(ds) == []


@pytest.mark.parametrize("bad", ["2020-13", "2020Q5", "2020-Q5", "20", "2020-1", "2020-00"])
def test_period_that_does_not_parse(ds: Path, bad: str) -> None:
    set_cell(ds, "observations", 7, "period", bad)
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (OBS, 7, "period", bad)
    assert p.message == "not a period (YYYY, YYYY-Qn or YYYY-MM)"


def test_indicator_with_mixed_frequencies(ds: Path) -> None:
    set_cell(ds, "observations", 12, "period", "2020-Q4")
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (OBS, 12, "period", "2020-Q4")
    assert "homicides mixes frequencies" in p.message and "quarterly" in p.message


def test_indicator_without_metadata(ds: Path) -> None:
    edit_csv(ds, "indicators", lambda df: df[df["indicator_id"] != "homicide_rate"])
    problems = validate_dataset(ds)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        (OBS, 17, "indicator_id", "homicide_rate"), (OBS, 18, "indicator_id", "homicide_rate")]
    assert "no such indicator" in problems[0].message


def test_unknown_indicator_in_index_json(ds: Path) -> None:
    edit_json(ds / "index.json", lambda d: d["dimensions"][0]["indicators"][0].update(indicator_id="femicides"))
    p = only(ds)
    assert (p.file, p.value) == ("index.json", "femicides")
    assert p.column == "dimensions[0].indicators[0].indicator_id"


def test_sex_not_allowed(ds: Path) -> None:
    set_cell(ds, "observations", 1, "sex", "mujer")
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (OBS, 1, "sex", "mujer")
    assert "allowed values: total, female, male" in p.message


@pytest.mark.parametrize(("column", "value", "message"), [
    ("lower", "41", "lower bound is greater than the value"),
    ("upper", "40", "upper bound is less than the value"),
])
def test_interval_not_around_value(ds: Path, column: str, value: str, message: str) -> None:
    set_cell(ds, "observations", 13, column, value)  # value 40.5, interval 37.5-43.5
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (OBS, 13, column, value)
    assert p.message == message


def test_invalid_id_format(ds: Path) -> None:
    set_cell(ds, "indicators", 2, "indicator_id", "trust police")
    problems = validate_dataset(ds)
    p = find(problems, "indicators.csv", 2, "indicator_id")
    assert p.value == "trust police" and "not a valid identifier" in p.message


def test_negative_and_non_numeric_population(ds: Path) -> None:
    set_cell(ds, "population", 2, "population", "-5")
    set_cell(ds, "population", 4, "population", "mil")
    set_cell(ds, "population", 6, "year", "2020.5")
    problems = validate_dataset(ds)
    assert len(problems) == 3
    assert find(problems, "population.csv", 2, "population").value == "-5"
    assert find(problems, "population.csv", 4, "population").message.startswith("not a number")
    assert find(problems, "population.csv", 6, "year").message == "not a whole number"


def test_empty_required_cell(ds: Path) -> None:
    set_cell(ds, "population", 2, "population", "")
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == ("population.csv", 2, "population", "")
    assert p.message == "empty, but a value is required"


def test_bad_boolean_and_enum_in_indicators(ds: Path) -> None:
    set_cell(ds, "indicators", 1, "higher_is_worse", "sí")
    set_cell(ds, "indicators", 2, "unit", "percentage")
    problems = validate_dataset(ds)
    assert find(problems, "indicators.csv", 1, "higher_is_worse").value == "sí"
    assert find(problems, "indicators.csv", 2, "unit").value == "percentage"
    assert len(problems) == 2


def test_rate_per_required_when_rate_base_is_set(ds: Path) -> None:
    set_cell(ds, "indicators", 1, "rate_per", "")
    p = only(ds)
    assert (p.file, p.row, p.column) == ("indicators.csv", 1, "rate_per")
    assert "rate_base" in p.message


def test_event_date_not_a_date(ds: Path) -> None:
    set_cell(ds, "events", 1, "date", "2020-02-30")
    set_cell(ds, "events", 2, "date", "15/03/2020")
    problems = validate_dataset(ds)
    assert find(problems, "events.csv", 1, "date").message == "not a calendar date"
    assert find(problems, "events.csv", 2, "date").value == "15/03/2020"


# ---- hierarchy ----------------------------------------------------------------------------------


def test_parent_that_does_not_exist(ds: Path) -> None:
    set_cell(ds, "territories", 6, "parent_id", "09")
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (TERR, 6, "parent_id", "09")
    assert "no such territory" in p.message


def test_parent_not_one_level_up(ds: Path) -> None:
    set_cell(ds, "territories", 5, "parent_id", "GTM")
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (TERR, 5, "parent_id", "GTM")
    assert p.message == "the parent must be exactly one level up"


def test_level_not_allowed(ds: Path) -> None:
    set_cell(ds, "territories", 2, "level", "3")
    p = find(validate_dataset(ds), TERR, 2, "level")
    assert p.value == "3" and "allowed values: 0, 1, 2" in p.message


# ---- boundaries -----------------------------------------------------------------------------------


def test_boundary_feature_matching_no_territory(ds: Path) -> None:
    def change(fc: dict) -> None:
        fc["features"][1]["id"] = "0999"  # was 0102
        fc["features"][1]["properties"]["territory_id"] = "0999"
    edit_json(ds / "boundaries" / "admin2.json", change)
    problems = validate_dataset(ds)
    p = find(problems, "boundaries/admin2.json", 2, "id")
    assert p.value == "0999" and p.message == "matches no level-2 territory"
    # and 0102 (territories row 6) is left without geometry
    assert find(problems, TERR, 6, "territory_id").value == "0102"
    assert len(problems) == 2


def test_boundary_feature_of_wrong_level(ds: Path) -> None:
    edit_json(ds / "boundaries" / "admin1.json", lambda fc: fc["features"][0].update(id="0101"))
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == ("boundaries/admin1.json", 1, "id", "0101")


def test_level2_territory_without_geometry(ds: Path) -> None:
    edit_json(ds / "boundaries" / "admin2.json", lambda fc: fc["features"].pop(2))  # 0201
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == (TERR, 7, "territory_id", "0201")
    assert p.message == "level-2 territory has no geometry in boundaries/admin2.json"


def test_feature_id_from_properties(ds: Path) -> None:
    edit_json(ds / "boundaries" / "admin2.json", lambda fc: [f.pop("id") for f in fc["features"]])
    assert validate_dataset(ds) == []


def test_geometry_not_polygon(ds: Path) -> None:
    edit_json(ds / "boundaries" / "admin2.json",
              lambda fc: fc["features"][0].update(geometry={"type": "Point", "coordinates": [0.5, 0.5]}))
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == ("boundaries/admin2.json", 1, "geometry", "Point")


def test_invalid_geometry(ds: Path) -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    edit_json(ds / "boundaries" / "admin2.json", lambda fc: fc["features"][3].update(geometry=bowtie))
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == ("boundaries/admin2.json", 4, "geometry", "0202")
    assert p.message.startswith("invalid geometry: Self-intersection")


def test_multipolygon_is_fine(ds: Path) -> None:
    multi = {"type": "MultiPolygon", "coordinates": [rect(0, 0, 0.4, 1)["coordinates"],
                                                     rect(0.6, 0, 1, 1)["coordinates"]]}
    edit_json(ds / "boundaries" / "admin2.json", lambda fc: fc["features"][0].update(geometry=multi))
    assert validate_dataset(ds) == []


# ---- several at once, Parquet --------------------------------------------------------------------


def test_all_problems_reported_at_once_sorted(ds: Path) -> None:
    set_cell(ds, "observations", 3, "value", "12a")
    set_cell(ds, "observations", 1, "sex", "mujer")
    set_cell(ds, "observations", 4, "value", "-1")
    set_cell(ds, "observations", 7, "period", "2020-13")
    set_cell(ds, "territories", 6, "parent_id", "09")
    set_cell(ds, "population", 2, "population", "-5")
    edit_json(ds / "datapackage.json", lambda d: d.pop("title"))
    problems = validate_dataset(ds)
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("datapackage.json", None, "title"),
        (OBS, 1, "sex"), (OBS, 3, "value"), (OBS, 4, "value"), (OBS, 7, "period"),
        ("population.csv", 2, "population"),
        (TERR, 6, "parent_id"),
    ]


def test_parquet_problems_name_parquet_rows(ds: Path) -> None:
    edit_csv(ds, "observations", lambda df: df.assign(value=df["value"].where(df.index != 4, "-1")))
    csv_to_parquet(ds, ("observations",))
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == ("observations.parquet", 5, "value", "-1")


def test_parquet_numeric_ids_rejected(ds: Path) -> None:
    edit_csv(ds, "events", lambda df: df.iloc[:0])
    df = pd.read_csv(ds / "population.csv", dtype=str, keep_default_na=False)
    df = df[df["territory_id"].str.fullmatch(r"\d+")]
    df = df.assign(territory_id=df["territory_id"].astype(int), year=df["year"].astype(int),
                   population=df["population"].astype(float))
    df.to_parquet(ds / "population.parquet", index=False)
    (ds / "population.csv").unlink()
    problems = validate_dataset(ds)
    p = find(problems, "population.parquet", None, "territory_id")
    assert "store them as text" in p.message


def test_huge_number_of_same_problem_is_capped(ds: Path) -> None:
    def many(df: pd.DataFrame) -> pd.DataFrame:
        extra = pd.DataFrame({"indicator_id": "homicides", "territory_id": "0101",
                              "period": [f"{y}-01" for y in range(1800, 1950)], "sex": "total",
                              "value": "-1", "lower": "", "upper": "", "source": ""})
        return pd.concat([df, extra], ignore_index=True)
    edit_csv(ds, "observations", many)
    problems = validate_dataset(ds)
    assert len(problems) == 101
    assert "and 50 more rows like this" in str(problems[0])


def test_semicolon_separated_csv(ds: Path) -> None:
    text = (ds / "indicators.csv").read_text(encoding="utf-8")
    (ds / "indicators.csv").write_text(text.replace(",", ";"), encoding="utf-8")
    p = find(validate_dataset(ds), "indicators.csv", None, None)
    assert "separated by ';'" in p.message


def test_csv_not_utf8(ds: Path) -> None:
    (ds / "territories.csv").write_bytes((ds / "territories.csv").read_text(encoding="utf-8").encode("latin-1"))
    p = find(validate_dataset(ds), TERR, None, None)
    assert p.message.startswith("cannot be read")


def test_booleans_any_case_but_only_true_false(ds: Path) -> None:
    set_cell(ds, "indicators", 1, "higher_is_worse", "True")
    set_cell(ds, "indicators", 2, "synthetic", "FALSE")
    assert validate_dataset(ds) == []
    set_cell(ds, "indicators", 3, "synthetic", "1")
    p = only(ds)
    assert (p.file, p.row, p.column, p.value) == ("indicators.csv", 3, "synthetic", "1")
    assert p.message == "not a boolean (true or false)"


def test_costs_regional_code_and_notes(ds: Path) -> None:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        extra = df.iloc[[0]].assign(country_iso3="LAC", study="regional")
        return pd.concat([df, extra], ignore_index=True).assign(note_es="aprox.", note_en="approx.")
    edit_csv(ds, "costs", change)
    assert validate_dataset(ds) == []
