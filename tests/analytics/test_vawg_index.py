"""The VAWG index, step by step, on a case computed by hand.

Country C; department D1 = {M1, M2}, D2 = {M3, M4}. Women per year (2019–2021, constant):
M1 1,000 · M2 2,000 · M3 4,000 · M4 5,000 (D1 3,000 · D2 9,000 · C 12,000). Window: 2020–2021
(end_year 2021, pooling_years 2), so the pooled denominators are 2,000 / 4,000 / 8,000 / 10,000 and one
count is worth 50 / 25 / 12.5 / 10 per 100,000 women. 2019 values (outside the window) are large on
purpose: if they leaked into the pooling every number below would change.

Five indicators in four dimensions (dimension weights 1:1:1:1):
  life      vdw   violent deaths of women (count)           2020, 2021 counts → rate /100k
  integrity sv    sexual violence (count, weight 2)
            comp  VAWG complaints (count, weight 1)         M4 2020 missing → pooled over 2021 only
  property  rob   robbery with female victims (count)      M2 missing in both years → imputed
  risk      edu   women with secondary schooling (percent, polarity −1: more schooling, lower priority)

Pooled values (step 1):
  vdw : M1 (1+1)/2000 → 100 · M2 (1+0)/4000 → 25 · M3 (2+2)/8000 → 50 · M4 (3+4)/10000 → 70
  sv  : M1 1/2000 → 50 · M2 4/4000 → 100 · M3 8/8000 → 100 · M4 2/10000 → 20
  comp: M1 4/2000 → 200 · M2 6/4000 → 150 · M3 20/8000 → 250 · M4 5/5000 (2021 only) → 100
  rob : M1 3/2000 → 150 · M2 missing · M3 6/8000 → 75 · M4 20/10000 → 200
  edu : M1 mean(40, 50) = 45 · M2 mean(60, 70) = 65 · M3 30 (2021 missing) · M4 mean(80, 90) = 85
Step 3 (impute_department_median): rob M2 ← median of D1's others = M1's 150.
Step 4 (winsor_percentile 90, numpy linear: index 0.9·3 = 2.7 → x₍₃₎ + 0.7·(x₍₄₎ − x₍₃₎) of the
oriented values):
  vdw 25, 50, 70, 100 → cap 91 (M1 100 → 91)        sv 20, 50, 100, 100 → cap 100 (no change)
  comp 100, 150, 200, 250 → cap 235 (M3 → 235)      rob 75, 150, 150, 200 → cap 185 (M4 → 185)
  edu oriented −85, −65, −45, −30 → cap −34.5 (M3 30 → 34.5)
Step 5 (min-max of the oriented values, ×100):
  vdw (x−25)/66: M1 100 · M2 0 · M3 25/66 · M4 45/66
  sv  (x−20)/80: M1 37.5 · M2 100 · M3 100 · M4 0
  comp (x−100)/135: M1 100/135 · M2 50/135 · M3 100 · M4 0
  rob (x−75)/110: M1 75/110 · M2 75/110 · M3 0 · M4 100
  edu (85−x)/50.5: M1 40/50.5 · M2 20/50.5 · M3 100 · M4 0
Step 6 (arithmetic): integrity = ⅔·sv + ⅓·comp; score = mean of the 4 dimensions.
Step 7: ranks M1 1, M3 2, M2 3, M4 4; quintile groups M1 very high (1), M3 high (2), M2 low (4),
M4 very low (5).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.dataset import Dataset, DatasetMeta
from analytics import vawg_index as vi

MUNIS = ["M1", "M2", "M3", "M4"]
WOMEN = {"M1": 1000.0, "M2": 2000.0, "M3": 4000.0, "M4": 5000.0, "D1": 3000.0, "D2": 9000.0, "C": 12000.0}
NAN = float("nan")

# (2019, 2020, 2021) per municipality
COUNTS = {
    "vdw": {"M1": (9, 1, 1), "M2": (9, 1, 0), "M3": (9, 2, 2), "M4": (9, 3, 4)},
    "sv": {"M1": (9, 0, 1), "M2": (9, 2, 2), "M3": (9, 4, 4), "M4": (9, 1, 1)},
    "comp": {"M1": (9, 3, 1), "M2": (9, 2, 4), "M3": (9, 10, 10), "M4": (9, NAN, 5)},
    "rob": {"M1": (9, 1, 2), "M2": (9, NAN, NAN), "M3": (9, 3, 3), "M4": (9, 10, 10)},
}
EDU = {"M1": (0, 40, 50), "M2": (0, 60, 70), "M3": (0, 30, NAN), "M4": (0, 80, 90)}

RAW = {
    "vdw": [100, 25, 50, 70],
    "sv": [50, 100, 100, 20],
    "comp": [200, 150, 250, 100],
    "rob": [150, NAN, 75, 200],
    "edu": [45, 65, 30, 85],
}
NORM = {
    "vdw": [100, 0, 25 / 66 * 100, 45 / 66 * 100],
    "sv": [37.5, 100, 100, 0],
    "comp": [100 / 135 * 100, 50 / 135 * 100, 100, 0],
    "rob": [75 / 110 * 100, 75 / 110 * 100, 0, 100],
    "edu": [40 / 50.5 * 100, 20 / 50.5 * 100, 100, 0],
}

INDEX_JSON = {
    "id": "t",
    "label_es": "Índice de prueba",
    "label_en": "Test index",
    "level": 2,
    "dimensions": [
        {"id": "life", "label_es": "Vida", "label_en": "Life", "weight": 1,
         "indicators": [{"indicator_id": "vdw", "weight": 1, "polarity": 1}]},
        {"id": "integrity", "label_es": "Integridad", "label_en": "Integrity", "weight": 1,
         "indicators": [{"indicator_id": "sv", "weight": 2, "polarity": 1},
                        {"indicator_id": "comp", "weight": 1, "polarity": 1}]},
        {"id": "property", "label_es": "Patrimonio", "label_en": "Property", "weight": 1,
         "indicators": [{"indicator_id": "rob", "weight": 1, "polarity": 1}]},
        {"id": "risk", "label_es": "Riesgo", "label_en": "Risk", "weight": 1,
         "indicators": [{"indicator_id": "edu", "weight": 1, "polarity": -1}]},
    ],
    "method": {"end_year": 2021, "pooling_years": 2, "smoothing": "none", "missing": "impute_department_median",
               "winsor_percentile": 90, "normalization": "minmax", "aggregation": "arithmetic",
               "classification": "quantiles", "fixed_thresholds": [20, 40, 60, 80], "top_n": 2,
               "mc_draws": 200, "mc_seed": 7},
}


def hand_dataset() -> Dataset:
    territories = pd.DataFrame(
        {
            "territory_id": ["C", "D1", "D2", "M1", "M2", "M3", "M4"],
            "name": ["Country", "Dept 1", "Dept 2", "Muni 1", "Muni 2", "Muni 3", "Muni 4"],
            "level": [0, 1, 1, 2, 2, 2, 2],
            "parent_id": [None, "C", "C", "D1", "D1", "D2", "D2"],
            "country_iso3": ["CCC"] * 7,
        }
    ).set_index("territory_id")
    population = pd.DataFrame(
        [(tid, y, "female", "all", pop) for tid, pop in WOMEN.items() for y in (2019, 2020, 2021)],
        columns=["territory_id", "year", "sex", "age_group", "population"],
    )
    ind_rows = []
    for iid in ("vdw", "sv", "comp", "rob"):
        ind_rows.append((iid, "vawg", iid, iid, "count", True, "female", 100000))
    ind_rows.append(("edu", "risk", "Escolaridad", "Schooling", "percent", False, "none", None))
    indicators = pd.DataFrame(ind_rows, columns=["indicator_id", "domain", "label_es", "label_en", "unit",
                                                 "higher_is_worse", "rate_base", "rate_per"])
    indicators["source"] = "test"
    indicators["synthetic"] = True
    indicators = indicators.set_index("indicator_id")
    obs_rows = []
    for iid, by_muni in COUNTS.items():
        for tid, vals in by_muni.items():
            for y, v in zip((2019, 2020, 2021), vals):
                obs_rows.append((iid, tid, str(y), "female", v))
    for tid, vals in EDU.items():
        for y, v in zip((2019, 2020, 2021), vals):
            obs_rows.append(("edu", tid, str(y), "female", v))
    obs = pd.DataFrame(obs_rows, columns=["indicator_id", "territory_id", "period", "sex", "value"])
    obs["value"] = obs["value"].astype(float)
    obs["freq"] = "Y"
    obs["period_start"] = pd.to_datetime(obs["period"] + "-01-01")
    obs["year"] = obs["period_start"].dt.year
    meta = DatasetMeta("t", "t", "t", "1", "1.0", True, "", "", "es_419", (), ())
    empty = pd.DataFrame()
    return Dataset(Path("."), meta, territories, population, indicators, obs, empty, empty, empty, INDEX_JSON, [],
                   {}, "fp")


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return hand_dataset()


@pytest.fixture(scope="module")
def config() -> vi.IndexConfig:
    return vi.parse_index_config(INDEX_JSON, ["vdw", "sv", "comp", "rob", "edu"])


@pytest.fixture(scope="module")
def result(ds, config) -> vi.IndexResult:
    return vi.compute_index(ds, config)


def frame(d: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(d, index=pd.Index(MUNIS, name="territory_id"))


def assert_frame_close(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(actual.reindex(index=expected.index, columns=expected.columns).astype(float),
                                  expected.astype(float), check_names=False, atol=1e-9, rtol=1e-12)


# ---- configuration -------------------------------------------------------------------------------

def test_config_is_parsed_with_every_field(config):
    assert config.dimension_ids == ["life", "integrity", "property", "risk"]
    assert config.indicator_ids == ["vdw", "sv", "comp", "rob", "edu"]
    assert config.polarity.to_dict() == {"vdw": 1, "sv": 1, "comp": 1, "rob": 1, "edu": -1}
    m = config.method
    assert (m.end_year, m.pooling_years, m.winsor_percentile, m.top_n, m.mc_draws, m.mc_seed) == (2021, 2, 90, 2, 200, 7)
    assert m.fixed_thresholds == (20, 40, 60, 80)
    w = vi.effective_weights(config)
    assert w.to_dict() == pytest.approx({"vdw": 0.25, "sv": 0.25 * 2 / 3, "comp": 0.25 / 3, "rob": 0.25, "edu": 0.25})


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: c["method"].update(normalization="log"), "method.normalization: value 'log'"),
        (lambda c: c["method"].update(winsor_percentile=20), "method.winsor_percentile"),
        (lambda c: c["method"].update(fixed_thresholds=[10, 5, 60, 80]), "method.fixed_thresholds"),
        (lambda c: c["method"].update(colour="red"), "unknown field(s) colour"),
        (lambda c: c["dimensions"][1]["indicators"][0].update(polarity=2), "dimensions[1].indicators[0].polarity"),
        (lambda c: c["dimensions"][0]["indicators"][0].update(indicator_id="nope"), "value 'nope' — no such indicator"),
        (lambda c: c["dimensions"][2].update(weight=-1), "dimensions[2].weight: value -1"),
        (lambda c: c["method"].update(top_n="50"), "method.top_n: value '50'"),
    ],
)
def test_bad_config_names_the_field_and_value(change, message):
    import copy

    raw = copy.deepcopy(INDEX_JSON)
    change(raw)
    with pytest.raises(vi.IndexConfigError) as err:
        vi.parse_index_config(raw, ["vdw", "sv", "comp", "rob", "edu"])
    assert message in str(err.value)
    assert str(err.value).startswith("index.json, ")


def test_with_weights_accepts_any_scale_but_not_negative(config):
    c = config.with_weights({"life": 2, "integrity": 2, "property": 0, "risk": 4})
    assert c.dimension_weights == {"life": 2, "integrity": 2, "property": 0, "risk": 4}
    assert vi.effective_weights(c)["edu"] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        config.with_weights([1, -1, 1, 1])
    with pytest.raises(ValueError):
        config.with_weights([0, 0, 0, 0])
    with pytest.raises(ValueError):
        config.with_weights({"wealth": 1})


# ---- step 1: pooling -----------------------------------------------------------------------------

def test_step1_pooled_rates_use_summed_counts_over_the_window(result):
    pooled = result.inputs.pooled
    assert result.inputs.window == (2020, 2021)
    raw = vi.wide(pooled, result.config, 2)
    assert_frame_close(raw, frame(RAW))
    muni = pooled[pooled["level"] == 2].set_index(["territory_id", "indicator_id"])
    assert muni.at[("M1", "vdw"), "numerator"] == 2 and muni.at[("M1", "vdw"), "denominator"] == 2000
    assert muni.at[("M4", "comp"), "numerator"] == 5 and muni.at[("M4", "comp"), "denominator"] == 5000
    assert muni.at[("M4", "comp"), "n_periods"] == 1 and muni.at[("M4", "comp"), "first_year"] == 2021
    assert muni.at[("M2", "rob"), "n_periods"] == 0 and math.isnan(muni.at[("M2", "rob"), "value"])
    assert muni.at[("M3", "edu"), "n_periods"] == 1 and muni.at[("M3", "edu"), "kind"] == "mean"
    assert muni.at[("M1", "edu"), "n_periods"] == 2
    # departments and country: summed counts over summed population (not a mean of rates)
    dept = vi.wide(pooled, result.config, 1)
    assert dept.at["D1", "vdw"] == pytest.approx(3 / 6000 * 1e5)  # (2+1)/(2×3000)
    assert dept.at["D2", "vdw"] == pytest.approx(11 / 18000 * 1e5)
    # D2 2020 complaints are incomplete (M4 missing) → D2 pooled over 2021 only: (10+5)/9000
    assert dept.at["D2", "comp"] == pytest.approx(15 / 9000 * 1e5)
    # D1 robbery: M2 is missing in both years → no complete year → missing, not smaller
    assert math.isnan(dept.at["D1", "rob"])
    country = vi.wide(pooled, result.config, 0)
    assert country.at["C", "vdw"] == pytest.approx(14 / 24000 * 1e5)
    assert country.at["C", "sv"] == pytest.approx(15 / 24000 * 1e5)
    assert math.isnan(country.at["C", "edu"])  # percent: no observation at country level, never averaged


# ---- step 2: smoothing ---------------------------------------------------------------------------

def test_empirical_bayes_marshall_local_by_hand():
    # one group: y = 10, 40 over n = 1000 each: m = 0.025, n̄ = 1000,
    # s² = (1000·0.015² + 1000·0.015²)/2000 = 0.000225, A = 0.000225 − 0.025/1000 = 0.0002,
    # C = 0.0002 / (0.0002 + 0.000025) = 8/9; smoothed = 0.025 ∓ 8/9·0.015
    eb = vi.empirical_bayes(pd.Series([10.0, 40.0, NAN]), pd.Series([1000.0, 1000.0, 500.0]), pd.Series(["g", "g", "g"]))
    assert eb["prior"].iloc[0] == pytest.approx(0.025)
    assert eb["shrinkage"].iloc[:2].tolist() == pytest.approx([8 / 9, 8 / 9])
    assert eb["smoothed"].iloc[:2].tolist() == pytest.approx([0.025 - 8 / 9 * 0.015, 0.025 + 8 / 9 * 0.015])
    assert math.isnan(eb["smoothed"].iloc[2])  # missing stays missing
    # a group whose spread is all Poisson noise (A = 0) is shrunk fully to its rate
    eb2 = vi.empirical_bayes(pd.Series([2.0, 1.0]), pd.Series([2000.0, 4000.0]), pd.Series(["g", "g"]))
    assert eb2["shrinkage"].tolist() == [0.0, 0.0]
    assert eb2["smoothed"].tolist() == pytest.approx([0.0005, 0.0005])


def test_step2_smoothing_none_keeps_rates_and_eb_shrinks_toward_department(ds, config, result):
    assert_frame_close(result.inputs.smoothed, frame(RAW))
    eb = vi.prepare_inputs(ds, config.with_method(smoothing="empirical_bayes"))
    s = eb.smoothed
    # vdw in D1: m = 3/6000, s² = 1.25e-7 < m/n̄ = 1.667e-7 → A = 0 → both at 50 per 100k
    assert s.loc[["M1", "M2"], "vdw"].tolist() == pytest.approx([50.0, 50.0])
    # D2: m = 11/18000; s² = 9.877e-9 < m/n̄ = 6.79e-8 → both at 61.11
    assert s.loc[["M3", "M4"], "vdw"].tolist() == pytest.approx([11 / 18000 * 1e5] * 2)
    # the percent indicator is not smoothed
    assert s["edu"].tolist() == pytest.approx([45, 65, 30, 85])


# ---- step 3: missing -----------------------------------------------------------------------------

def test_step3_missing_report_and_department_median(result):
    imp = result.inputs.imputation
    assert imp.report["n_missing"].to_dict() == {"M1": 0, "M2": 1, "M3": 0, "M4": 0}
    assert imp.report["n_imputed"].to_dict() == {"M1": 0, "M2": 1, "M3": 0, "M4": 0}
    assert imp.report.at["M2", "missing_indicators"] == "rob"
    assert not imp.report["excluded"].any()
    assert imp.imputed.to_dict("records") == [
        {"territory_id": "M2", "indicator_id": "rob", "imputed_value": 150.0, "source": "department"}]
    expected = dict(RAW, rob=[150, 150, 75, 200])
    assert_frame_close(imp.values, frame(expected))


def test_step3_exclude_rule_drops_the_municipality_from_the_ranking(ds, config):
    res = vi.compute_index(ds, config.with_method(missing="exclude"))
    assert res.inputs.imputation.report["excluded"].to_dict() == {"M1": False, "M2": True, "M3": False, "M4": False}
    assert res.table.loc["M2", "score"] != res.table.loc["M2", "score"]  # NaN
    assert pd.isna(res.table.loc["M2", "rank"]) and pd.isna(res.table.loc["M2", "group"])
    assert res.table["rank"].dropna().tolist() == [1, 2, 3] or sorted(res.table["rank"].dropna()) == [1, 2, 3]


def test_impute_falls_back_to_country_median_when_the_department_has_none():
    values = pd.DataFrame({"a": [1.0, 3.0, NAN, NAN], "b": [1.0, 2.0, 3.0, 4.0]}, index=MUNIS)
    deps = pd.Series(["D1", "D1", "D2", "D2"], index=MUNIS)
    imp = vi.impute_missing(values, deps, "impute_department_median")
    assert imp.values["a"].tolist() == [1, 3, 2, 2]  # country median of 1 and 3
    assert imp.imputed["source"].tolist() == ["country", "country"]
    all_missing = vi.impute_missing(values.assign(a=NAN), deps, "impute_department_median")
    assert all_missing.report["excluded"].all()  # nothing to impute from: excluded, not zero


# ---- step 4: winsorization -----------------------------------------------------------------------

def test_step4_winsorization_caps_the_worse_tail(result):
    expected = dict(RAW, rob=[150, 150, 75, 185], vdw=[91, 25, 50, 70], comp=[200, 150, 235, 100],
                    edu=[45, 65, 34.5, 85])
    assert_frame_close(result.winsorized, frame(expected))
    assert result.winsor_caps.to_dict() == pytest.approx({"vdw": 91, "sv": 100, "comp": 235, "rob": 185, "edu": 34.5})


def test_winsorization_off_changes_nothing(ds, config):
    res = vi.compute_index(ds, config.with_method(winsor_percentile=None))
    assert_frame_close(res.winsorized, res.inputs.imputation.values)


# ---- step 5: normalization -----------------------------------------------------------------------

def test_step5_minmax_normalization_higher_is_higher_priority(result):
    assert_frame_close(result.normalized, frame(NORM))


def test_zscore_and_rank_normalization_by_hand():
    # winsorized vdw 91, 25, 50, 70: mean 59, population sd = √(2382/4)
    x = pd.DataFrame({"v": [91.0, 25.0, 50.0, 70.0], "e": [45.0, 65.0, 34.5, 85.0]}, index=MUNIS)
    pol = pd.Series({"v": 1.0, "e": -1.0})
    sd = math.sqrt(2382 / 4)
    z = vi.normalize(x, pol, "zscore")
    assert z["v"].tolist() == pytest.approx([50 + 10 * d / sd for d in (32, -34, -9, 11)])
    # e oriented: −45, −65, −34.5, −85, mean −57.375
    esd = math.sqrt(((12.375) ** 2 + 7.625 ** 2 + 22.875 ** 2 + 27.625 ** 2) / 4)
    assert z["e"].tolist() == pytest.approx([50 + 10 * d / esd for d in (12.375, -7.625, 22.875, -27.625)])
    r = vi.normalize(x, pol, "rank")
    assert r["v"].tolist() == pytest.approx([100, 0, 100 / 3, 200 / 3])
    assert r["e"].tolist() == pytest.approx([200 / 3, 100 / 3, 100, 0])
    ties = vi.normalize(pd.DataFrame({"v": [1.0, 2.0, 2.0, 5.0]}), pd.Series({"v": 1.0}), "rank")
    assert ties["v"].tolist() == pytest.approx([0, 50, 50, 100])  # ranks 1, 2.5, 2.5, 4
    const = pd.DataFrame({"v": [3.0, 3.0]})
    assert vi.normalize(const, pd.Series({"v": 1.0}), "minmax")["v"].tolist() == [0, 0]
    assert vi.normalize(const, pd.Series({"v": 1.0}), "zscore")["v"].tolist() == [50, 50]
    big = pd.DataFrame({"v": [0.0] * 99 + [1000.0]})
    assert vi.normalize(big, pd.Series({"v": 1.0}), "zscore")["v"].max() == 100  # T-score clipped


# ---- step 6: aggregation -------------------------------------------------------------------------

def integrity(i: int) -> float:
    return 2 / 3 * NORM["sv"][i] + 1 / 3 * NORM["comp"][i]


SCORES = [(NORM["vdw"][i] + integrity(i) + NORM["rob"][i] + NORM["edu"][i]) / 4 for i in range(4)]


def test_step6_dimension_scores_and_arithmetic_composite(result):
    expected_dims = frame({
        "life": NORM["vdw"], "integrity": [integrity(i) for i in range(4)], "property": NORM["rob"], "risk": NORM["edu"],
    })
    assert_frame_close(result.dimension_scores, expected_dims)
    assert result.score.tolist() == pytest.approx(SCORES)
    assert SCORES == pytest.approx([74.270, 46.700, 59.470, 42.045], abs=1e-3)
    # contributions: ¼ of each dimension score, summing to the score
    assert_frame_close(result.contributions, expected_dims / 4)
    assert result.contributions.sum(axis=1).tolist() == pytest.approx(SCORES)


def test_geometric_aggregation_with_floor(ds, config):
    res = vi.compute_index(ds, config.with_method(aggregation="geometric"))
    # M4: life 45/66·100, integrity = 1^(2/3)·1^(1/3) = 1 (both 0 → floor 1), property 100, risk 0 → 1
    m4 = (45 / 66 * 100 * 1 * 100 * 1) ** 0.25
    assert res.score["M4"] == pytest.approx(m4)
    # M1: integrity = 37.5^(2/3)·(100/135·100)^(1/3)
    integ = 37.5 ** (2 / 3) * (100 / 135 * 100) ** (1 / 3)
    m1 = (100 * integ * (75 / 110 * 100) * (40 / 50.5 * 100)) ** 0.25
    assert res.dimension_scores.at["M1", "integrity"] == pytest.approx(integ)
    assert res.score["M1"] == pytest.approx(m1)
    assert res.contributions.sum(axis=1).tolist() == pytest.approx(res.score.tolist())
    # M1 contributions ∝ ¼·ln(D)
    logs = np.array([math.log(100), math.log(integ), math.log(75 / 110 * 100), math.log(40 / 50.5 * 100)]) / 4
    assert res.contributions.loc["M1"].tolist() == pytest.approx((logs / logs.sum() * m1).tolist())


# ---- step 7: ranks, groups, top-N ----------------------------------------------------------------

def test_step7_ranks_quintile_groups_and_top_n(result):
    assert result.rank.to_dict() == {"M1": 1, "M2": 3, "M3": 2, "M4": 4}
    s = sorted(SCORES)
    expected_th = [s[0] + 0.6 * (s[1] - s[0]), s[1] + 0.2 * (s[2] - s[1]), s[1] + 0.8 * (s[2] - s[1]),
                   s[2] + 0.4 * (s[3] - s[2])]
    assert result.thresholds.tolist() == pytest.approx(expected_th)
    assert result.group.to_dict() == {"M1": 1, "M2": 4, "M3": 2, "M4": 5}
    t = result.table
    assert t["top_n"].to_dict() == {"M1": True, "M2": False, "M3": True, "M4": False}
    assert t.loc["M1", "department_id"] == "D1" and t.loc["M1", "name"] == "Muni 1"
    assert t.loc["M3", "dim_integrity"] == pytest.approx(integrity(2))
    assert t.loc["M2", "n_imputed"] == 1


def test_fixed_and_natural_breaks_classification(ds, config):
    fixed = vi.compute_index(ds, config.with_method(classification="fixed"))
    # 74.27 ∈ [60, 80) → high; 59.47, 46.70, 42.05 ∈ [40, 60) → medium
    assert fixed.group.to_dict() == {"M1": 2, "M2": 3, "M3": 3, "M4": 3}
    assert fixed.thresholds.tolist() == [20, 40, 60, 80]
    # natural breaks with < 5 distinct scores: every score its own class, from very high down; the
    # empty class is left in the middle-low (bounds s1, s1, s2, s3, s4: the lowest is very low)
    nb = vi.compute_index(ds, config.with_method(classification="natural_breaks"))
    assert nb.group.to_dict() == {"M1": 1, "M2": 3, "M3": 2, "M4": 5}


def test_fisher_jenks_matches_mapclassify():
    import warnings

    import mapclassify

    rng = np.random.default_rng(3)
    for n in (9, 30, 120):
        y = np.round(rng.gamma(2, 10, n), 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = mapclassify.FisherJenks(y, k=5).bins
        assert vi.fisher_jenks_breaks(y).tolist() == pytest.approx(expected.tolist())
    # an obvious case: three clusters and two outliers
    y = np.array([1, 1.1, 1.2, 10, 10.1, 20, 20.2, 50, 90])
    assert vi.fisher_jenks_breaks(y).tolist() == pytest.approx([1.2, 10.1, 20.2, 50, 90])


def test_weights_change_the_ranking_and_rank_change_reports_it(result):
    # all the weight on risk: ranking by edu normalized: M3 100, M1 79.2, M2 39.6, M4 0
    res = vi.compute_from_inputs(result.inputs, weights={"life": 0, "integrity": 0, "property": 0, "risk": 1})
    assert res.rank.to_dict() == {"M3": 1, "M1": 2, "M2": 3, "M4": 4}
    assert vi.rank_change(res, result).to_dict() == {"M1": -1, "M2": 0, "M3": 1, "M4": 0}
    assert res.score.tolist() == pytest.approx(NORM["edu"])


def test_steps_tables_for_download(result):
    steps = result.steps()
    assert list(steps) == ["1_pooled_rates", "2_smoothed", "3_missing_report", "3_imputed_values",
                           "3_after_imputation", "4_winsorized", "4_winsor_caps", "5_normalized",
                           "6_dimension_scores", "6_contributions", "7_ranking"]
    assert steps["5_normalized"]["territory_id"].tolist() == MUNIS
    assert steps["7_ranking"].set_index("territory_id").loc["M1", "rank"] == 1


# ---- step 8: Monte Carlo -------------------------------------------------------------------------

def test_monte_carlo_is_reproducible_and_bounded(result):
    var = vi.normalized_variants(result.inputs)
    a = vi.monte_carlo(var, result.config)
    b = vi.monte_carlo(var, result.config)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert len(a.choices) == 200
    c = vi.monte_carlo(var, result.config, seed=8)
    assert not np.array_equal(a.ranks, c.ranks)
    t = a.table
    assert ((t["rank_p05"] <= t["median_rank"]) & (t["median_rank"] <= t["rank_p95"])).all()
    assert t["rank_p05"].min() >= 1 and t["rank_p95"].max() <= 4
    assert t["share_top_group"].between(0, 1).all()
    # every draw has exactly one municipality of 4 at or above its 80th percentile (distinct scores)
    assert t["share_top_group"].sum() == pytest.approx(1.0)
    assert t["share_top_n"].sum() == pytest.approx(2.0)  # top 2 of 4, in every draw
    # every alternative occurs
    assert set(a.choices["normalization"]) == {"minmax", "zscore", "rank"}
    assert set(a.choices["aggregation"]) == {"arithmetic", "geometric"}
    assert set(a.choices["winsorized"]) == {True, False}
    # drawn weights are centred on the chosen ones
    assert a.choices["w_edu"].mean() == pytest.approx(0.25, abs=0.02)
    assert a.choices[[c for c in a.choices if c.startswith("w_")]].sum(axis=1).tolist() == pytest.approx([1.0] * 200)


def test_monte_carlo_with_one_variant_reproduces_the_index(result):
    """With a huge Dirichlet concentration and only the chosen normalization, the draws are the index."""
    var = vi.normalized_variants(result.inputs)
    only = vi.Variants(var.index, var.indicator_ids,
                       {k: var.matrices[("minmax", True)] for k in var.matrices}, var.winsor_percentile)
    cfg = result.config.with_method(mc_concentration=1e9)
    mc = vi.monte_carlo(only, cfg, draws=50)
    arith = mc.choices["aggregation"] == "arithmetic"
    ranks = mc.ranks[:, arith.to_numpy()]
    assert (ranks == result.rank.to_numpy(dtype=int)[:, None]).all()


def test_a_zero_weight_stays_zero_in_the_draws(result):
    cfg = result.config.with_weights({"life": 1, "integrity": 1, "property": 0, "risk": 1})
    mc = vi.monte_carlo(vi.normalized_variants(result.inputs, cfg), cfg, draws=50)
    assert (mc.choices["w_rob"] == 0).all()


# ---- properties ----------------------------------------------------------------------------------

SIMPLE = vi.parse_index_config({
    "dimensions": [
        {"id": "a", "weight": 1, "indicators": [{"indicator_id": "x1", "weight": 1, "polarity": 1},
                                                 {"indicator_id": "x2", "weight": 2, "polarity": 1}]},
        {"id": "b", "weight": 2, "indicators": [{"indicator_id": "x3", "weight": 1, "polarity": -1}]},
        {"id": "c", "weight": 1, "indicators": [{"indicator_id": "x4", "weight": 1, "polarity": 1}]},
    ],
    "method": {"winsor_percentile": 95, "missing": "impute_department_median"},
})

values_st = st.lists(st.lists(st.floats(0, 1000, allow_nan=False), min_size=4, max_size=4), min_size=3, max_size=12)
methods_st = st.fixed_dictionaries({
    "normalization": st.sampled_from(vi.NORMALIZATIONS),
    "aggregation": st.sampled_from(vi.AGGREGATIONS),
    "winsor_percentile": st.sampled_from([None, 90.0, 95.0]),
})


def make_inputs(rows: list[list[float]], cfg: vi.IndexConfig) -> vi.IndexInputs:
    ids = [f"T{i:02d}" for i in range(len(rows))]
    values = pd.DataFrame(rows, index=ids, columns=["x1", "x2", "x3", "x4"])
    deps = pd.Series(["D1" if i % 2 else "D2" for i in range(len(rows))], index=ids)
    return vi.inputs_from_values(values, deps, cfg)


@settings(max_examples=60, deadline=None)
@given(values_st, methods_st, st.integers(0, 11), st.sampled_from(["x1", "x2", "x3", "x4"]),
       st.floats(0.5, 500))
def test_worsening_one_indicator_never_lowers_the_score(rows, method, who, col, delta):
    """Raising a municipality's value of a 'bad' indicator (or lowering a polarity −1 one) never lowers
    its score, whatever the normalization, aggregation and winsorization. Winsorization caps use the
    other municipalities too, so the property is on the municipality's own score."""
    cfg = SIMPLE.with_method(**method)
    who = who % len(rows)
    before = vi.compute_from_inputs(make_inputs(rows, cfg)).score.iloc[who]
    worse = [list(r) for r in rows]
    j = ["x1", "x2", "x3", "x4"].index(col)
    worse[who][j] += -delta if col == "x3" else delta
    after = vi.compute_from_inputs(make_inputs(worse, cfg)).score.iloc[who]
    # rank normalization and the 0–100 rescaling only see relative positions; the score can rise or
    # stay equal, never fall (up to floating-point noise)
    assert after >= before - 1e-9


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=4, max_size=4), st.integers(2, 8), methods_st,
       values_st)
