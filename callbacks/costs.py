"""Costs of violence page: callbacks and the plain functions they call (tests call these directly).

Figures are plain dicts. Every number comes from analytics/costs.py; this module only formats and draws.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update

from analytics import costs as ac
from callbacks.context import AppContext
from components import costs as cc
from components.figures import CATEGORICAL, frame, source_line, wrap_html
from components.formatting import fmt_number, is_missing
from components.i18n import t
from components.urlstate import encode_search

HATCH = "/"
ROOT_COLOUR = "#e9edf1"


# ---- shared helpers -------------------------------------------------------------------------------------


def _label(row: Any, lang: str) -> str:
    return str(row["label_en"] if lang == "en" else row["label_es"])


def short_label(label: str) -> str:
    """A label without its trailing '(illustrative)' marker (the hatch and the note say it)."""
    for tag in (" (ilustrativo)", " (illustrative)"):
        if label.endswith(tag):
            return label[: -len(tag)]
    return label


def legend_label(label: str) -> str:
    """A short legend entry: the label without a trailing parenthesis ('Costos indirectos (inversión y
    crecimiento)' -> 'Costos indirectos'); the hover keeps the full label."""
    label = short_label(label)
    return label.split(" (")[0] if label.endswith(")") and " (" in label else label


def place_source(fig: dict[str, Any], bottom_margin: int) -> dict[str, Any]:
    """Move the in-figure source annotation so that all its lines (<br>) fit inside the bottom margin."""
    for a in fig["layout"].get("annotations", []):
        if a.get("name") == "source":
            lines = a["text"].count("<br>") + 1
            a["yshift"] = -(bottom_margin - 8 - 15 * lines)
    return fig


def wrap_for_figure(text: str, width: int = 100) -> str:
    """Break a long source line with <br> so it stays inside an exported image."""
    return wrap_html(text, width)


def study_source_text(ctx: AppContext, rows: pd.DataFrame, year: int, lang: str, illustrative: bool) -> str:
    """'Fuente: <publisher>, <title> · Periodo: 2019 · rayado = cifra ilustrativa'."""
    ids = list(dict.fromkeys(rows["source"].astype(str))) if len(rows) else []
    names = []
    for sid in ids:
        s = ctx.dataset.meta.source(sid)
        title, publisher = s.title_for(lang), s.publisher_for(lang)
        names.append(f"{publisher}, {title}" if publisher else title)
    text = source_line("; ".join(names) or "—", str(year), lang)
    if illustrative:
        text += " · " + t("costs.illustrative.legend", lang)
    return text


def _empty_figure(message: str, title: str, source: str, lang: str) -> dict[str, Any]:
    fig: dict[str, Any] = {
        "data": [],
        "layout": {
            "xaxis": {"visible": False}, "yaxis": {"visible": False},
            "annotations": [{"text": message, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                             "showarrow": False, "font": {"size": 20, "color": "#555"}, "name": "nodata"}],
        },
    }
    return place_source(frame(fig, title, wrap_for_figure(source), lang, bottom_margin=70), 70)


def category_colours(categories: list[str]) -> dict[str, str]:
    return {c: CATEGORICAL[i % len(CATEGORICAL)] for i, c in enumerate(categories)}


def mix(hex_colour: str, other: str, amount: float) -> str:
    """`hex_colour` mixed with `other` ("#ffffff" lightens, "#000000" darkens) by `amount` (0..1)."""
    a = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b))


