"""Callbacks of the profile page and the plain functions they call (tests call these directly)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update

from analytics import profile as ap
from analytics import vawg_index as vi
from analytics.dataset import Dataset
from callbacks.context import AppContext
from callbacks.index import default_index_result
from components import index as ui
from components import profile as cp
from components.exports import figure_png, send, slug, table_csv, table_excel
from components.figures import graph, source_note
from components.formatting import fmt_number, fmt_period
from components.i18n import norm_lang, t, tl
from components.urlstate import encode_search, parse_search


@dataclass
class ProfileData:
    """The numbers of one territory's profile (language-independent), from analytics.profile."""

    territory_id: str
    key_figures: list[ap.KeyFigure]
    comparison: pd.DataFrame
    events: pd.DataFrame
    sparks: dict[str, pd.DataFrame]


def profile_data(ds: Dataset, tid: str) -> ProfileData:
    kfs = ap.key_figures(ds, tid)
    return ProfileData(
        territory_id=tid,
        key_figures=kfs,
        comparison=ap.comparison(ds, tid),
        events=ap.territory_events(ds, tid),
        sparks={k.indicator_id: ap.series(ds, k.indicator_id, tid) for k in kfs},
    )


def valid_territory(ds: Dataset, tid: str | None) -> str | None:
    return tid if tid is not None and tid in ds.territories.index else None


# ---- the table shown and exported ------------------------------------------------------------------
def profile_table(ds: Dataset, data: ProfileData, lang: str, formatted: bool) -> pd.DataFrame:
    """One row per key figure: what the cards and the comparison say, with translated headers.
    formatted=True gives the strings shown on the page; False the same numbers rounded as shown
    (what CSV/Excel get)."""
    comp = data.comparison.set_index("indicator_id") if not data.comparison.empty else pd.DataFrame()
    c = lambda k: tl(f"profile.col.{k}", lang, ds)  # noqa: E731
    name = ds.name(data.territory_id)
    rows = []
    for kf in data.key_figures:
        ft = cp.figure_text(ds, kf, lang)
        dept = comp.at[kf.indicator_id, "department"] if kf.indicator_id in comp.index else float("nan")
        country = comp.at[kf.indicator_id, "country"] if kf.indicator_id in comp.index else float("nan")
        if formatted:
            fmtv = lambda v: "—" if v is None or (isinstance(v, float) and math.isnan(v)) else cp.value_text(v, kf.unit, lang)  # noqa: E731
            row = {c("indicator"): ft.label, c("unit"): ft.unit, c("period"): ft.period, name: ft.value,
                   c("cases"): ft.cases or "—", c("change"): ft.change, c("direction"): ft.direction_text or "—",
                   c("department"): fmtv(dept), c("country"): fmtv(country),
                   c("observed_at"): ds.name(kf.observed_at), c("source"): ft.source}
        else:
            r1 = lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 1)  # noqa: E731
            row = {c("indicator"): ft.label, c("unit"): ft.unit, c("period"): kf.period, name: r1(kf.value),
                   c("cases"): None if math.isnan(kf.count) else int(round(kf.count)),
                   c("previous_period"): kf.previous_period, c("previous"): r1(kf.previous_value),
                   c("change"): r1(kf.change_pct if kf.unit != "percent" else kf.change),
                   c("direction"): ft.direction_text or None,
                   c("department"): r1(dept), c("country"): r1(country),
                   c("observed_at"): ds.name(kf.observed_at), c("source"): short_src(ds, kf.source, lang),
                   c("kind"): t("profile.kind.synthetic" if kf.synthetic else "profile.kind.real", lang)}
        rows.append(row)
    return pd.DataFrame(rows)


def short_src(ds: Dataset, source_id: str, lang: str = "es") -> str:
    return cp.short_source(ds, source_id, lang)


