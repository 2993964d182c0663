"""The index page's callback functions, called directly on the demo dataset: URL state, rows, map
figure, methodology text and downloads agree with analytics/vawg_index."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask

from analytics import vawg_index as vi
from analytics.loader import load_dataset
from callbacks import index as cb
from callbacks.context import AppContext, make_cache
from components import index as ui
from components.index_method import methodology_steps

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def svc() -> cb.IndexService:
    ds = load_dataset(DEMO)
    ctx = AppContext(dataset=ds, cache=make_cache(Flask("t")))
    return cb.IndexService(ctx)


def test_url_state_round_trip_and_bad_values(svc):
    cfg = svc.config
    d = ui.default_state(cfg)
    assert d.weights == (25, 25, 25, 25) and d.winsor == "95" and d.top_n == 50
    assert ui.state_params(d, d) == {}
    s = ui.parse_state({"w": "50,25,25,0", "norm": "rank", "agg": "geometric", "win": "off", "cls": "fixed",
                        "top": "20", "color": "risk", "sel": "0101", "miss": "exclude", "smooth": "empirical_bayes"},
                       cfg, {"0101"})
    assert s.weights == (50, 25, 25, 0) and s.normalization == "rank" and s.winsor == "off"
    assert ui.parse_state(ui.state_params(s, d), cfg, {"0101"}) == s
    bad = ui.parse_state({"w": "1,2", "norm": "log", "top": "x", "color": "nope", "sel": "9999", "win": "12"}, cfg,
                         {"0101"})
    assert bad == d
    c = ui.config_for(cfg, s)
    assert c.method.winsor_percentile is None and c.method.classification == "fixed" and c.method.top_n == 20
    assert vi.effective_weights(c)["violent_deaths_women"] == pytest.approx(0.5)
    zero = ui.config_for(cfg, ui.IndexState((0, 0, 0, 0), "minmax", "arithmetic", "95", "none",
                                            "impute_department_median", "quantiles", 50, "group", None))
    assert set(zero.dimension_weights.values()) == {1.0}  # all-zero sliders: equal weights


def test_service_matches_analytics_and_rows(svc):
    s = cb.state_from_controls(svc, [10, 20, 30, 40], "zscore", "geometric", "90", "none",
                               "impute_department_median", "natural_breaks", 30, "group", None)
    res, ranking = svc.ranking(s)
    cfg = svc.config.with_method(normalization="zscore", aggregation="geometric", winsor_percentile=90.0,
                                 classification="natural_breaks", top_n=30)
    direct = vi.compute_index(svc.ds, cfg, weights=[10, 20, 30, 40])
    pd.testing.assert_series_equal(res.score, direct.score)
    assert (res.group == direct.group).all()
    rows = cb.ranking_rows(ranking, "es")
    assert len(rows) == 340 and rows[0]["rank"] == 1 and sum(r["top_n"] for r in rows) == 30
    first = rows[0]
    assert first["interval"] == f"{first['rank_p05']}–{first['rank_p95']}"
    assert first["group_label"] == ui.group_label(first["group"], "es")
    assert first["rank_change"] == int(svc.default_result().rank[first["territory_id"]]) - 1
    assert first["robust_pct"] == pytest.approx(100 * ranking.iloc[0]["share_top_group"], abs=0.05)


def test_map_figure_is_light_and_coloured_by_group(svc):
    res, ranking = svc.ranking(svc.default)
    fig = ui.map_figure(ranking, res.config, "group", "/geo/x/admin2.json", {"lon": -90, "lat": 15}, 6.3, "src",
                        "es", "0101")
    tr = fig["data"][0]
    assert tr["type"] == "choroplethmap" and tr["geojson"] == "/geo/x/admin2.json"
    assert fig["layout"]["map"]["style"] == "white-bg"
    z = dict(zip(tr["locations"], tr["z"]))
    assert all(z[tid] == 6 - int(g) for tid, g in ranking["group"].items())
    assert fig["data"][2]["locations"] == ["0101"]
    dim = ui.map_figure(ranking, res.config, "risk", "/g.json", {"lon": 0, "lat": 0}, 5, "src", "en", None)
    assert dim["data"][0]["z"][0] == pytest.approx(ranking.loc[dim["data"][0]["locations"][0], "dim_risk"], abs=0.01)
    assert dim["layout"]["title"]["text"] == "Risk factors dimension: score by municipality (0–100)"


def test_methodology_is_generated_from_the_configuration(svc):
    res = svc.result(svc.default)
    es = dict(methodology_steps(svc.ds, res.config, res.inputs.window, res, "es"))
    assert "2022–2024" in es["2. Tasas acumuladas"]
    assert "percentil 95" in es["5. Valores extremos"]
    assert "mín–máx" in es["6. Normalización"] and "aritmética" in es["7. Ponderación y agregación"]
    assert "quintiles" in es["8. Clasificación"] and "Los 50 primeros" in es["8. Clasificación"]
    assert es["9. Incertidumbre y sensibilidad"].startswith("1,000 simulaciones Monte Carlo (semilla 20261122")
    assert "no es el Índice de Priorización Territorial" in es["Advertencia"] and "sintéticos" in es["Advertencia"]
    s = cb.state_from_controls(svc, [50, 50, 0, 0], "rank", "geometric", "off", "empirical_bayes", "exclude",
                               "fixed", 10, "group", None)
    res2 = svc.result(s)
    en = dict(methodology_steps(svc.ds, res2.config, res2.inputs.window, res2, "en"))
    assert "Life 50%" in en["1. Framework"] and "Property 0%" in en["1. Framework"]
    assert "Marshall" in en["3. Smoothing"]
    assert "excluded from the ranking" in en["4. Missing data"]
    assert en["5. Outliers"] == "No capping of outliers."
    assert "percentile rank" in en["6. Normalization"] and "geometric" in en["7. Weighting and aggregation"]
    assert "20.0, 40.0, 60.0, 80.0" in en["8. Classification"] and "first 10" in en["8. Classification"]


class _OtherCountry:
    """The demo dataset seen as if it were another country's (only `main_country` differs)."""

    main_country = "MEX"

    def __init__(self, ds) -> None:
        self._ds = ds

    def __getattr__(self, name):
        return getattr(self._ds, name)