def text_colour(hex_colour: str) -> str:
    """Dark or white text, whichever reads better on the fill (relative luminance, WCAG)."""
    def lin(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return "#1b1f24" if lum > 0.3 else "#ffffff"


# ---- the treemap ----------------------------------------------------------------------------------------


def treemap_figure(ctx: AppContext, b: pd.DataFrame, country: str, year: int, unit: str, lang: str,
                   source: str) -> dict[str, Any]:
    """Treemap of one account (total -> category -> subcategory) in a unit; illustrative nodes hatched."""
    cname = cc.country_name(ctx, country, lang)
    title = t("costs.treemap.title", lang, country=cname, year=year, unit=t(f"costs.unit.{unit}.axis", lang))
    col = ac.unit_column(unit)
    if b.empty or is_missing(float(b.loc[b["level"] == 0, col].iloc[0]) if (b["level"] == 0).any() else None):
        why = (t("costs.kf.no_population", lang, country=cname, year=year) if unit == "per_capita"
               else t("costs.kf.no_pct", lang, country=cname) if unit == "pct_gdp" else "")
        return _empty_figure(t("costs.no_data_unit", lang) + (f"<br><span style='font-size:14px'>{why}</span>" if why else ""),
                             title, source, lang)
    if not (b["level"] > 0).any():  # only the total: a one-box treemap says nothing; say it in words
        total = float(b.loc[b["level"] == 0, col].iloc[0])
        msg = f"<b>{cc.fmt_unit(total, unit, lang)}</b><br>" + t("costs.treemap.total_only", lang)
        return _empty_figure(msg, title, source, lang)
    nodes = b.loc[b[col].notna()].copy()
    if not (nodes["level"] > 0).any():  # the parts have no figure in this unit
        total = float(b.loc[b["level"] == 0, col].iloc[0])
        msg = f"<b>{cc.fmt_unit(total, unit, lang)}</b><br>" + t("costs.treemap.parts_other_unit", lang)
        return _empty_figure(msg, title, source, lang)
    # plotted sizes: a parent is at least the sum of its drawn children (rounding of published parts must not
    # make plotly drop the parent); the text always shows the published value
    size = dict(zip(nodes["node_id"], nodes[col].astype(float)))
    for level in (1, 0):
        for nid in nodes.loc[nodes["level"] == level, "node_id"]:
            kids = nodes.loc[nodes["parent_id"] == nid, "node_id"]
            if len(kids):
                size[nid] = max(size[nid], sum(size[k] for k in kids))
    cats = [c for c in dict.fromkeys(b.loc[b["level"] == 1, "category"])]
    colours = category_colours(cats)
    labels, texts, hovers, colour_list, shapes, fonts = [], [], [], [], [], []
    sub_rank: dict[str, int] = {}
    for r in nodes.to_dict("records"):
        lab = (cname + " " + str(year) if r["level"] == 0 else legend_label(_label(r, lang)) if r["level"] == 1
               else short_label(_label(r, lang)))  # category headers are narrow: short label, full one on hover
        labels.append(lab)
        val = cc.fmt_unit(float(r[col]), unit, lang)
        share = r["share_of_total"]
        share_txt = "" if r["level"] == 0 or is_missing(share) else f"{fmt_number(share, lang, 1)} % " + (
            "del total" if lang == "es" else "of total")
        texts.append(val + (f" · {share_txt}" if share_txt else ""))
        flags = []
        if bool(r["illustrative"]):
            flags.append("ilustrativo" if lang == "es" else "illustrative")
        if bool(r["usd_derived"]) or bool(r["pct_derived"]):
            flags.append("convertido" if lang == "es" else "converted")
        hovers.append(f"{_label(r, lang)}<br>{val}" + (f"<br>{share_txt}" if share_txt else "")
                      + (f"<br>({', '.join(flags)})" if flags else ""))
        base = colours.get(str(r["category"]), "#888888")
        if r["level"] == 0:
            fill = ROOT_COLOUR
        elif r["level"] == 1:
            fill = base
        else:  # subcategories alternate a darker and a lighter shade of their category
            i = sub_rank[str(r["category"])] = sub_rank.get(str(r["category"]), -1) + 1
            fill = mix(base, "#000000", 0.22) if i % 2 == 0 else mix(base, "#ffffff", 0.18)
        colour_list.append(fill)
        fonts.append(text_colour(fill))
        shapes.append(HATCH if bool(r["illustrative"]) else "")
    trace = {
        "type": "treemap",
        "ids": nodes["node_id"].tolist(),
        "parents": nodes["parent_id"].tolist(),
        "labels": labels,
        "values": [size[n] for n in nodes["node_id"]],
        "branchvalues": "total",
        # labels broken over lines so that plotly can fit them in narrow boxes at a readable size
        "text": [f"<span style='color:{c}'><b>{'<br>'.join(textwrap.wrap(lab, 18))}</b><br>{txt.replace(' · ', '<br>')}</span>"
                 for c, lab, txt in zip(fonts, labels, texts)],
        "customdata": hovers,
        "texttemplate": "%{text}",
        "hovertemplate": "%{customdata}<extra></extra>",
        "marker": {"colors": colour_list,
                   # "replace" with a per-node background: "overlay" makes plotly.js warn about array colours
                   "pattern": {"shape": shapes, "fillmode": "replace", "bgcolor": colour_list,
                               "fgcolor": "rgba(255,255,255,0.55)", "size": 14, "solidity": 0.18},
                   "line": {"color": "white", "width": 2}},
        "textfont": {"size": 15},
        "pathbar": {"visible": True},
        "maxdepth": 3,
        "sort": False,
        "tiling": {"pad": 2},
        "root": {"color": ROOT_COLOUR},
    }
    fig = {"data": [trace], "layout": {"margin": {"l": 8, "r": 8, "t": 56}}}
    return place_source(frame(fig, title, wrap_for_figure(source), lang, bottom_margin=70), 70)


# ---- the country bars -----------------------------------------------------------------------------------


def bars_figure(ctx: AppContext, comp: pd.DataFrame, study: str, year: int, unit: str, selected: str, lang: str,
                source: str) -> dict[str, Any]:
    """Stacked bars, one study only: a segment per category (illustrative ones hatched), or the total when the
    study gives no breakdown; the selected country's name in bold; regional averages as a dashed line."""
    title = (t("costs.bars.title", lang, unit=t(f"costs.unit.{unit}.axis", lang))
             + f"<br><span style='font-size:13px;color:#444'>{cc.study_label(study, lang)} · {year}</span>")
    if comp.empty:
        return _empty_figure(t("costs.no_data_unit", lang), title, source, lang)
    ac.ensure_one_basis(comp)  # never stack two studies, whatever the caller passed
    col = ac.unit_column(unit)
    total_col = {"usd": "country_total_usd", "pct_gdp": "country_total_pct",
                 "per_capita": "country_total_per_capita"}[unit]
    recs = comp.to_dict("records")  # a few dozen rows: plain Python is cheaper than pandas indexing
    bars = [r for r in recs if r["is_territory"]]
    region = [r for r in recs if not r["is_territory"]]
    totals: dict[str, float] = {}
    for r in bars:
        totals.setdefault(str(r["country_iso3"]), r[total_col])
    order = sorted(totals, key=lambda c: (is_missing(totals[c]), -(0 if is_missing(totals[c]) else totals[c])))
    names = {c: cc.country_name(ctx, c, lang) for c in order}
    cats = list(dict.fromkeys(r["category"] for r in bars))
    colours = category_colours([c for c in cats if c != ac.TOTAL])
    ill_word = "ilustrativo" if lang == "es" else "illustrative"
    traces: list[dict[str, Any]] = []
    for cat in cats:
        seg = {str(r["country_iso3"]): r for r in bars if r["category"] == cat}
        first = next(iter(seg.values()))
        name = t("costs.bars.total_only", lang) if cat == ac.TOTAL else legend_label(_label(first, lang))
        ys, shapes, hov = [], [], []
        for c in order:
            r = seg.get(c)
            if r is not None and not is_missing(r[col]):
                v = float(r[col])
                ys.append(v)
                ill = bool(r["illustrative"])
                shapes.append(HATCH if ill else "")
                hov.append(f"{names[c]} · {_label(r, lang)}<br>{cc.fmt_unit(v, unit, lang)}" + (f" ({ill_word})" if ill else ""))
            else:
                ys.append(None)
                shapes.append("")
                hov.append("")
        traces.append({
            "type": "bar", "name": name, "x": [names[c] for c in order], "y": ys,
            "marker": {"color": "#5b6b7a" if cat == ac.TOTAL else colours[cat],
                       "pattern": {"shape": shapes, "fillmode": "overlay", "fgcolor": "rgba(255,255,255,0.7)",
                                   "size": 10, "solidity": 0.22},
                       "line": {"color": "white", "width": 1}},
            "customdata": hov, "hovertemplate": "%{customdata}<extra></extra>",
        })
    # total labels above the bars; "no data" where the unit has no value
    tot_y = [None if is_missing(totals[c]) else float(totals[c]) for c in order]
    traces.append({
        "type": "scatter", "mode": "text", "x": [names[c] for c in order], "y": [y if y is not None else 0 for y in tot_y],
        "text": [cc.fmt_unit(y if y is not None else float("nan"), unit, lang, decimals=0 if unit == "usd" else None)
                 for y in tot_y],
        "textposition": "top center", "textfont": {"size": 16, "color": "#1b1f24"}, "showlegend": False,
        "hoverinfo": "skip", "cliponaxis": False, "name": "totals",
    })
    ticktext = [f"<b>{names[c]}</b>" if c == selected else names[c] for c in order]
    layout: dict[str, Any] = {
        "barmode": "stack",
        "xaxis": {"tickvals": [names[c] for c in order], "ticktext": ticktext, "tickfont": {"size": 15},
                  "type": "category"},
        "yaxis": {"title": {"text": t(f"costs.unit.{unit}.axis", lang)}, "rangemode": "tozero", "gridcolor": "#e5e5e5",
                  "tickformat": ",.2f" if unit == "pct_gdp" else ",.0f"},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom",
                   "font": {"size": 13}, "traceorder": "normal", "entrywidth": 0.5, "entrywidthmode": "fraction"},
        "margin": {"t": 84 + 22 * ((len(cats) + 1) // 2), "l": 70, "r": 20},
        "bargap": 0.35,
        "separators": ".,",
    }
    shapes_l, ann = [], []
    if unit in ("pct_gdp", "per_capita"):
        for r in {str(r["country_iso3"]): r for r in region}.values():
            v = r[total_col]
            if is_missing(v):
                continue
            shapes_l.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": float(v), "y1": float(v),
                             "line": {"color": "#444", "width": 2, "dash": "dash"}})
            ann.append({"xref": "paper", "x": 1, "xanchor": "right", "yref": "y", "y": float(v), "yanchor": "bottom",
                        "showarrow": False, "font": {"size": 12, "color": "#333"}, "bgcolor": "rgba(255,255,255,0.8)",
                        "text": t("costs.bars.region_line", lang, name=cc.country_name(ctx, str(r["country_iso3"]), lang),
                                  value=cc.fmt_unit(float(v), unit, lang))})
    if shapes_l:
        layout["shapes"] = shapes_l
        layout["annotations"] = ann
    fig = frame({"data": traces, "layout": layout}, title, wrap_for_figure(source, 85), lang, bottom_margin=100)
    fig["layout"]["title"].update({"y": 0.975, "yanchor": "top", "yref": "container"})
    return place_source(fig, 100)