# ---- index block (the default-weights index, shared with the index page's cache) ------------------
@dataclass
class IndexPosition:
    """One municipality in the default index (values of vawg_index.ranking_table with Monte Carlo)."""

    territory_id: str
    group: int | None  # 1 = very high … 5 = very low; None: no score
    score: float  # 0–100 (NaN: no score)
    rank: int | None
    n: int  # municipalities with a score
    rank_p05: int | None  # 90 % rank interval from the Monte Carlo
    rank_p95: int | None
    share_top_group: float  # share of draws (0–1) in the very-high group
    draws: int


def index_position(res: vi.IndexResult, ranking: pd.DataFrame, tid: str) -> IndexPosition | None:
    """The municipality `tid` in a ranking table (None when it is not an index municipality)."""
    if tid not in ranking.index:
        return None
    r = ranking.loc[tid]
    scored = pd.notna(r["score"])
    opt = lambda k: int(r[k]) if k in r and pd.notna(r[k]) else None  # noqa: E731
    return IndexPosition(
        territory_id=tid, group=int(r["group"]) if scored else None, score=float(r["score"]),
        rank=int(r["rank"]) if scored else None, n=int(ranking["score"].notna().sum()),
        rank_p05=opt("rank_p05") if scored else None, rank_p95=opt("rank_p95") if scored else None,
        share_top_group=float(r["share_top_group"]) if "share_top_group" in r and pd.notna(r["share_top_group"])
        else float("nan"),
        draws=int(res.config.method.mc_draws),
    )


def _index(ctx: AppContext) -> tuple[vi.IndexResult, pd.DataFrame] | None:
    return default_index_result(ctx)


def _index_notes(ds: Dataset, lang: str) -> list[Any]:
    notes = [html.P(ui.not_official_text(ds, lang), className="small text-muted mb-1", id="profile-index-method")]
    if ds.meta.synthetic:
        notes.append(html.P(["⚠ ", t("index.synthetic", lang)], className="small mb-0 profile-index-synthetic"))
    return notes


def _badge(group: Any, lang: str, extra: str = "", **kw: Any) -> html.Span:
    cls = f"index-badge index-g{int(group)}" if group is not None and group == group else "index-badge"
    return html.Span(ui.group_label(group, lang), className=(cls + " " + extra).strip(), **kw)