def test_identical_municipalities_get_identical_scores_and_groups(row, copies, method, others):
    cfg = SIMPLE.with_method(**method)
    res = vi.compute_from_inputs(make_inputs([row] * copies + others, cfg))
    same = res.score.iloc[:copies]
    assert same.max() - same.min() <= 1e-9 * max(1.0, abs(same.max()))
    assert res.group.iloc[:copies].nunique() == 1 and res.rank.iloc[:copies].nunique() == 1


@settings(max_examples=40, deadline=None)
@given(values_st, methods_st, st.lists(st.floats(0.01, 10), min_size=3, max_size=3), st.floats(0.01, 100))
def test_weights_are_scale_invariant(rows, method, weights, factor):
    cfg = SIMPLE.with_method(**method)
    inputs = make_inputs(rows, cfg)
    a = vi.compute_from_inputs(inputs, weights=weights)
    b = vi.compute_from_inputs(inputs, weights=[w * factor for w in weights])
    np.testing.assert_allclose(a.score.to_numpy(), b.score.to_numpy(), rtol=1e-9, atol=1e-9)


def test_equal_weights_and_equal_inputs_give_equal_scores_exactly():
    rows = [[5.0, 5.0, 5.0, 5.0]] * 3 + [[1.0, 2.0, 3.0, 4.0]]
    res = vi.compute_from_inputs(make_inputs(rows, SIMPLE))
    assert res.score.iloc[0] == res.score.iloc[1] == res.score.iloc[2]
    assert res.rank.iloc[:3].tolist() == [res.rank.iloc[0]] * 3