# ---- the whole view -------------------------------------------------------------------------------------


@dataclass
class CostsView:
    study_desc: str
    keyfigures: list[Any]
    reference: list[Any]
    treemap: dict[str, Any]
    treemap_source: str
    bars: dict[str, Any]
    bars_source: str
    notes: list[Any]
    key: ac.KeyFigures
    breakdown: pd.DataFrame
    comparison: pd.DataFrame


def compute(ctx: AppContext, study: str, country: str, year: int) -> tuple[ac.KeyFigures, pd.DataFrame, pd.DataFrame]:
    """Key figures, breakdown and country comparison of a selection (memoized by the app)."""
    ds = ctx.dataset
    k = ac.key_figures(ds, study, country, year)
    b = ac.breakdown(ac.account(ds.costs, study, country, year), k.population, convert=ac.is_country(ds, country))
    comp = ac.country_comparison(ds, study, year)
    return k, b, comp


def build_view(ctx: AppContext, study: str | None, country: str | None, year: Any, unit: str | None, lang: str,
               compute_fn: Any = None) -> CostsView:
    """Everything the page shows for a selection (stale or invalid requests are resolved first)."""
    ds = ctx.dataset
    sel = ac.resolve_selection(ds.costs, study, country, year, preferred_country=ds.main_country)
    assert sel.study is not None and sel.country is not None and sel.year is not None
    unit = unit if unit in ac.UNITS else "usd"
    k, b, comp = (compute_fn or compute)(ctx, sel.study, sel.country, sel.year)
    rows = ac.account(ds.costs, sel.study, sel.country, sel.year)
    any_ill = bool(b["illustrative"].any()) if len(b) else False
    src = study_source_text(ctx, rows, sel.year, lang, any_ill)
    study_rows_year = ac.study_rows(ds.costs, sel.study)
    study_rows_year = study_rows_year.loc[study_rows_year["year"] == sel.year]
    comp_ill = bool(comp["illustrative"].any()) if len(comp) else False
    bars_src = study_source_text(ctx, study_rows_year, sel.year, lang, comp_ill)
    kf_src = study_source_text(ctx, rows.loc[(rows["category"] == ac.TOTAL) & (rows["subcategory"] == ac.TOTAL)]
                               if len(rows) else rows, sel.year, lang, False)
    comps = ac.reference_comparisons(ds.cost_references, sel.country, sel.year, k.total_usd)
    return CostsView(
        study_desc=cc.study_description(ctx, sel.study, lang),
        keyfigures=cc.key_strip(ctx, k, lang, kf_src),
        reference=cc.reference_block(ctx, comps, sel.country, sel.year, lang),
        treemap=treemap_figure(ctx, b, sel.country, sel.year, unit, lang, src),
        treemap_source=src,
        bars=bars_figure(ctx, comp, sel.study, sel.year, unit, sel.country, lang, bars_src),
        bars_source=bars_src,
        notes=notes(ctx, k, b, comp, unit, lang, rows),
        key=k,
        breakdown=b,
        comparison=comp,
    )