def index_block(ctx: AppContext, territory_id: str, lang: str) -> html.Div:
    """The territory in the VAWG index (default weights and method, as the index page opens).

    Municipality: priority group, score, rank "N of M" with the 90 % Monte Carlo rank interval, the
    share of draws in the very-high group, its dimension contributions against its department's and the
    country's averages, and a link to it on the index page. Department or country: its municipalities per
    priority group and the five with the highest score (links to their profiles)."""
    ds = ctx.dataset
    head = html.H2(t("profile.index", lang), className="h4")
    found = _index(ctx)
    if found is None:
        return html.Div([head, html.P(t("profile.index.none", lang), className="text-muted", id="profile-index-text")],
                        id="profile-index", className="profile-index")
    res, ranking = found
    src = ui.source_text(ds, res.config, res.inputs.window, lang)
    tid = territory_id
    if tid in ranking.index:
        pos = index_position(res, ranking, tid)
        assert pos is not None
        link = dcc_link(t("profile.index.link", lang) + " →", f"/index?sel={tid}", "profile-index-link")
        if pos.group is None:
            missing = str(res.inputs.imputation.report.at[tid, "missing_indicators"])
            names = ", ".join(ds.label(i, lang) for i in missing.split(", ") if i)
            return html.Div([head, html.P(t("profile.index.unscored", lang, ind=names), className="alert alert-warning",
                                          id="profile-index-text"), link, *_index_notes(ds, lang)],
                            id="profile-index", className="profile-index")
        facts = html.Div([
            html.Div([html.Div(t("profile.index.group", lang), className="pi-label"),
                      _badge(pos.group, lang, id="profile-index-group", **{"data-group": str(pos.group)})],
                     className="pi-fact"),
            html.Div([html.Div(t("profile.index.score", lang), className="pi-label"),
                      html.Div(fmt_number(pos.score, lang, 1), className="pi-value", id="profile-index-score")],
                     className="pi-fact"),
            html.Div([html.Div(t("profile.index.rank", lang), className="pi-label"),
                      html.Div([html.Span(fmt_number(pos.rank, lang), id="profile-index-rank"), " ",
                                html.Span(t("profile.index.rank_of", lang, n=fmt_number(pos.n, lang)),
                                          className="pi-of")], className="pi-value")],
                     className="pi-fact"),
        ], className="pi-facts")
        unc = []
        if pos.rank_p05 is not None:
            unc.append(html.Span(t("profile.index.interval", lang, lo=pos.rank_p05, hi=pos.rank_p95),
                                 id="profile-index-interval"))
            unc.append(" · ")
        if pos.share_top_group == pos.share_top_group:
            unc.append(html.Span(t("profile.index.share", lang, k=fmt_number(round(pos.share_top_group * pos.draws), lang),
                                   draws=fmt_number(pos.draws, lang)), id="profile-index-share"))
        comp = vi.contribution_comparison(res, tid)
        dept_name = ds.name(str(res.inputs.territories.at[tid, "department_id"]))
        labels = [ds.name(tid), t("profile.index.dept_mean", lang, name=dept_name),
                  t("profile.index.country_mean", lang)]
        fig = cp.index_contrib_figure(comp, [(d.id, d.label(lang)) for d in res.config.dimensions], labels,
                                      ui.DIM_COLOURS, ui.wrap(src, 66), lang)
        return html.Div([
            head, facts,
            html.P(unc, className="small mb-1 pi-uncertainty"),
            graph("profile-index-contrib", fig, lang, f"atalaya-{slug(ds.name(tid))}-indice",
                  t("profile.index.contrib", lang), height="400px"),
            source_note(src, "profile-index-source", in_figure=True),
            link,
            *_index_notes(ds, lang),
        ], id="profile-index", className="profile-index")
    if ds.level(tid) >= res.config.level:  # a territory outside the index (not a municipality of it)
        return html.Div([head, html.P(t("profile.index.none", lang), className="text-muted", id="profile-index-text")],
                        id="profile-index", className="profile-index")
    summ = ap.index_summary(ranking, tid, ds.main_country)
    bars = []
    total = max(int(summ.counts.sum()), 1)
    for g, k in summ.counts.items():
        bars.append(html.Div([
            _badge(g, lang, "pi-dist-label"),
            html.Div(html.Div(className=f"pi-dist-bar index-g{g}", style={"width": f"{100 * k / total:.1f}%"}),
                     className="pi-dist-track"),
            html.Span(fmt_number(int(k), lang), className="pi-dist-n", id=f"profile-index-n{g}"),
        ], className="pi-dist-row"))
    if summ.unscored:
        bars.append(html.P(t("profile.index.unscored_n", lang, n=fmt_number(summ.unscored, lang)),
                           className="small text-muted mb-0"))
    rows = [html.Tr([
        html.Td(fmt_number(int(r["rank"]), lang), className="text-end"),
        html.Td(dcc_link(str(r["name"]), f"/profile?territory={mid}", f"profile-index-top-{mid}")),
        html.Td(fmt_number(float(r["score"]), lang, 1), className="text-end"),
        html.Td(_badge(r["group"], lang)),
    ]) for mid, r in summ.top.iterrows()]
    table = html.Table([
        html.Thead(html.Tr([html.Th(t("profile.index.col.rank", lang), className="text-end"),
                            html.Th(tl("profile.index.col.name", lang, ds)),
                            html.Th(t("profile.index.col.score", lang), className="text-end"),
                            html.Th(t("profile.index.col.group", lang))])),
        html.Tbody(rows),
    ], className="table table-sm pi-top mb-1", id="profile-index-top")
    return html.Div([
        head,
        html.H3(tl("profile.index.distribution", lang, ds) + f" ({fmt_number(summ.n, lang)})", className="h6"),
        html.Div(bars, className="pi-dist", id="profile-index-dist"),
        html.H3(tl("profile.index.top", lang, ds, n=len(summ.top)), className="h6 mt-3"),
        table,
        source_note(src, "profile-index-source"),
        dcc_link(t("profile.index.link_all", lang) + " →", "/index", "profile-index-link"),
        *_index_notes(ds, lang),
    ], id="profile-index", className="profile-index")


