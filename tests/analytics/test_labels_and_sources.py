"""The data contract's optional bilingual source titles and level names (datapackage.json `sources[].title_en`,
`publisher_en`, `licenses[].title_en`, `level_labels`): defaults, what the loader builds, what the
validator rejects (file, field, value), and the analytics that depend on a dataset's contents: periods
blank everywhere at the end of a series, counts without a population of their rate base, the profile's
trend frequency for a short series."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.dataset import DEFAULT_LEVEL_LABELS, Source, lower_first
from analytics.loader import load_dataset, validate_dataset
from analytics.map_values import indicator_options, normalize_filters, period_choices
from analytics.profile import comparison_series, key_figure, trend_freq
from analytics.rates import complete_periods, has_rate_base
from tests.fixtures import make_small_dataset

MX_LABELS = {
    "1": {"es": {"singular": "Estado", "plural": "Estados"}, "en": {"singular": "State", "plural": "States"}},
    "2": {"es": {"singular": "Alcaldía", "plural": "Alcaldías", "gender": "f", "abbr": "alc."},
          "en": {"singular": "Borough", "plural": "Boroughs"}},
}


def with_datapackage(tmp_path: Path, **changes) -> Path:
    d = make_small_dataset(tmp_path / "ds")
    desc = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    desc.update(changes)
    (d / "datapackage.json").write_text(json.dumps(desc, ensure_ascii=False), encoding="utf-8")
    return d


# ---- level names ---------------------------------------------------------------------------------
def test_without_level_labels_the_names_are_guatemalas(tmp_path: Path) -> None:
    meta = load_dataset(make_small_dataset(tmp_path / "ds")).meta
    assert "level_labels" not in json.loads((tmp_path / "ds" / "datapackage.json").read_text())
    assert meta.level_name(1, "es") == "Departamento" and meta.level_name(1, "es", plural=True) == "Departamentos"
    assert meta.level_name(2, "en") == "Municipality" and meta.level_name(2, "en", plural=True) == "Municipalities"
    assert meta.level_term(1, "es").abbr == "depto." and meta.level_term(1, "en").abbr == "dept."
    assert meta.level_term(2, "es").gender == "m"
    assert meta.level_name(2, "fr") == "Municipio"  # any other language is the Spanish page
    assert DEFAULT_LEVEL_LABELS[2]["es"].singular == "Municipio"


def test_level_labels_are_loaded_and_a_level_left_out_keeps_the_default(tmp_path: Path) -> None:
    meta = load_dataset(with_datapackage(tmp_path, level_labels=MX_LABELS)).meta
    assert meta.level_name(1, "es") == "Estado" and meta.level_name(1, "en", plural=True) == "States"
    assert meta.level_term(1, "es").abbr == "estado"  # no abbr given: the lower-case singular
    assert meta.level_term(2, "es") == meta.level_term(2, "es").__class__("Alcaldía", "Alcaldías", "f", "alc.")
    assert meta.level_term(2, "en").gender == "m" and meta.level_term(2, "en").abbr == "borough"
    only_1 = load_dataset(with_datapackage(tmp_path / "b", level_labels={"1": MX_LABELS["1"]})).meta
    assert only_1.level_name(1, "en") == "State" and only_1.level_name(2, "en") == "Municipality"


@pytest.mark.parametrize("labels, column, value, message", [
    ({"3": MX_LABELS["1"]}, "level_labels.3", "3", "unknown level"),
    ({"1": {"es": MX_LABELS["1"]["es"]}}, "level_labels.1.en", None, "required field is missing"),
    ({"1": {"es": {"singular": "Estado"}, "en": MX_LABELS["1"]["en"]}}, "level_labels.1.es.plural", None,
     "required field is missing"),
    ({"1": {"es": {"singular": "", "plural": "Estados"}, "en": MX_LABELS["1"]["en"]}}, "level_labels.1.es.singular",
     "", "non-empty string"),
    ({"2": {"es": {**MX_LABELS["2"]["es"], "gender": "x"}, "en": MX_LABELS["2"]["en"]}}, "level_labels.2.es.gender",
     "x", 'must be "m" or "f"'),
    ({"1": {**MX_LABELS["1"], "fr": {"singular": "État", "plural": "États"}}}, "level_labels.1.fr", "fr",
     "unknown language"),
    (["Estado", "Municipio"], "level_labels", None, "must be an object"),
])
def test_bad_level_labels_are_named_by_field(tmp_path: Path, labels, column, value, message) -> None:
    problems = validate_dataset(with_datapackage(tmp_path, level_labels=labels))
    assert len(problems) == 1, problems
    p = problems[0]
    assert (p.file, p.row, p.column, p.value) == ("datapackage.json", None, column, value)
    assert message in p.message


def test_lower_first_keeps_acronyms() -> None:
    assert lower_first("Municipio (distrito)") == "municipio (distrito)"
    assert lower_first("State") == "state" and lower_first("CA") == "CA"


# ---- sources in two languages --------------------------------------------------------------------
def test_source_titles_fall_back_to_the_one_title(tmp_path: Path) -> None:
    d = make_small_dataset(tmp_path / "ds")
    desc = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    desc["sources"][0].update(title_en="National Civil Police", publisher_en="National Police (PNC)")
    desc["licenses"][0]["title_en"] = "CC BY 4.0"
    (d / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    meta = load_dataset(d).meta
    pnc, lapop = meta.source("pnc"), meta.source("lapop")
    assert (pnc.title_for("es"), pnc.title_for("en")) == ("Policía Nacional Civil", "National Civil Police")
    assert (pnc.publisher_for("es"), pnc.publisher_for("en")) == ("PNC", "National Police (PNC)")
    assert lapop.title_for("en") == lapop.title_for("es") == "LAPOP AmericasBarometer"  # no title_en
    assert lapop.publisher_for("en") == "Vanderbilt"
    assert meta.license_title(meta.licenses[0], "en") == "CC BY 4.0"
    assert meta.license_title(meta.licenses[0], "es") == "Creative Commons Attribution 4.0"
    assert meta.title_for("en") == "Test dataset" and meta.title_for("es") == "Conjunto de prueba"
    # a free-text citation that is not a source id is shown as it is, in both languages
    assert meta.source("Encuesta propia").title_for("en") == "Encuesta propia"
    assert Source("x", "Título").title_for("en") == "Título"


def test_a_source_title_en_that_is_not_text_is_an_error(tmp_path: Path) -> None:
    d = make_small_dataset(tmp_path / "ds")
    desc = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    desc["sources"][1]["title_en"] = 2021
    (d / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    problems = validate_dataset(d)
    assert [(p.file, p.column, p.value) for p in problems] == [("datapackage.json", "sources[1].title_en", "2021")]
    assert "source 'lapop'" in problems[0].message


def test_the_demo_gives_every_source_an_english_title() -> None:
    from app import DEMO_DIR

    meta = load_dataset(DEMO_DIR).meta
    assert all(s.title_en for s in meta.sources)
    syn = meta.source("atalaya_synthetic")
    assert syn.title_for("en").startswith("Synthetic data generated by data/build_demo.py")
    costs = meta.source("undp_costs_2019")
    assert costs.publisher_for("en") == "UNDP InfoSegura" and "(reference year 2019)" in costs.title_for("en")
    assert "Costos económicos de la violencia" in costs.title_for("en")  # the publication's own name stays
    assert meta.level_name(1, "es") == "Departamento" and meta.level_term(1, "es").abbr == "depto."


# ---- what the pages ask analytics about a real dataset's shape ------------------------------------
def _edit_observations(d: Path, change) -> None:
    path = d / "observations.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(df).to_csv(path, index=False)


def test_a_month_blank_everywhere_at_the_end_is_not_offered(tmp_path: Path) -> None:
    """The fixture's homicides are monthly 2020-01..03 in four municipalities; add 2020-04 present but blank
    in all four (not yet published): the map must not open on it."""
    d = make_small_dataset(tmp_path / "ds")

    def add_april(df: pd.DataFrame) -> pd.DataFrame:
        extra = pd.DataFrame([{"indicator_id": "homicides", "territory_id": t, "period": "2020-04", "sex": "total",
                               "value": "", "lower": "", "upper": "", "source": ""}
                              for t in ("0101", "0102", "0201", "0202")])
        return pd.concat([df, extra], ignore_index=True)

    _edit_observations(d, add_april)
    ds = load_dataset(d)
    assert period_choices(ds, "homicides", "M") == ["2020-01", "2020-02", "2020-03"]
    assert complete_periods(ds, "homicides", "Q") == ["2020-Q1"]  # Q2 would rest on one blank month
    f = normalize_filters(ds, "homicides", 2, "count", "total", "M", False, None)
    assert f.period == "2020-03"


def test_counts_shown_when_the_rate_base_has_no_population(tmp_path: Path) -> None:
    """With rate_base female and no female population, rates cannot be computed anywhere: the map offers
    counts only and the profile's series carry the counts (0101: 1 + 2 + 3 = 6 in 2020-Q1)."""
    d = make_small_dataset(tmp_path / "ds")
    pop = pd.read_csv(d / "population.csv", dtype=str)
    pop[pop["sex"] != "female"].to_csv(d / "population.csv", index=False)
    ind = pd.read_csv(d / "indicators.csv", dtype=str, keep_default_na=False)
    ind.loc[ind["indicator_id"] == "homicides", "rate_base"] = "female"
    ind.to_csv(d / "indicators.csv", index=False)
    ds = load_dataset(d)
    assert not has_rate_base(ds, "homicides")
    assert indicator_options(ds, "homicides").measures == ("count", "change")
    # the cards use complete years and this 3-month series has none: no card (not a zero)
    assert key_figure(ds, "homicides", "0101") is None
    comp = comparison_series(ds, "homicides", "0101", "Q")
    assert set(comp["measure"]) == {"count"}
    self_q1 = comp[(comp["role"] == "self") & (comp["period"] == "2020-Q1")]["value"]
    assert list(self_q1) == [6.0]  # 1 + 2 + 3 (0101 is the first municipality: i = 0, values i + m)
    dept = comp[(comp["role"] == "department")]["value"]
    assert list(dept) == [6.0 + 9.0]  # 0102: 2 + 3 + 4