def notes(ctx: AppContext, k: ac.KeyFigures, b: pd.DataFrame, comp: pd.DataFrame, unit: str, lang: str,
          rows: pd.DataFrame) -> list[Any]:
    """The caveats of the view: illustrative split (and whether it adds up), conversions, regional averages,
    per-capita gaps, a total without breakdown, and the table's own notes."""
    out: list[Any] = []
    cname = cc.country_name(ctx, k.country_iso3, lang)
    if len(b) and bool(b["illustrative"].any()) or (len(comp) and bool(comp["illustrative"].any())):
        out.append(html.Li([html.Span("▨ ", **{"aria-hidden": "true"}), t("costs.illustrative.note", lang)],
                           id="costs-note-illustrative"))
    split = k.split
    if split is not None and split.consistent is None and len(rows):
        split = ac.check_split(rows, ac.TOTAL, "pct_gdp")  # USD parts missing: check the % of GDP split
    if split is not None and split.consistent is not None:
        if not split.consistent:
            key = "costs.split.bad"
        elif f"{split.parts_sum:.2f}" == f"{split.total:.2f}":
            key = "costs.split.ok"
        else:
            key = "costs.split.rounding"
        if split.column == "value_usd":
            f = lambda x: cc.fmt_musd(x, lang, 1)  # noqa: E731
        else:
            f = lambda x: cc.fmt_unit(x, "pct_gdp", lang) + " " + t("costs.kf.pct_gdp", lang)  # noqa: E731
        out.append(html.Li(t(key, lang, parts=f(split.parts_sum), total=f(split.total), diff=f(split.difference)),
                           id="costs-note-split", className="" if split.consistent else "text-danger fw-semibold"))
    if len(b) and not (b["level"] == 1).any():
        out.append(html.Li(t("costs.no_breakdown", lang, country=cname, year=k.year), id="costs-note-nobreakdown"))
    comp_countries = comp.loc[comp["is_territory"]] if len(comp) else comp
    if (len(b) and bool((b["usd_derived"] | b["pct_derived"]).any())) or (
            len(comp_countries) and bool((comp_countries["usd_derived"] | comp_countries["pct_derived"]).any())):
        out.append(html.Li(t("costs.derived.note", lang), id="costs-note-derived"))
    if len(comp):
        total, n = ac.countries_total(comp)
        if n >= 2:
            out.append(html.Li(t("costs.countries_total", lang, n=n, total=cc.fmt_musd(total, lang, 0), year=k.year),
                               id="costs-note-countries-total"))
        for code in comp.loc[~comp["is_territory"], "country_iso3"].drop_duplicates():
            out.append(html.Li(t("costs.region.note", lang, name=cc.country_name(ctx, str(code), lang)),
                               className="costs-note-region"))
        if unit == "per_capita":
            terr = comp.loc[comp["is_territory"]].drop_duplicates("country_iso3")
            missing = [cc.country_name(ctx, str(c), lang) for c, p in zip(terr["country_iso3"], terr["population"])
                       if is_missing(p)]
            if missing:
                out.append(html.Li(t("costs.per_capita.missing", lang, countries=", ".join(missing), year=k.year),
                                   id="costs-note-percapita"))
    note_col = "note_en" if lang == "en" else "note_es"
    if note_col in rows.columns:
        for n in rows[note_col].dropna().astype(str).unique():
            if n.strip():
                out.append(html.Li(n, className="costs-note-table"))
    return [html.Ul(out, className="mb-0")] if out else []


