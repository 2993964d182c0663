"""The profile's callback functions called directly on the bundled demo: the table (shown and
exported say the same), the one-page PDF brief (A4, one page, the figures as the cards print them),
the exports, and an unknown territory."""

from __future__ import annotations

import base64
import io

import dataclasses

import pandas as pd
import pytest
from flask import Flask
from pypdf import PdfReader

from analytics import vawg_index as vi
from analytics.loader import load_dataset
from app import DEMO_DIR
from callbacks.context import AppContext, make_cache
from callbacks.profile import (export_file, index_block, index_position, index_text, profile_data, profile_table,
                               valid_territory)
from components.profile import figure_text, value_text


@pytest.fixture(scope="module")
def ds():
    return load_dataset(DEMO_DIR)


_CTX: dict[int, AppContext] = {}


def Ctx(ds) -> AppContext:  # noqa: N802 - one context (and cache) per dataset for the module
    if id(ds) not in _CTX:
        _CTX[id(ds)] = AppContext(dataset=ds, cache=make_cache(Flask(f"profile-{id(ds)}")))
    return _CTX[id(ds)]


@pytest.fixture(scope="module")
def index_direct(ds):
    """The default index and its Monte Carlo computed straight from analytics.vawg_index."""
    cfg = vi.parse_index_config(ds.index_config, list(ds.indicators.index))
    res = vi.compute_index(ds, cfg)
    mc = vi.monte_carlo(vi.normalized_variants(res.inputs, cfg), cfg).table
    return res, mc


def texts(component) -> str:
    """All the text of a Dash component tree, space-joined."""
    out: list[str] = []

    def walk(c) -> None:
        if c is None:
            return
        if isinstance(c, (str, int, float)):
            out.append(str(c))
        elif isinstance(c, (list, tuple)):
            for x in c:
                walk(x)
        else:
            walk(getattr(c, "children", None))
    walk(component)
    return " ".join(out)


def find(component, cid):
    if isinstance(component, (list, tuple)):
        for x in component:
            hit = find(x, cid)
            if hit is not None:
                return hit
        return None
    if getattr(component, "id", None) == cid:
        return component
    kids = getattr(component, "children", None)
    return find(kids, cid) if kids is not None and not isinstance(kids, str) else None


def test_index_block_of_a_municipality_says_what_vawg_index_computes(ds, index_direct):
    res, mc = index_direct
    tid = "1601"  # Cobán
    block = index_block(Ctx(ds), tid, "es")
    from callbacks.index import default_index_result

    shared_res, ranking = default_index_result(Ctx(ds))
    pos = index_position(shared_res, ranking, tid)
    # the shared (memoized) values equal a direct computation
    assert pos.score == pytest.approx(float(res.score[tid]))
    assert pos.rank == int(res.rank[tid]) and pos.group == int(res.group[tid])
    assert pos.n == int(res.score.notna().sum()) == 340
    assert (pos.rank_p05, pos.rank_p95) == (int(mc.at[tid, "rank_p05"]), int(mc.at[tid, "rank_p95"]))
    assert pos.share_top_group == pytest.approx(float(mc.at[tid, "share_top_group"]))
    # …and the block shows them
    group_names = {1: "Muy alta prioridad", 2: "Alta prioridad", 3: "Prioridad media", 4: "Baja prioridad",
                   5: "Muy baja prioridad"}
    assert texts(find(block, "profile-index-group")) == group_names[pos.group]
    assert texts(find(block, "profile-index-score")) == f"{float(res.score[tid]):.1f}"
    assert texts(find(block, "profile-index-rank")) == str(int(res.rank[tid]))
    assert texts(find(block, "profile-index-interval")) == (
        f"Intervalo 90 %: puestos {int(mc.at[tid, 'rank_p05'])}–{int(mc.at[tid, 'rank_p95'])}")
    k = round(float(mc.at[tid, "share_top_group"]) * res.config.method.mc_draws)
    assert texts(find(block, "profile-index-share")).startswith(f"En el grupo muy alto en {k} de 1,000")
    assert find(block, "profile-index-link").href == f"/index?sel={tid}"
    assert "no es el índice oficial (IPTVCM)" in texts(block) and "Datos sintéticos" in texts(block)
    # the contribution bars: municipality, its department's mean, the country's mean (vawg_index)
    fig = find(block, "profile-index-contrib").figure
    comp = vi.contribution_comparison(res, tid)
    for trace, d in zip(fig["data"], res.config.dimensions):
        assert trace["x"] == [round(float(v), 2) for v in comp[d.id][::-1]]  # top bar = municipality
    assert fig["data"][0]["y"] == ["Prom. nacional", "Prom. Alta Verapaz", "Cobán"]
    # the PDF line
    line = index_text(Ctx(ds), tid, "es")
    assert line == (f"Índice VCMN: prioridad {['muy alta', 'alta', 'media', 'baja', 'muy baja'][pos.group - 1]} — "
                    f"puntaje {float(res.score[tid]):.1f}, puesto {int(res.rank[tid])} de 340 "
                    f"(intervalo 90 %: {pos.rank_p05}–{pos.rank_p95})")
    assert index_text(Ctx(ds), tid, "en").startswith("VAWG index: ")


