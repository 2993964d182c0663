"""Loading a valid prepared dataset: types, missing values, ids, lookups, Parquet, CLI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.cli_validate import main, run_validate
from analytics.loader import DatasetError, load_dataset, validate_dataset
from analytics.validation import Problem
from tests.fixtures import csv_to_parquet, edit_csv, make_small_dataset, set_cell


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_small_dataset(tmp_path / "ds")


def test_small_dataset_is_valid(small: Path) -> None:
    assert validate_dataset(small) == []


def test_loads_with_contract_types(small: Path) -> None:
    ds = load_dataset(small)
    t, ind, obs, pop = ds.territories, ds.indicators, ds.observations, ds.population
    assert t.index.name == "territory_id" and t["level"].dtype == "int64"
    assert ind.index.name == "indicator_id"
    assert ind["higher_is_worse"].dtype == bool and ind["synthetic"].dtype == bool
    assert str(ind["rate_per"].dtype) == "Int64"
    assert ind.at["homicides", "rate_per"] == 100000 and pd.isna(ind.at["trust_police", "rate_per"])
    for c in ("value", "lower", "upper"):
        assert obs[c].dtype == "float64"
    assert obs["year"].dtype == "int64"
    assert np.issubdtype(obs["period_start"].dtype, np.datetime64)
    assert pop["year"].dtype == "int64" and pop["population"].dtype == "float64"
    assert ds.costs["illustrative"].dtype == bool and ds.costs["year"].dtype == "int64"
    assert np.issubdtype(ds.events["date"].dtype, np.datetime64)
    assert len(obs) == 18 and len(t) == 8 and len(ind) == 3


def test_derived_period_columns(small: Path) -> None:
    obs = load_dataset(small).observations.astype({"period": str, "freq": str})
    by_period = obs.drop_duplicates("period").set_index("period")
    assert by_period.loc["2020-02", "freq"] == "M"
    assert by_period.loc["2020-02", "period_start"] == pd.Timestamp("2020-02-01")
    assert by_period.loc["2020-Q2", "freq"] == "Q"
    assert by_period.loc["2020-Q2", "period_start"] == pd.Timestamp("2020-04-01")
    assert by_period.loc["2020", "freq"] == "Y"
    assert by_period.loc["2020", "period_start"] == pd.Timestamp("2020-01-01")
    assert set(obs["year"]) == {2020}


def test_missing_values_stay_nan_and_zero_stays_zero(small: Path) -> None:
    ds = load_dataset(small)
    obs = ds.observations
    survey = obs[(obs["indicator_id"] == "trust_police") & (obs["territory_id"] == "02") & (obs["period"] == "2020-Q2")]
    assert len(survey) == 1
    assert math.isnan(survey["value"].iloc[0]) and math.isnan(survey["lower"].iloc[0])
    zero = obs[(obs["territory_id"] == "0202") & (obs["period"] == "2020-02")]
    assert zero["value"].iloc[0] == 0.0
    assert obs["value"].isna().sum() == 1
    assert math.isnan(ds.costs.set_index("category").at["health", "value_usd"])


def test_ids_keep_leading_zeros(small: Path) -> None:
    ds = load_dataset(small)
    assert "0101" in ds.territories.index and "01" in ds.territories.index
    assert ds.parent("0101") == "01"
    assert "0101" in set(ds.observations["territory_id"].astype(str))


def test_id_na_is_not_missing(small: Path) -> None:
    edit_csv(small, "territories", lambda df: pd.concat(
        [df, pd.DataFrame([{"territory_id": "NA", "name": "Namibia", "level": "0", "parent_id": "",
                            "country_iso3": "NAM"}])], ignore_index=True))
    ds = load_dataset(small)
    assert "NA" in ds.territories.index
    assert ds.parent("NA") is None


def test_hierarchy_lookups(small: Path) -> None:
    ds = load_dataset(small)
    assert ds.children("01") == ["0101", "0102"]
    assert ds.children("GTM") == ["01", "02"]
    assert ds.ancestor("0201", 1) == "02" and ds.ancestor("0201", 0) == "GTM"
    assert list(ds.territories_at(level=2, within="01").index) == ["0101", "0102"]
    assert list(ds.territories_at(level=2, within="GTM").index) == ["0101", "0102", "0201", "0202"]
    assert ds.main_country == "GTM"
    assert ds.name("02") == "Sacatepéquez"


def test_population_lookup(small: Path) -> None:
    ds = load_dataset(small)
    assert ds.population_of("0101", 2020) == 1000
    assert ds.population_of("0102", 2021, "female") == 1005
    assert ds.population_of("0101", 2020, "female_10_19") == 100
    assert math.isnan(ds.population_of("0101", 1999))


def test_indicator_metadata_and_freq(small: Path) -> None:
    ds = load_dataset(small)
    assert ds.indicator_freq("homicides") == "M"
    assert ds.indicator_freq("trust_police") == "Q"
    assert ds.indicator_freq("homicide_rate") == "Y"
    assert ds.label("trust_police", "en") == "Trust in police"


def test_meta_and_configs(small: Path) -> None:
    ds = load_dataset(small)
    assert ds.meta.synthetic is True and ds.meta.contract_version == "1.0"
    assert ds.meta.source("lapop").publisher == "Vanderbilt"
    assert ds.meta.locale == "es_419"
    assert ds.index_config is not None and ds.index_config["id"] == "vawg"
    assert ds.story[0]["url"].startswith("/map")
    assert set(ds.boundary_files) == {1, 2}


def test_age_group_defaults_to_all(small: Path) -> None:
    edit_csv(small, "population", lambda df: df[df["age_group"] == "all"].drop(columns="age_group"))
    ds = load_dataset(small)
    assert set(ds.population["age_group"]) == {"all"}
    assert ds.population_of("01", 2020) == 3000


def test_optional_tables_absent_are_empty_frames(small: Path) -> None:
    for name in ("costs.csv", "cost_references.csv", "events.csv", "index.json", "story.json"):
        (small / name).unlink()
    ds = load_dataset(small)
    assert ds.costs.empty and "value_usd" in ds.costs.columns and "illustrative" in ds.costs.columns
    assert ds.cost_references.empty and "derived" in ds.cost_references.columns
    assert ds.events.empty and "kind" in ds.events.columns
    assert ds.index_config is None and ds.story == []


def test_optional_observation_columns_absent(small: Path) -> None:
    edit_csv(small, "observations", lambda df: df.drop(columns=["lower", "upper", "source"]))
    obs = load_dataset(small).observations
    assert obs["lower"].isna().all() and obs["upper"].dtype == "float64"
    assert obs["source"].isna().all()


def test_parquet_loads_identically_to_csv(small: Path, tmp_path: Path) -> None:
    from_csv = load_dataset(small)
    pq_dir = make_small_dataset(tmp_path / "pq")
    csv_to_parquet(pq_dir, ("territories", "population", "indicators", "observations", "costs", "events"))
    assert not (pq_dir / "observations.csv").exists()
    from_pq = load_dataset(pq_dir)
    for name in ("territories", "population", "indicators", "observations", "costs", "events"):
        pd.testing.assert_frame_equal(getattr(from_csv, name), getattr(from_pq, name), check_like=False)


def test_fingerprint_changes_with_data(small: Path) -> None:
    before = load_dataset(small).fingerprint
    assert before == load_dataset(small).fingerprint and len(before) == 16
    set_cell(small, "observations", 1, "value", "7")
    assert load_dataset(small).fingerprint != before


def test_invalid_dataset_raises_with_every_problem(small: Path) -> None:
    set_cell(small, "observations", 1, "sex", "mujer")
    set_cell(small, "territories", 6, "parent_id", "09")
    with pytest.raises(DatasetError) as info:
        load_dataset(small)
    err = info.value
    assert len(err.problems) == 2
    text = str(err)
    assert "observations.csv, row 1, column sex: value 'mujer'" in text
    assert "territories.csv, row 6, column parent_id: value '09'" in text


def test_problem_str() -> None:
    p = Problem("observations.csv", 12, "period", "2020-13", "not a period (YYYY, YYYY-Qn or YYYY-MM)")
    assert str(p) == "observations.csv, row 12, column period: value '2020-13' — not a period (YYYY, YYYY-Qn or YYYY-MM)"
    assert str(Problem("territories.csv", None, None, None, "required file is missing")) == (
        "territories.csv: required file is missing")


def test_run_validate_valid(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_validate(small) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [f"{small} is a valid prepared dataset: 8 territories, 3 indicators, 18 observations"]


def test_run_validate_invalid(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_cell(small, "observations", 3, "value", "12a")
    set_cell(small, "observations", 7, "period", "2020-13")
    assert run_validate(small) == 2
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("observations.csv, row 3, column value: value '12a' — not a number")
    assert out[1] == ("observations.csv, row 7, column period: value '2020-13' — "
                      "not a period (YYYY, YYYY-Qn or YYYY-MM)")
    assert out[-1] == f"2 problems in {small}"
    assert len(out) == 3


def test_cli_main(small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(small)]) == 0
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "not a directory" in capsys.readouterr().out