def dcc_link(text: str, href: str, link_id: str) -> Any:
    return dcc.Link(text, href=href, id=link_id, className="pi-link")


def index_text(ctx: AppContext, territory_id: str, lang: str) -> str:
    """The index position as one line of text (for the PDF brief)."""
    found = _index(ctx)
    if found is None:
        return t("profile.index.none", lang)
    res, ranking = found
    tid = territory_id
    if tid in ranking.index:
        pos = index_position(res, ranking, tid)
        assert pos is not None
        if pos.group is None:
            return t("profile.index.line_unscored", lang)
        return t("profile.index.line", lang, group=t(f"profile.index.g{pos.group}", lang),
                 score=fmt_number(pos.score, lang, 1), rank=fmt_number(pos.rank, lang), n=fmt_number(pos.n, lang),
                 lo=pos.rank_p05 if pos.rank_p05 is not None else "—",
                 hi=pos.rank_p95 if pos.rank_p95 is not None else "—")
    if ctx.dataset.level(tid) >= res.config.level:
        return t("profile.index.none", lang)
    summ = ap.index_summary(ranking, tid, ctx.dataset.main_country, top=1)
    if summ.top.empty:
        return t("profile.index.line_unscored", lang)
    best = summ.top.iloc[0]
    return tl("profile.index.line_area", lang, ctx.dataset, k=fmt_number(int(summ.counts.get(1, 0)), lang),
             n=fmt_number(summ.n, lang), top=str(best["name"]), score=fmt_number(float(best["score"]), lang, 1),
             rank=fmt_number(int(best["rank"]), lang))


# ---- figures ---------------------------------------------------------------------------------------
def trend(ds: Dataset, indicator_id: str, tid: str, events: pd.DataFrame, lang: str) -> tuple[dict[str, Any], str]:
    """The trend figure: the territory, its department and its country, with the events of the
    territory itself and of its ancestors (events inside it are listed, not drawn: too many lines)."""
    comp = ap.comparison_series(ds, indicator_id, tid, ap.trend_freq(ds, indicator_id))
    if not events.empty and "scope" in events:
        events = events[events["scope"].isin(["here", "above"])]
    return cp.trend_figure(ds, comp, indicator_id, tid, events, lang)


def second_figure(ds: Dataset, data: ProfileData, indicator_id: str, lang: str) -> tuple[dict[str, Any], str, str]:
    """The comparison chart: ratios to the country (municipality, department) or the departments of a
    country. Returns (figure, source line, aria label)."""
    tid = data.territory_id
    name = ds.name(tid)
    if ds.level(tid) > 0:
        fig, src = cp.compare_figure(ds, data.comparison, tid, lang)
        return fig, src, t("profile.compare.aria", lang, name=name)
    counts = [i for i in ds.indicators.index if ds.indicator(i)["unit"] == "count"]
    ind = indicator_id if indicator_id in counts else ("homicides" if "homicides" in counts else
                                                        (counts[0] if counts else indicator_id))
    children = ap.children_values(ds, ind, tid)
    own = ap.series(ds, ind, tid)
    own = own[own["period"] == (children["period"].iloc[0] if len(children) else "")]
    cv = float(own["value"].iloc[0]) if len(own) else float("nan")
    fig, src = cp.children_figure(ds, children, ind, cv, lang)
    return fig, src, tl("profile.compare.children.aria", lang, ds, indicator=ds.label(ind, lang))


