"""About the data: what the loaded dataset is, what is synthetic, every source and licence."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.i18n import register, t

register(
    {
        "about.title": ("Datos y fuentes", "About the data"),
        "about.dataset": ("Conjunto de datos", "Dataset"),
        "about.version": ("Versión", "Version"),
        "about.contract": ("Contrato de datos", "Data contract"),
        "about.synthetic": ("Qué es sintético", "What is synthetic"),
        "about.real": ("Todos los datos son reales (no sintéticos).", "All data are real (not synthetic)."),
        "about.sources": ("Fuentes", "Sources"),
        "about.licenses": ("Licencias", "Licences"),
        "about.indicators": ("Indicadores", "Indicators"),
        "about.col.indicator": ("Indicador", "Indicator"),
        "about.col.domain": ("Dominio", "Domain"),
        "about.col.unit": ("Unidad", "Unit"),
        "about.col.source": ("Fuente", "Source"),
        "about.col.kind": ("Tipo", "Kind"),
        "about.kind.synthetic": ("sintético", "synthetic"),
        "about.kind.real": ("real", "real"),
        "about.software": (
            "Atalaya funciona sin conexión: Bootstrap 5.3 (MIT), Plotly, Dash y los límites se sirven desde este servidor.",
            "Atalaya works offline: Bootstrap 5.3 (MIT), Plotly, Dash and the boundaries are served by this server.",
        ),
    }
)


def layout(ctx: Any, params: dict[str, str], lang: str) -> Any:
    ds = ctx.dataset
    meta = ds.meta
    title = meta.title_en if lang == "en" and meta.title_en else meta.title
    note = meta.synthetic_note_en if lang == "en" else meta.synthetic_note_es
    sources = [
        html.Li([html.Strong(s.title), f" — {s.publisher}" if s.publisher else "", f" ({s.year})" if s.year else "",
                 html.Br() if s.path else "", html.Span(s.path, className="text-muted small") if s.path else ""],
                id=f"source-{s.id}")
        for s in meta.sources
    ]
    licenses = [html.Li([html.Strong(lic.get("name", "")), " — ", lic.get("title", ""),
                         html.Span(f" {lic.get('path', '')}", className="text-muted small")])
                for lic in meta.licenses]
    ind = ds.indicators
    rows = [
        html.Tr([
            html.Td(ds.label(iid, lang)),
            html.Td(str(ind.at[iid, "domain"])),
            html.Td(str(ind.at[iid, "unit"])),
            html.Td(meta.source(str(ind.at[iid, "source"])).title),
            html.Td(t("about.kind.synthetic" if bool(ind.at[iid, "synthetic"]) else "about.kind.real", lang)),
        ])
        for iid in ind.index
    ]
    table = dbc.Table(
        [html.Thead(html.Tr([html.Th(t(f"about.col.{c}", lang)) for c in ("indicator", "domain", "unit", "source", "kind")])),
         html.Tbody(rows)],
        bordered=False, hover=True, size="sm", className="about-indicators",
    )
    return dbc.Container(
        [
            html.H1(t("about.title", lang)),
            html.H2(t("about.dataset", lang), className="h4 mt-4"),
            html.P([html.Strong(title), html.Br(),
                    f"{t('about.version', lang)}: {meta.version or '—'} · {t('about.contract', lang)}: {meta.contract_version}"],
                   id="about-dataset"),
            html.H2(t("about.synthetic", lang), className="h4 mt-4"),
            html.P(note if meta.synthetic else t("about.real", lang), id="about-synthetic-note"),
            html.H2(t("about.sources", lang), className="h4 mt-4"),
            html.Ul(sources, id="about-sources"),
            html.H2(t("about.licenses", lang), className="h4 mt-4"),
            html.Ul(licenses, id="about-licenses"),
            html.H2(t("about.indicators", lang), className="h4 mt-4"),
            table,
            html.P(t("about.software", lang), className="text-muted small mt-4"),
        ],
        className="py-4",
    )
