"""Callbacks of the VAWG index page. Thin: read the controls, call analytics/vawg_index (memoized),
build figure dicts and rows with components/index.py.

`IndexService` holds the memoized computations; its methods are plain functions that tests call.
"""

from __future__ import annotations

import io
import json
import math
import threading
import zipfile
from typing import Any

import numpy as np
import pandas as pd
from dash import ALL, Dash, Input, Output, Patch, State, ctx as dash_ctx, dcc, html, no_update
import dash_bootstrap_components as dbc

from analytics import map_view
from analytics import vawg_index as vi
from callbacks.context import AppContext
from callbacks.map import area_shape
from components import index as ui
from components.figures import graph, source_note
from components.formatting import fmt_number, fmt_percent
from components.i18n import t, tl
from components.index_method import methodology_panel
from components.urlstate import encode_search


class IndexService:
    """Memoized index computations for one dataset (keys: the method choices and weights)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.ds = ctx.dataset
        self.config = vi.parse_index_config(self.ds.index_config or {}, list(self.ds.indicators.index))
        self.default = ui.default_state(self.config)

        def index_inputs(smoothing: str, missing: str) -> vi.IndexInputs:
            return vi.prepare_inputs(self.ds, self.config.with_method(smoothing=smoothing, missing=missing))

        def index_treated(smoothing: str, missing: str, winsor: str, norm: str) -> vi.Treated:
            inp = self._inputs(smoothing, missing)
            cfg = self.config.with_method(winsor_percentile=None if winsor == "off" else float(winsor),
                                          normalization=norm)
            return vi.treat(inp, cfg)

        def index_mc(smoothing: str, missing: str, winsor: str, cls: str, top_n: int,
                     weights: tuple[float, ...]) -> pd.DataFrame:
            inp = self._inputs(smoothing, missing)
            cfg = self.config.with_method(winsor_percentile=None if winsor == "off" else float(winsor),
                                          classification=cls, top_n=top_n).with_weights(list(weights))
            return vi.monte_carlo(vi.normalized_variants(inp, cfg), cfg).table

        # one computation at a time per process: concurrent first requests wait for the cache instead of
        # computing the same thing twice
        lock = threading.RLock()

        def locked(fn: Any) -> Any:
            memo = ctx.memoize(fn)

            def call(*args: Any) -> Any:
                with lock:
                    return memo(*args)
            return call

        self._inputs = locked(index_inputs)
        self._treated = locked(index_treated)
        self._mc = locked(index_mc)
        # the country's bounds and land grid: the colour bar goes where it covers no land, and the
        # browser fits the map to its box on screen (assets/40_presenter.js) the same way
        self._shape = area_shape(ctx, None) if self.ds.boundary_files else None
        self._views: dict[tuple[str, str, bool], tuple[dict[str, float], float, str]] = {}

    def warm(self) -> None:
        """Compute the default view (steps 1–8) so the first visitor does not wait for it."""
        self.ranking(self.default)

    def weights(self, s: ui.IndexState) -> tuple[float, ...]:
        return tuple(s.weights) if sum(s.weights) > 0 else tuple([1.0] * len(self.config.dimensions))

    def result(self, s: ui.IndexState) -> vi.IndexResult:
        """Steps 1–7 for a state (steps 1–5 memoized; 6–7 take a few milliseconds)."""
        inp = self._inputs(s.smoothing, s.missing)
        tr = self._treated(s.smoothing, s.missing, s.winsor, s.normalization)
        return vi.compute_from_inputs(inp, ui.config_for(self.config, s), treated=tr)

    def default_result(self) -> vi.IndexResult:
        return self.result(self.default)

    def mc(self, s: ui.IndexState) -> pd.DataFrame:
        return self._mc(s.smoothing, s.missing, s.winsor, s.classification, int(s.top_n), self.weights(s))

    def ranking(self, s: ui.IndexState) -> tuple[vi.IndexResult, pd.DataFrame]:
        res = self.result(s)
        return res, vi.ranking_table(res, self.mc(s), self.default_result())

    def source(self, res: vi.IndexResult, lang: str) -> str:
        return ui.source_text(self.ds, res.config, res.inputs.window, lang)

    def map_view(self, color: str = "group", lang: str = "es", missing: bool = False) -> tuple[dict[str, float], float, str]:
        """Centre, zoom and the colour bar's corner for the map's nominal box: the corner where the
        colour bar (and the "no data" entry under it) covers no land, else the side kept clear for it."""
        key = (color if color in ("group", "score") else "dim", lang, bool(missing))
        if key not in self._views:
            placed = None
            if self._shape is not None:
                w, h = ui.colorbar_box(color, lang, missing)
                placed = map_view.place_overlay(self._shape[1], *ui.NOMINAL_BOX, w, h, OVERLAY_MARGIN, MAP_INSET)
            self._views[key] = ((placed.view.centre, placed.view.zoom, placed.corner) if placed
                                else ({"lon": 0.0, "lat": 0.0}, 1.0, "tr"))
        return self._views[key]

    def map_fit(self) -> dict[str, Any] | None:
        """layout.meta.fit: the country's bounds and land grid, for the browser to fit the view and place
        the colour bar in the map's real box (at the desk and in presenter mode)."""
        if self._shape is None:
            return None
        return {"bounds": [round(b, 5) for b in self._shape[0]], "land": self._shape[1].to_json(),
                "overlay": "colorbar", "inset": MAP_INSET, "margin": OVERLAY_MARGIN}