def test_only_guatemala_names_the_official_iptvcm(svc):
    """The official VAWG index that ours is not is Guatemala's: another country's page says only that
    this is not an official index."""
    res = svc.result(svc.default)
    other = _OtherCountry(svc.ds)
    assert "(IPTVCM)" in ui.not_official_text(svc.ds, "es")
    assert ui.not_official_text(other, "es") == ("Metodología basada en la práctica OCDE/JRC e InfoSegura; "
                                                 "no es un índice oficial.")
    assert ui.not_official_text(other, "en").endswith("it is not an official index.")
    es = dict(methodology_steps(other, res.config, res.inputs.window, res, "es"))
    en = dict(methodology_steps(other, res.config, res.inputs.window, res, "en"))
    assert "pero no es un índice oficial." in es["Advertencia"] and "IPTVCM" not in es["Advertencia"]
    assert "Gobernación" not in es["Advertencia"] and "sintéticos" in es["Advertencia"]
    assert "it is not an official index." in en["Caveat"] and "IPTVCM" not in en["Caveat"]


def test_downloads_hold_every_row_column_and_step(svc):
    csv = cb.download_payload(svc, svc.default, "csv", "es")
    text = csv["content"] if not csv.get("base64") else base64.b64decode(csv["content"]).decode()
    table = pd.read_csv(io.StringIO(text), dtype={"territory_id": str})
    assert len(table) == 340 and table["rank"].tolist()[:3] == [1, 2, 3]
    assert {"group_label", "rank_p05", "rank_p95", "share_top_group", "rank_change", "dim_life", "index_method",
            "synthetic_data"} <= set(table.columns)
    zipped = cb.download_payload(svc, svc.default, "zip", "en")
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(zipped["content"]))) as z:
        names = set(z.namelist())
    assert {"vawg_index_ranking.csv", "1_pooled_rates.csv", "3_missing_report.csv", "5_normalized.csv",
            "7_ranking.csv"} <= names
    xlsx = cb.download_payload(svc, svc.default, "xlsx", "es")
    book = pd.read_excel(io.BytesIO(base64.b64decode(xlsx["content"])), sheet_name=None)
    assert {"ranking", "method", "4_winsorized", "6_contributions"} <= set(book)
    assert len(book["ranking"]) == 340


def test_a_bad_index_json_is_shown_not_crashing(svc):
    import dataclasses

    ds = dataclasses.replace(svc.ds, index_config={"dimensions": [{"id": "x", "indicators": []}]})
    ctx = AppContext(dataset=ds, cache=make_cache(Flask("t2")))
    out = ui.layout(ctx, {}, "en")
    text = str(out)
    assert "The index configuration (index.json) is not valid" in text
    assert "dimensions[0].indicators: must be a non-empty array" in text
    from dash import Dash

    cb.register(Dash(__name__), ctx)  # does not raise


def test_weight_change_sends_only_the_map_values(svc):
    res, ranking = svc.ranking(svc.default)
    fig = ui.map_figure(ranking, res.config, "group", "/g.json", {"lon": 0, "lat": 0}, 5, "src", "es", None)
    patch = cb.map_values_patch(fig).to_plotly_json()
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch["operations"]}
    assert ops[("data", 0, "z")] == fig["data"][0]["z"]
    assert ops[("data", 0, "locations")] == fig["data"][0]["locations"]
    assert not any(loc[0] == "layout" for loc in ops)  # colour scale, title, geometry stay in the browser