def test_profile_trend_uses_quarters_when_a_series_has_under_three_years(tmp_path: Path) -> None:
    ds = load_dataset(make_small_dataset(tmp_path / "ds"))
    assert complete_periods(ds, "homicides", "Y") == []  # 2020-01..03 only
    assert complete_periods(ds, "homicides", "Q") == ["2020-Q1"]
    assert trend_freq(ds, "homicides") == "M"  # not even three complete quarters: its own months
    assert trend_freq(ds, "trust_police") == "Y"  # not a count: its observed periods, unchanged


def test_trend_freq_picks_quarters_for_eighteen_months() -> None:
    from tests.analytics.test_map_values import tiny

    ds = tiny()  # monthly 2020-01 .. 2023-12: four complete years
    assert trend_freq(ds, "hom") == "Y"
    short = tiny()
    obs = short.observations
    keep = obs[(obs["indicator_id"] != "hom") | (obs["period_start"] >= pd.Timestamp("2022-07-01"))]
    object.__setattr__(short, "observations", keep.reset_index(drop=True))
    short.derived.clear()
    assert complete_periods(short, "hom", "Y") == ["2023"]
    assert trend_freq(short, "hom") == "Q"  # 2022-Q3 .. 2023-Q4: six quarters
    rows = comparison_series(short, "hom", "M1", "Q")
    m1 = rows[rows["role"] == "self"].set_index("period")["value"]
    # M1: 1 a month in 2022 (3 a quarter), 2023: 1 a month Jan–Jun then 0: per 1,000 people × 100,000
    assert m1["2022-Q3"] == pytest.approx(3 / 1000 * 1e5)
    assert m1["2023-Q3"] == pytest.approx(0.0) and not math.isnan(m1["2023-Q3"])
    assert list(m1.index) == ["2022-Q3", "2022-Q4", "2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    assert np.isclose(rows[rows["role"] == "country"].set_index("period").at["2023-Q1", "value"],
                      (3 * 1 + 3 * 2 + 3 * 3) / 10000 * 1e5)
    # the chart names quarters as quarters, not by the month they start in
    from components.profile import trend_figure

    fig, _ = trend_figure(short, rows, "hom", "M1", pd.DataFrame(), "es")
    assert fig["layout"]["xaxis"]["ticktext"] == ["T3 2022", "T4 2022", "T1 2023", "T2 2023", "T3 2023", "T4 2023"]
    assert fig["layout"]["xaxis"]["tickvals"][0] == "2022-07-01"