_SERVICE_LOCK = threading.Lock()


def index_service(ctx: AppContext) -> IndexService | None:
    """The process's IndexService (memoized computations) for `ctx`, created once and shared by every
    page that shows the index (the index page itself and the profile). None when the dataset has no
    index.json or its configuration is invalid."""
    if not ctx.dataset.index_config:
        return None
    with _SERVICE_LOCK:
        svc = getattr(ctx, "index_service", None)
        if svc is None:
            try:
                svc = IndexService(ctx)
            except vi.IndexConfigError:
                return None
            ctx.index_service = svc  # type: ignore[attr-defined]
    return svc


def default_index_result(ctx: AppContext) -> tuple[vi.IndexResult, pd.DataFrame] | None:
    """The index with the configuration's default weights and method, and its ranking table with the
    Monte Carlo columns (rank_p05/rank_p95, share_top_group, …): the same memoized values the index page
    shows on first load. None when the dataset has no (valid) index.json."""
    svc = index_service(ctx)
    return None if svc is None else svc.ranking(svc.default)


MAP_INSET = 6  # px kept clear around the country
OVERLAY_MARGIN = 8  # px between the map's edge and the colour bar


# ---- plain functions (tested directly) -------------------------------------------------------------


def state_from_controls(svc: IndexService, weights: list[Any], norm: str, agg: str, winsor: str, smooth: str,
                        miss: str, cls: str, top_n: Any, color: str, selected: str | None) -> ui.IndexState:
    d = svc.default
    w = tuple(float(x) if x is not None else 0.0 for x in (weights or d.weights))
    try:
        top = max(1, int(top_n)) if top_n not in (None, "") else d.top_n
    except (TypeError, ValueError):
        top = d.top_n
    return ui.IndexState(
        weights=w, normalization=norm if norm in vi.NORMALIZATIONS else d.normalization,
        aggregation=agg if agg in vi.AGGREGATIONS else d.aggregation, winsor=str(winsor or d.winsor),
        smoothing=smooth if smooth in vi.SMOOTHINGS else d.smoothing,
        missing=miss if miss in vi.MISSING_RULES else d.missing,
        classification=cls if cls in vi.CLASSIFICATIONS else d.classification, top_n=top,
        color=color or "group", selected=selected or None,
    )


def map_values_patch(fig: dict[str, Any]) -> Patch:
    """A Patch that replaces only the per-municipality arrays of the map's value and no-data traces
    (same colour mode, so layout, colour scale and geometry stay as they are in the browser)."""
    patch = Patch()
    for i, keys in ((0, ("locations", "z", "customdata", "hovertext")), (1, ("locations", "z", "hovertext"))):
        for k in keys:
            patch["data"][i][k] = fig["data"][i][k]
    patch["data"][1]["showlegend"] = fig["data"][1]["showlegend"]
    return patch