# ---- tables for the page -------------------------------------------------------------------------

def test_ranking_table_joins_monte_carlo_and_rank_change(result):
    cfg = result.config
    other = vi.compute_from_inputs(result.inputs, weights={"life": 0, "integrity": 0, "property": 0, "risk": 1})
    mc = vi.monte_carlo(vi.normalized_variants(result.inputs), cfg).table
    t = vi.ranking_table(other, mc, result)
    assert t.index.tolist() == ["M3", "M1", "M2", "M4"]  # sorted by rank
    assert t["rank_change"].to_dict() == {"M3": 1, "M1": -1, "M2": 0, "M4": 0}
    assert t["robust_high"].to_dict() == (mc["share_top_group"] >= vi.ROBUST_SHARE).to_dict()
    assert {"median_rank", "rank_p05", "rank_p95", "share_top_group", "share_top_n"} <= set(t.columns)


def test_contribution_comparison_by_hand(result):
    c = vi.contribution_comparison(result, "M1")
    dims = result.dimension_scores / 4
    assert c.loc["municipality"].tolist() == pytest.approx(dims.loc["M1"].tolist())
    assert c.loc["department"].tolist() == pytest.approx(dims.loc[["M1", "M2"]].mean().tolist())  # D1
    assert c.loc["country"].tolist() == pytest.approx(dims.mean().tolist())
    assert c.loc["municipality"].sum() == pytest.approx(SCORES[0])