def download_frame(ctx: AppContext, view: CostsView, lang: str) -> pd.DataFrame:
    """The data behind the view: the selected account's breakdown and the country comparison, one table with a
    `section` column; missing values stay empty."""
    b = view.breakdown.assign(section="breakdown", population=view.key.population)
    c = view.comparison.assign(section="country_comparison", subcategory=ac.TOTAL)
    cols = ["section", "study", "country_iso3", "country", "year", "category", "subcategory", "label",
            "value_usd", "pct_gdp", "usd_per_capita", "population", "share_of_total", "illustrative",
            "usd_derived", "pct_derived", "source", "source_title"]
    frames = []
    for f in (b, c):
        if f.empty:
            continue
        f = f.assign(
            country=[cc.country_name(ctx, str(x), lang) for x in f["country_iso3"]],
            label=f["label_en"] if lang == "en" else f["label_es"],
            source_title=[ctx.dataset.meta.source(str(s)).title_for(lang) for s in f["source"]],
        )
        for col in cols:
            if col not in f.columns:
                f[col] = pd.NA
        frames.append(f[cols])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def control_options(ctx: AppContext, study: str | None, country: str | None, year: Any,
                    lang: str) -> tuple[list[dict[str, str]], str | None, list[dict[str, str]], str | None]:
    """Country and year options for a study, with valid values (kept when they still exist)."""
    ds = ctx.dataset
    sel = ac.resolve_selection(ds.costs, study, country, year, preferred_country=ds.main_country)
    if sel.study is None:
        return [], None, [], None
    c_opts = [{"label": cc.country_name(ctx, c, lang), "value": c} for c in ac.countries(ds.costs, sel.study)]
    y_opts = [{"label": str(y), "value": str(y)} for y in ac.years(ds.costs, sel.study, sel.country)]
    return c_opts, sel.country, y_opts, str(sel.year)