def ranking_rows(ranking: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """Rows for the grid: numbers as numbers (None when missing), labels translated."""
    out = []
    for tid, r in ranking.iterrows():
        def num(v: Any, nd: int = 2) -> Any:
            return None if v is None or pd.isna(v) else round(float(v), nd)
        lo, hi = r.get("rank_p05"), r.get("rank_p95")
        row = {
            "territory_id": str(tid), "name": r["name"], "department_name": r["department_name"],
            "rank": None if pd.isna(r["rank"]) else int(r["rank"]), "score": num(r["score"]),
            "group": None if pd.isna(r["group"]) else int(r["group"]), "group_label": ui.group_label(r["group"], lang),
            "top_n": bool(r["top_n"]),
            "rank_p05": None if lo is None or pd.isna(lo) else int(lo),
            "rank_p95": None if hi is None or pd.isna(hi) else int(hi),
            "interval": "—" if lo is None or pd.isna(lo) else f"{int(lo)}–{int(hi)}",
            "median_rank": num(r.get("median_rank"), 1),
            "robust_pct": num(100 * r["share_top_group"] if pd.notna(r.get("share_top_group")) else None, 1),
            "rank_change": None if pd.isna(r.get("rank_change")) else int(r["rank_change"]),
            "n_imputed": int(r["n_imputed"]),
        }
        for c in ranking.columns:
            if c.startswith("dim_"):
                row[c] = num(r[c])
        out.append(row)
    return out


def weight_shares(svc: IndexService, s: ui.IndexState, lang: str) -> str:
    if sum(s.weights) <= 0:
        return t("index.weights_all_zero", lang)
    total = sum(s.weights)
    return " · ".join(f"{d.label(lang)} {fmt_percent(100 * w / total, lang, 0)}"
                      for d, w in zip(svc.config.dimensions, s.weights))


def summary_cards(ranking: pd.DataFrame, lang: str, meta: Any = None) -> list[Any]:
    n_top = int((ranking["group"] == 1).sum())
    robust = int(ranking["robust_high"].fillna(False).astype(bool).sum()) if "robust_high" in ranking else 0
    moved = int((ranking["rank_change"].fillna(0) != 0).sum()) if "rank_change" in ranking else 0
    first = ranking.iloc[0]
    cards = [
        (fmt_number(n_top, lang), tl("index.summary.top", lang, meta), "index-sum-top"),
        (fmt_number(robust, lang), t("index.summary.robust", lang, p=fmt_percent(100 * vi.ROBUST_SHARE, lang, 0)),
         "index-sum-robust"),
        (f"{first['name']}", f"{t('index.summary.first', lang)} ({first['department_name']})", "index-sum-first"),
        (fmt_number(moved, lang), tl("index.summary.moved", lang, meta), "index-sum-moved"),
    ]
    return [html.Div(html.Div([html.Div(v, className="key-figure index-key"), html.Div(lab, className="key-figure-label")],
                              className="index-card"), className="col-6 col-xl-3", id=cid)
            for v, lab, cid in cards]


def detail_children(svc: IndexService, res: vi.IndexResult, ranking: pd.DataFrame, tid: str | None,
                    lang: str) -> tuple[list[Any], list[Any]]:
    """The selected-municipality panel (rank line, contribution chart) and the table of the indicators
    behind the score."""
    ds = svc.ds
    if not tid or tid not in ranking.index:
        return [html.P(tl("index.detail.none", lang, ds), className="text-muted index-detail-none")], []
    r = ranking.loc[tid]
    head = [html.H3(f"{r['name']} ({r['department_name']})", className="h5 mb-1", id="index-detail-name")]
    n = int(ranking["score"].notna().sum())
    if pd.isna(r["score"]):
        missing = str(res.inputs.imputation.report.at[tid, "missing_indicators"])
        names = ", ".join(ds.label(i, lang) for i in missing.split(", ") if i)
        head.append(dbc.Alert(t("index.detail.excluded", lang, ind=names), color="warning", id="index-detail-rank"))
    else:
        head.append(html.P([
            html.Span(ui.group_label(r["group"], lang), className=f"index-badge index-g{int(r['group'])}"), " ",
            t("index.detail.rank", lang, rank=int(r["rank"]), n=n, score=fmt_number(r["score"], lang, 1)),
        ], className="mb-1", id="index-detail-rank"))
        if "rank_p05" in r and pd.notna(r["rank_p05"]):
            head.append(html.P(t("index.detail.interval", lang, lo=int(r["rank_p05"]), hi=int(r["rank_p95"]),
                                 share=ui.fmt_share(r["share_top_group"], lang)), className="small text-muted mb-1"))
    comp = vi.contribution_comparison(res, tid)
    labels = [str(r["name"]), tl("index.contrib.dept_mean", lang, ds), t("index.contrib.country_mean", lang)]
    src = svc.source(res, lang)
    fig = ui.contribution_figure(comp, res.config, labels, t("index.contrib.title", lang), src, lang)
    prof = vi.municipality_profile(ds, res, tid)
    dim_label = {d.id: d.label(lang) for d in res.config.dimensions}
    rows = []
    for _, p in prof.iterrows():
        nd = 0 if p["kind"] == "rate" and abs(p["value"] if p["value"] == p["value"] else 0) >= 100 else 1
        val = fmt_number(p["value"], lang, nd)
        extra = []
        if p["imputed"]:
            extra = [html.Br(), html.Span(t("index.ind.imputed", lang, v=fmt_number(p["used"], lang, nd)),
                                          className="small text-warning-emphasis")]
        def cmp(v: float, basis: str) -> Any:
            out: list[Any] = [fmt_number(v, lang, nd)]
            if basis == "municipal_median":
                out += [html.Br(), html.Span(tl("index.ind.median", lang, ds), className="small text-muted")]
            return out
        rows.append(html.Tr([
            html.Td([html.Span(dim_label[p["dimension"]], className="small text-muted d-block"),
                     ds.label(p["indicator_id"], lang), html.Br(),
                     html.Span(ui.unit_text(p, lang), className="small text-muted")]),
            html.Td([html.Strong(val)] + extra, className="text-end"),
            html.Td(cmp(p["department_value"], p["department_basis"]), className="text-end"),
            html.Td(cmp(p["country_value"], p["country_basis"]), className="text-end"),
            html.Td(fmt_number(p["normalized"], lang, 1), className="text-end"),
        ]))
    table = dbc.Table([
        html.Thead(html.Tr([html.Th(t("index.ind.indicator", lang)), html.Th(tl("index.ind.value", lang, ds), className="text-end"),
                            html.Th(tl("index.ind.department", lang, ds), className="text-end"),
                            html.Th(t("index.ind.country", lang), className="text-end"),
                            html.Th(t("index.ind.normalized", lang), className="text-end")])),
        html.Tbody(rows),
    ], size="sm", hover=True, className="index-indicators", id="index-indicators")
    return head + [
        graph("index-contrib", fig, lang, "indice-vcmn-contribuciones", t("index.contrib.title", lang), height="400px"),
        source_note(src, in_figure=True),
    ], [
        html.H4(t("index.ind.title", lang) + f" — {r['name']} ({r['department_name']})", className="h5 mt-3"),
        table,
        source_note(src),
    ]


def ranking_export(svc: IndexService, res: vi.IndexResult, ranking: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ranking with every column, labelled, for CSV/Excel."""
    out = ranking.copy()
    out.insert(out.columns.get_loc("group") + 1, "group_label", [ui.group_label(g, lang) for g in out["group"]])
    out["in_top_n"] = out.pop("top_n")
    out["index_method"] = json.dumps({
        "weights": {d.id: round(d.weight / sum(x.weight for x in res.config.dimensions), 6) for d in res.config.dimensions},
        "normalization": res.config.method.normalization, "aggregation": res.config.method.aggregation,
        "winsor_percentile": res.config.method.winsor_percentile, "smoothing": res.config.method.smoothing,
        "missing": res.config.method.missing, "classification": res.config.method.classification,
        "window": list(res.inputs.window), "mc_draws": res.config.method.mc_draws, "mc_seed": res.config.method.mc_seed,
    }, ensure_ascii=False)
    out["synthetic_data"] = bool(svc.ds.meta.synthetic)
    out["source"] = svc.source(res, lang)  # the figure's source line, in the language of the download
    return out.reset_index()


def download_payload(svc: IndexService, s: ui.IndexState, kind: str, lang: str) -> dict[str, Any]:
    res, ranking = svc.ranking(s)
    export = ranking_export(svc, res, ranking, lang)
    stem = "indice_vcmn" if lang == "es" else "vawg_index"
    if kind == "csv":
        return dcc.send_data_frame(export.to_csv, f"{stem}_ranking.csv", index=False)
    steps = res.steps()
    if kind == "xlsx":
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as xl:
            export.to_excel(xl, sheet_name="ranking", index=False)
            method_rows = [(title, text) for title, text in
                           __import__("components.index_method", fromlist=["x"]).methodology_steps(
                               svc.ds, res.config, res.inputs.window, res, lang)]
            pd.DataFrame(method_rows, columns=["step", "description"]).to_excel(xl, sheet_name="method", index=False)
            for name, df in steps.items():
                df.to_excel(xl, sheet_name=name[:31], index=False)
        return dcc.send_bytes(buf.getvalue(), f"{stem}.xlsx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{stem}_ranking.csv", export.to_csv(index=False))
        for name, df in steps.items():
            z.writestr(f"{name}.csv", df.to_csv(index=False))
    return dcc.send_bytes(buf.getvalue(), f"{stem}_steps.zip")


# ---- registration ----------------------------------------------------------------------------------


CONTROLS = [
    Input({"type": "index-weight", "dim": ALL}, "value"),
    Input("index-norm", "value"),
    Input("index-agg", "value"),
    Input("index-winsor", "value"),
    Input("index-smooth", "value"),
    Input("index-miss", "value"),
    Input("index-cls", "value"),
    Input("index-topn", "value"),
    Input("index-color", "value"),
]


def register(app: Dash, ctx: AppContext) -> None:
    svc = index_service(ctx)
    if svc is None:
        return  # no index.json, or an invalid one: the page itself says so (components.index.layout)
    threading.Thread(target=svc.warm, name="index-warm", daemon=True).start()

    @app.callback(
        Output("index-map", "figure"),
        Output("index-grid", "rowData"),
        Output("index-summary", "children"),
        Output("index-weight-shares", "children"),
        Output("index-methodology", "children"),
        Output("index-ranking-help", "children"),
        Output("index-map-source", "children"),
        Output("url", "search", allow_duplicate=True),
        Output("index-map-mode", "data"),
        *CONTROLS,
        State("index-selected", "data"),
        State("index-lang", "data"),
        State("url", "search"),
        State("index-map-mode", "data"),
        prevent_initial_call="initial_duplicate",
    )
    def update(weights, norm, agg, winsor, smooth, miss, cls, top_n, color, selected, lang, search, drawn):
        s = state_from_controls(svc, weights, norm, agg, winsor, smooth, miss, cls, top_n, color, selected)
        res, ranking = svc.ranking(s)
        src = svc.source(res, lang)
        centre, zoom, corner = svc.map_view(s.color, lang, bool(ranking["score"].isna().any()))
        fig: Any = ui.map_figure(ranking, res.config, s.color, ctx.boundary_url(2), centre, zoom, src, lang,
                                 s.selected, svc.ds.meta, fit=svc.map_fit(), corner=corner)
        # `drawn`: the colour mode of the map the browser holds (None before the first full figure).
        # Same mode: a weight or method change sends the values only, not the whole figure.
        mode: Any = no_update
        if drawn == s.color:
            fig = map_values_patch(fig)
        else:
            mode = s.color
        help_text = tl("index.ranking_help", lang, svc.ds, n=s.top_n, draws=fmt_number(res.config.method.mc_draws, lang))
        method = methodology_panel(svc.ds, res.config, res.inputs.window, res, lang)
        new_search = encode_search(ui.state_params(s, svc.default), search)
        return (fig, ranking_rows(ranking, lang), summary_cards(ranking, lang, svc.ds.meta), weight_shares(svc, s, lang), method,
                help_text, src, new_search if new_search != (search or "") else no_update, mode)

    @app.callback(
        Output("index-selected", "data"),
        Input("index-map", "clickData"),
        Input("index-grid", "cellClicked"),
        State("index-selected", "data"),
        prevent_initial_call=True,
    )
    def select(click, cell, current):
        if dash_ctx.triggered_id == "index-map" and click and click.get("points"):
            loc = click["points"][0].get("location")
            return loc if loc and loc != current else no_update
        if dash_ctx.triggered_id == "index-grid" and cell and cell.get("rowId"):
            return cell["rowId"] if cell["rowId"] != current else no_update
        return no_update

    @app.callback(
        Output("index-detail", "children"),
        Output("index-detail-table", "children"),
        Output("url", "search", allow_duplicate=True),
        Input("index-selected", "data"),
        *CONTROLS,
        State("index-lang", "data"),
        State("url", "search"),
        prevent_initial_call="initial_duplicate",
    )
    def detail(selected, weights, norm, agg, winsor, smooth, miss, cls, top_n, color, lang, search):
        s = state_from_controls(svc, weights, norm, agg, winsor, smooth, miss, cls, top_n, color, selected)
        res, ranking = svc.ranking(s)
        children, table = detail_children(svc, res, ranking, s.selected, lang)
        if dash_ctx.triggered_id != "index-selected":
            return children, table, no_update
        new_search = encode_search(ui.state_params(s, svc.default), search)
        return children, table, new_search if new_search != (search or "") else no_update

    # Dash 4 sliders take no aria props: name each weight slider's thumb and number box after its visible
    # label (screen readers, axe "aria-input-field-name" and "label"). Retries until the slider is drawn.
    app.clientside_callback(
        """function(lang) {
            let tries = 0;
            const run = () => {
                const boxes = document.querySelectorAll('.index-slider');
                let done = boxes.length > 0;
                boxes.forEach(box => {
                    const lab = box.previousElementSibling ? box.previousElementSibling.innerText : '';
                    const thumb = box.querySelector('[role=slider]');
                    const input = box.querySelector('input');
                    if (thumb) { thumb.setAttribute('aria-label', lab); } else { done = false; }
                    if (input) { input.setAttribute('aria-label', lab + (lang === 'en' ? ' (weight)' : ' (peso)')); }
                });
                if (!done && tries++ < 80) { setTimeout(run, 100); }
            };
            run();
            return window.dash_clientside.no_update;
        }""",
        Output("index-a11y", "data"),
        Input("index-lang", "data"),
    )

    # Outline the selection on the map in the browser (a Patch of the third trace only, and only once
    # the map has its traces: `update` draws the outline itself when it rebuilds the map).
    app.clientside_callback(
        """function(sel, fig) {
            if (!fig || !fig.data || fig.data.length < 3) { return window.dash_clientside.no_update; }
            const p = new window.dash_clientside.Patch();
            p.assign(["data", 2, "locations"], sel ? [sel] : []);
            p.assign(["data", 2, "z"], sel ? [0] : []);
            return p.build();
        }""",
        Output("index-map", "figure", allow_duplicate=True),
        Input("index-selected", "data"),
        State("index-map", "figure"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output({"type": "index-weight", "dim": ALL}, "value"),
        Output("index-norm", "value"),
        Output("index-agg", "value"),
        Output("index-winsor", "value"),
        Output("index-smooth", "value"),
        Output("index-miss", "value"),
        Output("index-cls", "value"),
        Output("index-topn", "value"),
        Input("index-reset", "n_clicks"),
        prevent_initial_call=True,
    )
    def reset(_n):
        d = svc.default
        return (list(d.weights), d.normalization, d.aggregation, d.winsor, d.smoothing, d.missing, d.classification,
                d.top_n)

    @app.callback(
        Output("index-download", "data"),
        Input("index-dl-csv-btn", "n_clicks"),
        Input("index-dl-xlsx-btn", "n_clicks"),
        Input("index-dl-steps-btn", "n_clicks"),
        *[State(i.component_id, i.component_property) for i in CONTROLS],
        State("index-lang", "data"),
        prevent_initial_call=True,
    )
    def download(_a, _b, _c, weights, norm, agg, winsor, smooth, miss, cls, top_n, color, lang):
        kind = {"index-dl-csv-btn": "csv", "index-dl-xlsx-btn": "xlsx", "index-dl-steps-btn": "zip"}.get(
            str(dash_ctx.triggered_id))
        if kind is None:
            return no_update
        s = state_from_controls(svc, weights, norm, agg, winsor, smooth, miss, cls, top_n, color, None)
        return download_payload(svc, s, kind, lang)