def body(ctx: AppContext, tid: str, indicator_id: str, lang: str, data: ProfileData) -> list[Any]:
    ds = ctx.dataset
    name = ds.name(tid)
    cards = []
    for kf in data.key_figures:
        ft = cp.figure_text(ds, kf, lang)
        s = data.sparks[kf.indicator_id]
        s = s[s["value"].notna()]
        first = fmt_period(str(s["period"].iloc[0]), lang) if len(s) else ""
        last = fmt_period(str(s["period"].iloc[-1]), lang) if len(s) else ""
        cards.append(cp.card(ds, ft, cp.sparkline(s, ft.label, lang), first, last, lang))
    tfig, tsrc = trend(ds, indicator_id, tid, data.events, lang)
    cfig, csrc, caria = second_figure(ds, data, indicator_id, lang)
    table = profile_table(ds, data, lang, formatted=True)
    label = ds.label(indicator_id, lang)
    return [
        html.Section([
            html.H2(t("profile.in_numbers", lang), className="h4"),
            html.P(t("profile.in_numbers.note", lang), className="small text-muted"),
            html.Div(cards, className="row profile-cards", id="profile-cards"),
        ], **{"aria-labelledby": "profile-title"}),
        html.Div([
            html.Div([
                graph("profile-trend", tfig, lang, f"atalaya-{slug(name)}-{indicator_id}",
                      tl("profile.trend.aria", lang, ds, indicator=label, name=name), height="460px"),
                source_note(tsrc, "profile-trend-source", in_figure=True),
            ], className="col-12 col-xl-7 profile-figure"),
            html.Div([
                graph("profile-compare", cfig, lang, f"atalaya-{slug(name)}-comparacion", caria, height="460px"),
                source_note(csrc, "profile-compare-source", in_figure=True),
            ], className="col-12 col-xl-5 profile-figure"),
        ], className="row mt-2"),
        html.Div([
            html.Div(index_block(ctx, tid, lang), className="col-12 col-lg-5"),
            html.Div([html.H2(t("profile.events", lang), className="h4"),
                      cp.events_list(ds, data.events, tid, lang)], className="col-12 col-lg-7", id="profile-events"),
        ], className="row mt-3"),
        html.Section([
            html.H2(t("profile.table", lang), className="h4 mt-3", id="profile-table-title"),
            cp.data_table(table),
        ], id="profile-table", **{"aria-labelledby": "profile-table-title"}),
    ]


def warm_up(ds: Dataset) -> None:
    """Compute the yearly rate tables every profile uses (≈9 s once per process on the demo) in a
    background thread at start-up, so the first visitor does not wait for them."""
    import threading

    def run() -> None:
        try:
            ap.comparison(ds, ds.main_country)
            kids = ds.children(ds.main_country)
            if kids and ds.children(kids[0]):
                ap.comparison(ds, ds.children(kids[0])[0])
        except Exception:  # noqa: BLE001 - a failed warm-up only means a slower first request
            pass

    threading.Thread(target=run, name="profile-warm-up", daemon=True).start()


def not_found(tid: str, lang: str) -> list[Any]:
    return [html.Div(t("profile.unknown", lang, tid=tid), className="alert alert-warning", role="alert")]