# ---- registration ---------------------------------------------------------------------------------------


def register(app: Dash, ctx: AppContext) -> None:
    memo_compute = ctx.memoize(lambda study, country, year: compute(ctx, study, country, year))

    def cached(_ctx: AppContext, study: str, country: str, year: int) -> Any:
        return memo_compute(study, country, int(year))

    @app.callback(
        Output("costs-country", "options"),
        Output("costs-country", "value"),
        Output("costs-year", "options"),
        Output("costs-year", "value"),
        Input("costs-study", "value"),
        Input("costs-country", "value"),
        State("costs-year", "value"),
        State("costs-lang", "data"),
        prevent_initial_call=True,
    )
    def sync_controls(study: str | None, country: str | None, year: str | None, lang: str | None) -> Any:
        return control_options(ctx, study, country, year, lang or "es")

    @app.callback(
        Output("costs-study-desc", "children"),
        Output("costs-keyfigures", "children"),
        Output("costs-reference", "children"),
        Output("costs-treemap", "figure"),
        Output("costs-treemap-source", "children"),
        Output("costs-bars", "figure"),
        Output("costs-bars-source", "children"),
        Output("costs-notes", "children"),
        Input("costs-study", "value"),
        Input("costs-country", "value"),
        Input("costs-year", "value"),
        Input("costs-unit", "value"),
        State("costs-lang", "data"),
    )
    def render(study: str | None, country: str | None, year: str | None, unit: str | None, lang: str | None) -> Any:
        v = build_view(ctx, study, country, year, unit, lang or "es", compute_fn=cached)
        return (v.study_desc, v.keyfigures, v.reference, v.treemap, v.treemap_source, v.bars, v.bars_source, v.notes)

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("costs-study", "value"),
        Input("costs-country", "value"),
        Input("costs-year", "value"),
        Input("costs-unit", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def to_url(study: str | None, country: str | None, year: str | None, unit: str | None, search: str | None) -> Any:
        sel = ac.resolve_selection(ctx.dataset.costs, study, country, year, preferred_country=ctx.dataset.main_country)
        return encode_search({"study": sel.study, "country": sel.country, "year": sel.year,
                              "unit": unit if unit in ac.UNITS else None}, search)

    @app.callback(
        Output("costs-download", "data"),
        Input("costs-download-btn", "n_clicks"),
        State("costs-study", "value"),
        State("costs-country", "value"),
        State("costs-year", "value"),
        State("costs-unit", "value"),
        State("costs-lang", "data"),
        prevent_initial_call=True,
    )
    def download(n: int | None, study: str | None, country: str | None, year: str | None, unit: str | None,
                 lang: str | None) -> Any:
        if not n:
            return no_update
        lang = lang or "es"
        v = build_view(ctx, study, country, year, unit, lang, compute_fn=cached)
        df = download_frame(ctx, v, lang)
        name = f"atalaya_costos_{v.key.study}_{v.key.country_iso3}_{v.key.year}.csv"
        return dcc.send_data_frame(df.to_csv, name, index=False, encoding="utf-8")