def test_key_figure_falls_back_to_counts_with_their_change() -> None:
    """tiny(): M1 had 12 homicides in 2022 and 6 in 2023. With a female rate base and no female population
    the card shows those counts: 6, previous 12, change −6 (−50 %), better (higher is worse)."""
    from tests.analytics.test_map_values import tiny

    ds = tiny()
    object.__setattr__(ds, "indicators", ds.indicators.assign(
        rate_base=["female", "none"]))
    kf = key_figure(ds, "hom", "M1")
    assert kf is not None and kf.measure == "count"
    assert (kf.period, kf.value, kf.previous_period, kf.previous_value) == ("2023", 6.0, "2022", 12.0)
    assert kf.change == -6.0 and kf.change_pct == pytest.approx(-50.0) and kf.direction == "better"
    normal = key_figure(tiny(), "hom", "M1")
    assert normal.measure == "rate" and normal.value == pytest.approx(6 / 1000 * 1e5)


def test_map_filters_of_a_series_shorter_than_a_year_fall_to_quarters(tmp_path: Path) -> None:
    """The fixture's homicides cover 2020-01..03: no complete year, one complete quarter. Asking for years
    (the default) used to recurse without end; it now gives the quarter, and months stay months."""
    ds = load_dataset(make_small_dataset(tmp_path / "ds"))
    f = normalize_filters(ds, "homicides", 2, "rate", "total", "Y", False, None)
    assert (f.granularity, f.period, f.periods) == ("Q", "2020-Q1", ("2020-Q1",))
    m = normalize_filters(ds, "homicides", 2, "rate", "total", "M", False, "2020-02")
    assert (m.granularity, m.period) == ("M", "2020-02")
    assert normalize_filters(ds, "homicides", 2, "change", "total", "Y", False, None).measure == "rate"