def test_municipality_profile_by_hand(ds, result):
    p = vi.municipality_profile(ds, result, "M2").set_index("indicator_id")
    assert p.loc["vdw", "value"] == pytest.approx(25) and p.loc["vdw", "normalized"] == pytest.approx(0)
    assert p.loc["vdw", "department_value"] == pytest.approx(50) and p.loc["vdw", "department_basis"] == "rate"
    assert p.loc["vdw", "country_value"] == pytest.approx(14 / 24000 * 1e5)
    # robbery: missing, imputed with M1's 150; department D1 has no complete year → missing rate
    assert math.isnan(p.loc["rob", "value"]) and p.loc["rob", "used"] == 150 and bool(p.loc["rob", "imputed"])
    assert p.loc["rob", "n_periods"] == 0 and math.isnan(p.loc["rob", "department_value"])
    # schooling: a percent with no department observation → median of the department's municipalities
    assert p.loc["edu", "department_value"] == pytest.approx(55)  # median(45, 65)
    assert p.loc["edu", "department_basis"] == "municipal_median"
    assert p.loc["edu", "country_value"] == pytest.approx(55)  # median(45, 65, 30, 85)
    assert p.loc["edu", "kind"] == "mean" and p.loc["vdw", "kind"] == "rate" and p.loc["vdw", "rate_per"] == 100000
    assert p.loc["comp", "first_year"] == 2020 and p.loc["comp", "last_year"] == 2021
    assert p["dimension"].tolist() == ["life", "integrity", "integrity", "property", "risk"]