def register(app: Dash, ctx: AppContext) -> None:
    ds = ctx.dataset
    cached = ctx.memoize(lambda tid: profile_data(ds, tid))
    warm_up(ds)

    @app.callback(
        Output("profile-body", "children"),
        Output("profile-title", "children"),
        Output("profile-subtitle", "children"),
        Input("profile-search", "value"),
        State("profile-indicator", "value"),
        State("profile-lang", "data"),
    )
    def update_profile(tid: str | None, indicator_id: str | None, lang: str | None):
        lang = norm_lang(lang)
        if valid_territory(ds, tid) is None:
            return not_found(str(tid), lang), t("profile.title", lang), ""
        title, _ = cp.territory_title(ds, tid, lang)
        return body(ctx, tid, indicator_id or "homicides", lang, cached(tid)), title, cp.subtitle_links(ds, tid, lang)

    @app.callback(
        Output("profile-search", "value"),
        Input("url", "search"),
        State("profile-search", "value"),
        prevent_initial_call=True,
    )
    def follow_url(search: str | None, current: str | None):
        """A link to another profile changes only the query (the router does not re-render): follow it."""
        tid = parse_search(search).get("territory")
        return tid if tid and tid != current else no_update

    @app.callback(
        Output("profile-trend", "figure"),
        Output("profile-trend-source", "children"),
        Input("profile-indicator", "value"),
        State("profile-search", "value"),
        State("profile-lang", "data"),
        prevent_initial_call=True,
    )
    def update_trend(indicator_id: str, tid: str, lang: str):
        if valid_territory(ds, tid) is None or indicator_id is None:
            return no_update, no_update
        fig, src = trend(ds, indicator_id, tid, cached(tid).events, norm_lang(lang))
        return fig, src

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("profile-search", "value"),
        Input("profile-indicator", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def write_url(tid: str | None, indicator_id: str | None, search: str | None):
        new = encode_search({"territory": tid, "indicator": indicator_id}, search)
        return new if new != (search or "") else no_update

    @app.callback(
        Output("profile-download", "data"),
        Input("profile-export-pdf", "n_clicks"),
        Input("profile-export-png", "n_clicks"),
        Input("profile-export-csv", "n_clicks"),
        Input("profile-export-xlsx", "n_clicks"),
        State("profile-search", "value"),
        State("profile-indicator", "value"),
        State("profile-lang", "data"),
        prevent_initial_call=True,
    )
    def export(_pdf, _png, _csv, _xlsx, tid, indicator_id, lang):
        from dash import ctx as dash_ctx

        trig = dash_ctx.triggered_id
        if valid_territory(ds, tid) is None or not dash_ctx.triggered[0].get("value"):
            return no_update
        kind = str(trig).rsplit("-", 1)[-1]
        return export_file(ctx, kind, tid, indicator_id or "homicides", norm_lang(lang), cached(tid))


def export_file(ctx: AppContext, kind: str, tid: str, indicator_id: str, lang: str, data: ProfileData) -> dict[str, Any]:
    """The dcc.Download payload of one export of the profile ('pdf', 'png', 'csv' or 'xlsx')."""
    ds = ctx.dataset
    base = f"atalaya-{slug(ds.name(tid))}-{tid}"
    if kind == "png":
        fig, _ = trend(ds, indicator_id, tid, data.events, lang)
        return send(figure_png(fig), f"{base}-{indicator_id}.png")
    if kind in ("csv", "xlsx"):
        df = profile_table(ds, data, lang, formatted=False)
        if kind == "csv":
            return send(table_csv(df), f"{base}.csv")
        notes = notes_lines(ds, data, lang)
        return send(table_excel(df, t("profile.title", lang), notes, t("export.notes", lang)), f"{base}.xlsx")
    from components.brief_pdf import brief_pdf

    return send(brief_pdf(ctx, tid, indicator_id, lang, data), f"{base}-{lang}.pdf")


def notes_lines(ds: Dataset, data: ProfileData, lang: str) -> list[str]:
    name, subtitle = cp.territory_title(ds, data.territory_id, lang)
    lines = [f"{name} — {subtitle}"]
    if ds.meta.synthetic:
        lines.append(t("profile.synthetic_notice", lang))
    for sid in sorted({k.source for k in data.key_figures}):
        s = ds.meta.source(sid)
        publisher = s.publisher_for(lang)
        lines.append(f"{t('figure.source', lang)}: {s.title_for(lang)}" + (f" ({publisher}, {s.year})" if publisher else ""))
    return lines
