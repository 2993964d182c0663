"""Pages on a dataset with its own level names and English source titles: every page says what the dataset
calls its levels (here Estado / Alcaldía, a feminine noun, and State / Borough) and names each source in the
page's language; the demo's English pages no longer show Spanish source titles; pages a dataset cannot
fill say what is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from plotly.utils import PlotlyJSONEncoder

from analytics.loader import load_dataset
from callbacks.context import AppContext, make_cache
from components.i18n import level_words, tl

LABELS = {
    "1": {"es": {"singular": "Estado", "plural": "Estados"}, "en": {"singular": "State", "plural": "States"}},
    "2": {"es": {"singular": "Alcaldía", "plural": "Alcaldías", "gender": "f"},
          "en": {"singular": "Borough", "plural": "Boroughs"}},
}


def text(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    from tests.fixtures import make_small_dataset

    d = make_small_dataset(tmp_path_factory.mktemp("labels") / "ds")
    desc = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    desc["level_labels"] = LABELS
    desc["sources"][0]["title_en"] = "National Civil Police"
    (d / "datapackage.json").write_text(json.dumps(desc, ensure_ascii=False), encoding="utf-8")
    return AppContext(dataset=load_dataset(d), cache=make_cache(Flask("labels")))


@pytest.fixture(scope="module")
def demo() -> AppContext:
    from app import DEMO_DIR

    return AppContext(dataset=load_dataset(DEMO_DIR), cache=make_cache(Flask("labels-demo")))


# ---- the words ------------------------------------------------------------------------------------
def test_level_words_agree_in_gender_and_default_to_guatemala(ctx) -> None:
    import components.index  # noqa: F401 - registers the index page's strings

    es = level_words(ctx.dataset.meta, "es")
    assert (es["Adm1"], es["adm1s"], es["un_adm1"], es["del_adm1"]) == ("Estado", "estados", "un estado", "del estado")
    assert (es["Adm2s"], es["un_adm2"], es["el_adm2"], es["los_adm2s"], es["Art_pl_adm2"], es["o_adm2"]) == (
        "Alcaldías", "una alcaldía", "la alcaldía", "las alcaldías", "Las", "a")
    assert es["abbr1"] == "estado" and es["Abbr1"] == "Estado"
    en = level_words(ctx.dataset.meta, "en")
    assert (en["un_adm2"], en["los_adm2s"], en["adm1"]) == ("a borough", "the boroughs", "state")
    default = level_words(None, "es")
    assert (default["Adm1"], default["un_adm2"], default["abbr1"]) == ("Departamento", "un municipio", "depto.")
    assert tl("index.detail", "es", ctx.dataset) == "Alcaldía seleccionada"
    assert tl("index.detail", "es", None) == "Municipio seleccionado"


# ---- the pages ------------------------------------------------------------------------------------
def test_map_page_uses_the_level_names(ctx) -> None:
    from callbacks.map import control_options, filters_from, initial_state
    from components.map import layout

    es = text(layout(ctx, {}, "es"))
    assert '"Estado"' in es and "Buscar alcaldía o estado…" in es and "haga clic en una alcaldía" in es
    assert "Departamento" not in es and "unicipio" not in es
    st = initial_state(ctx, {}, "en")
    assert [o["label"] for o in st["level_options"]] == ["Boroughs", "States"]
    assert st["figure"]["layout"]["title"]["text"].endswith("· boroughs</span>")
    # the grid shows the state under the name; the downloads have it as a column of its own
    from callbacks.map import compute, download_columns, value_header

    f = filters_from(ctx, {})
    mv, _ = compute(ctx, f, 10, "quantiles")
    cols = download_columns(mv, value_header(ctx, f, mv, "en"), "en", ctx.dataset.meta)
    assert [c["headerName"] for c in cols if c["field"] == "department"] == ["State"]
    opts = control_options(ctx, filters_from(ctx, {"lvl": "1"}), "es")
    assert [o["label"] for o in opts["level_options"]] == ["Alcaldías", "Estados"]


def test_trends_profile_and_index_use_the_level_names(ctx) -> None:
    from callbacks.index import IndexService, detail_children, summary_cards
    from callbacks.profile import profile_data, profile_table
    from components import index as index_page
    from components import profile as profile_page
    from components import trends as trends_page

    tr = text(trends_page.layout(ctx, {}, "es"))
    assert "Escriba para buscar un estado o una alcaldía" in tr and "Guatemala (estado)" in tr
    assert trends_page.territory_name(ctx.dataset, "01", "en") == "Guatemala (state)"
    assert profile_page.territory_title(ctx.dataset, "0201", "es") == ("Antigua Guatemala",
                                                                       "Alcaldía en Sacatepéquez, Guatemala")
    assert profile_page.territory_title(ctx.dataset, "02", "en") == ("Sacatepéquez", "State in Guatemala")
    # "Estado en …", never "Estado de México" (the name of a Mexican state) for a state of a country
    assert profile_page.territory_title(ctx.dataset, "02", "es") == ("Sacatepéquez", "Estado en Guatemala")
    pr = text(profile_page.layout(ctx, {"territory": "0201"}, "es"))
    assert "Buscar alcaldía, estado o país" in pr and "Sacatepéquez (estado)" in pr
    table = profile_table(ctx.dataset, profile_data(ctx.dataset, "0201"), "en", formatted=True)
    assert "State" in table.columns and "Department" not in table.columns
    idx = text(index_page.layout(ctx, {}, "es"))
    assert "Ranking de alcaldías" in idx and "Seleccione una alcaldía en el mapa o en el ranking." in idx
    assert "Alcaldía seleccionada" in idx and "Excluir la alcaldía" in idx and "mediana de su estado" in idx
    svc = IndexService(ctx)
    res, ranking = svc.ranking(svc.default)
    cards = text(summary_cards(ranking, "en", ctx.dataset.meta))
    assert "boroughs in very high priority" in cards
    panel, _ = detail_children(svc, res, ranking, str(ranking.index[0]), "es")
    assert "Prom.<br>estado" in text(panel)  # a column label of the contribution chart, on two lines


def test_sources_follow_the_page_language(ctx) -> None:
    from callbacks.map import initial_state
    from components import about

    assert "National Civil Police" in initial_state(ctx, {}, "en")["source"]
    assert "Policía Nacional Civil" in initial_state(ctx, {}, "es")["source"]
    en = text(about.layout(ctx, {}, "en"))
    assert "National Civil Police" in en and "Policía Nacional Civil" not in en
    assert "LAPOP AmericasBarometer" in en  # no title_en: the one title
    assert '"crime"' in en and '"delitos"' not in en
    assert '"delitos"' in text(about.layout(ctx, {}, "es"))


def test_demo_english_pages_name_sources_in_english(demo) -> None:
    from callbacks.costs import study_source_text
    from callbacks.index import IndexService
    from callbacks.map import initial_state
    from components.costs import study_description

    src = initial_state(demo, {}, "en")["source"]
    assert "Synthetic data generated by data/build_demo.py" in src and "Datos sintéticos" not in src
    assert "Datos sintéticos generados" in initial_state(demo, {}, "es")["source"]
    rows = demo.dataset.costs[demo.dataset.costs["study"] == "undp_infosegura_2019"]
    line = study_source_text(demo, rows, 2019, "en", False)
    assert line.startswith("Source: UNDP InfoSegura, Acevedo, C., Costos económicos de la violencia")
    assert "(reference year 2019)" in line and "año de referencia" not in line and "PNUD" not in line
    assert study_source_text(demo, rows, 2019, "es", False).startswith("Fuente: PNUD InfoSegura, Acevedo, C.")
    assert study_description(demo, "undp_infosegura_2019", "en")  # a known study keeps its own text
    svc = IndexService(demo)
    res, _ = svc.ranking(svc.default)
    en, es = svc.source(res, "en"), svc.source(res, "es")
    assert en.startswith("Source: Computed by Atalaya from: Synthetic data generated by data/build_demo.py")
    assert es.startswith("Fuente: Cálculo de Atalaya a partir de: Datos sintéticos generados por data/build_demo.py")


def test_demo_profile_downloads_note_the_english_source(demo) -> None:
    from callbacks.profile import notes_lines, profile_data

    lines = notes_lines(demo.dataset, profile_data(demo.dataset, "0101"), "en")
    assert any(line.startswith("Source: Synthetic data generated by data/build_demo.py") for line in lines)
    assert not any("Datos sintéticos generados" in line for line in lines)


def find(component, id_: str):
    """The component with this id in a layout tree (None when absent)."""
    if getattr(component, "id", None) == id_:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            hit = find(child, id_)
            if hit is not None:
                return hit
    return None


def ctx_with_events() -> AppContext:
    from app import DEMO_DIR

    return AppContext(dataset=load_dataset(DEMO_DIR), cache=make_cache(Flask("with-events")))


def test_pages_say_what_a_dataset_does_not_have(tmp_path: Path) -> None:
    """A dataset with no events, no national rates by country and no survey: the trends page says so in
    one line per section and its callbacks return a figure with that message instead of failing."""
    import pandas as pd

    from callbacks.trends import countries_sources, countries_view, side_view, survey_view
    from components import trends as trends_page
    from tests.fixtures import make_small_dataset

    d = make_small_dataset(tmp_path / "ds")
    (d / "events.csv").unlink()
    for table, keep in (("indicators", "homicides"), ("observations", "homicides")):
        df = pd.read_csv(d / f"{table}.csv", dtype=str, keep_default_na=False)
        df[df["indicator_id"] == keep].to_csv(d / f"{table}.csv", index=False)
    (d / "index.json").unlink()
    c = AppContext(dataset=load_dataset(d), cache=make_cache(Flask("missing")))
    page = text(trends_page.layout(c, {}, "en"))
    for id_, words in (("trends-ba-none", "no events (events.csv)"),
                       ("trends-cc-none", "no official national rates by country"),
                       ("trends-trust-none", "no trust or perception survey")):
        assert f'"id": "{id_}"' in page and words in page
    # the "show events" switch is kept for the callbacks but not shown; with events it is shown
    assert find(trends_page.layout(c, {}, "en"), "trends-events").className == "d-none"
    assert "d-none" not in find(trends_page.layout(ctx_with_events(), {}, "en"), "trends-events").className
    cc = countries_view(c.dataset, "en")
    assert cc.figure["data"] == [] and "homicide_rate_official" in cc.notices[0]
    assert countries_sources(c.dataset, cc, "en") == []
    sv = survey_view(c.dataset, None, "GTM", "sex", "es")
    assert sv.figure["data"] == [] and "no tiene encuestas" in sv.notices[0]
    assert side_view(c.dataset, "homicides", None, "GTM", "en").figure["data"] == []