def test_an_index_indicator_used_for_women_is_pooled_per_100000_women():
    """A 'total' indicator used by the index for women (IndicatorSpec.sex = 'female') is pooled over the
    female population (tests/analytics/sex_tiny.py, 2020: M1 2 / 500, M2 12 / 1,600, M3 24 / 2,900,
    D1 14 / 2,100, C 38 / 5,000 women); the municipality profile names that base."""
    from tests.analytics.sex_tiny import sex_dataset

    ds = sex_dataset()
    spec = vi.IndicatorSpec("hom", sex="female")
    cfg = vi.IndexConfig("t", "t", "t", 2, (vi.DimensionSpec("life", "Vida", "Life", 1.0, (spec,)),),
                         vi.MethodConfig(end_year=2020, pooling_years=1))
    pooled = vi.pool_rates(ds, cfg).set_index("territory_id")
    assert pooled.at["M1", "numerator"] == 2 and pooled.at["M1", "denominator"] == 500
    assert pooled.at["M1", "value"] == pytest.approx(400.0)
    assert pooled.at["M3", "value"] == pytest.approx(24 / 2900 * 100000)
    assert pooled.at["D1", "denominator"] == 2100 and pooled.at["D1", "value"] == pytest.approx(14 / 2100 * 100000)
    assert pooled.at["C", "value"] == pytest.approx(760.0)
    total = vi.IndexConfig("t", "t", "t", 2, (vi.DimensionSpec("life", "Vida", "Life", 1.0,
                                                               (vi.IndicatorSpec("hom"),)),),
                           vi.MethodConfig(end_year=2020, pooling_years=1))
    assert vi.pool_rates(ds, total).set_index("territory_id").at["C", "value"] == pytest.approx(1100.0)
    result = vi.compute_index(ds, cfg)
    prof = vi.municipality_profile(ds, result, "M1")
    assert prof["rate_base"].tolist() == ["female"] and prof["value"].iloc[0] == pytest.approx(400.0)