def test_index_block_of_a_department_and_the_country(ds, index_direct):
    res, _ = index_direct
    dept = res.inputs.territories["department_id"] == "16"
    block = index_block(Ctx(ds), "16", "en")
    groups = res.group[dept]
    for g in range(1, 6):
        assert texts(find(block, f"profile-index-n{g}")) == str(int((groups == g).sum()))
    top5 = res.score[dept].sort_values(ascending=False).index[:5].tolist()
    rows = find(block, "profile-index-top").children[1].children
    assert [r.children[1].children.href for r in rows] == [f"/profile?territory={m}" for m in top5]
    assert [r.children[2].children for r in rows] == [f"{res.score[m]:.1f}" for m in top5]
    assert "it is not the official index (IPTVCM)" in texts(block)
    country = index_block(Ctx(ds), ds.main_country, "es")
    assert sum(int(texts(find(country, f"profile-index-n{g}")).replace(",", "")) for g in range(1, 6)) == 340
    assert index_text(Ctx(ds), "16", "es").startswith(f"Índice VCMN: {int((groups == 1).sum())} de {int(dept.sum())}")


def test_index_block_without_index_json_says_so(ds):
    bare = dataclasses.replace(ds, index_config=None)
    block = index_block(Ctx(bare), "1601", "es")
    assert "no incluye el índice de priorización (index.json)" in texts(block)
    assert "no incluye el índice" in index_text(Ctx(bare), "1601", "es")
    assert "has no prioritization index" in index_text(Ctx(bare), "16", "en")


def test_table_shown_and_exported_agree(ds):
    data = profile_data(ds, "0309")
    shown = profile_table(ds, data, "es", formatted=True)
    numbers = profile_table(ds, data, "es", formatted=False)
    assert len(shown) == len(numbers) == len(data.key_figures)
    name = "Santa Lucía Milpas Altas"
    for kf, text, num in zip(data.key_figures, shown[name], numbers[name]):
        assert text == value_text(num, kf.unit, "es")  # the CSV number rounds to what is shown
    assert list(numbers.columns[:4]) == ["Indicador", "Unidad", "Periodo", name]
    hom = numbers[numbers["Indicador"] == "Homicidios"].iloc[0]
    assert hom["Casos"] == 2 and hom["Datos"] == "sintéticos"
    # the English table has English headers
    assert list(profile_table(ds, data, "en", formatted=True).columns[:3]) == ["Indicator", "Unit", "Period"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf_brief_is_one_a4_page_with_the_cards_text(ds, lang):
    data = profile_data(ds, "0309")
    out = export_file(Ctx(ds), "pdf", "0309", "homicides", lang, data)
    assert out["filename"] == f"atalaya-santa-lucia-milpas-altas-0309-{lang}.pdf"
    pdf = base64.b64decode(out["content"])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Santa Lucía Milpas Altas" in text
    assert ("Municipio en Sacatepéquez, Guatemala" if lang == "es" else "Municipality in Sacatepéquez, Guatemala") in text
    for kf in data.key_figures:
        ft = figure_text(ds, kf, lang)
        assert ft.value in text and " ".join(ft.change.split()) in text, ft
    assert ("DATOS SINTÉTICOS" if lang == "es" else "SYNTHETIC DATA") in text
    line = index_text(Ctx(ds), "0309", lang)
    assert line.startswith("Índice VCMN: prioridad " if lang == "es" else "VAWG index: ")
    assert " ".join(line.split()) in text
    assert "Toque de queda" in text or "curfew" in text


def test_csv_and_excel_exports(ds):
    data = profile_data(ds, "03")
    csv = base64.b64decode(export_file(Ctx(ds), "csv", "03", "homicides", "es", data)["content"])
    assert csv.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert "Sacatepéquez" in df.columns and len(df) == len(data.key_figures)
    xlsx = base64.b64decode(export_file(Ctx(ds), "xlsx", "03", "homicides", "en", data)["content"])
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None)
    assert list(sheets) == ["Territory profile", "Notes"]
    assert sheets["Notes"]["Notes"].iloc[0].startswith("Sacatepéquez — Department in Guatemala")
    assert any("Synthetic demo data" in n for n in sheets["Notes"]["Notes"])


def test_unknown_territory_is_refused(ds):
    assert valid_territory(ds, "9999") is None and valid_territory(ds, None) is None
    assert valid_territory(ds, "0309") == "0309"


def test_trend_legend_tells_apart_territories_that_share_a_name(ds):
    """Guatemala is a country, a department and a municipality: the profile trend of the municipality
    names its three lines so they can be told apart."""
    from callbacks.profile import trend

    data = profile_data(ds, "0101")
    fig, _ = trend(ds, "homicides", "0101", data.events, "es")
    assert [tr["name"] for tr in fig["data"] if tr.get("mode") == "lines+markers"] == [
        "Guatemala", "Guatemala (depto.)", "Guatemala (mun.)"]
    fig_en, _ = trend(ds, "homicides", "0101", data.events, "en")
    assert [tr["name"] for tr in fig_en["data"] if tr.get("mode") == "lines+markers"] == [
        "Guatemala", "Guatemala (dept.)", "Guatemala (mun.)"]
