"""The figure convention: every chart carries its title and its source/period line inside the figure
(so an exported PNG names its source) and the same line is printed under it on the page.

Figures are plain dicts (cheaper to build and send than go.Figure, see notes/platform.md).
"""

from __future__ import annotations

import textwrap

from typing import Any

from dash import dcc, html

from components.formatting import plotly_locale
from components.i18n import t

# Colour-blind-safe palettes (Okabe–Ito for categories; viridis-like sequential from plotly).
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
NO_DATA_COLOUR = "#d9d9d9"
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def source_line(source: str, period: str, lang: str, synthetic: bool = False) -> str:
    """'Fuente: X · Periodo: Y · datos sintéticos' in the page language."""
    parts = [f"{t('figure.source', lang)}: {source}"]
    if period:
        parts.append(f"{t('figure.period', lang)}: {period}")
    if synthetic:
        parts.append(t("figure.synthetic", lang).upper())
    return " · ".join(parts)


def frame(fig: dict[str, Any], title: str, source: str, lang: str, bottom_margin: int = 80) -> dict[str, Any]:
    """Put `title` and the source line (from `source_line`) inside a figure dict and return it.

    The source goes in an annotation below the plotting area, so it is drawn in exported images.
    """
    layout = fig.setdefault("layout", {})
    layout["title"] = {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 18}}
    margin = layout.setdefault("margin", {})
    margin.setdefault("t", 56)
    margin["b"] = max(margin.get("b", 0), bottom_margin)
    margin.setdefault("l", 50)
    margin.setdefault("r", 20)
    layout.setdefault("font", {"family": FONT_FAMILY, "size": 13})
    layout.setdefault("paper_bgcolor", "white")
    layout.setdefault("plot_bgcolor", "white")
    annotations = [a for a in layout.get("annotations", []) if a.get("name") != "source"]
    annotations.append(
        {
            "name": "source",
            "text": source,
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "top",
            "yshift": -(bottom_margin - 22),
            "showarrow": False,
            "align": "left",
            "font": {"size": 11, "color": "#444"},
        }
    )
    layout["annotations"] = annotations
    return fig


def graph_config(lang: str, filename: str) -> dict[str, Any]:
    """dcc.Graph config: translated mode bar, PNG export at presentation resolution, no plotly logo."""
    locale, locales = plotly_locale(lang)
    cfg: dict[str, Any] = {
        "displaylogo": False,
        "locale": locale,
        "toImageButtonOptions": {"format": "png", "filename": filename, "width": 1600, "height": 900, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d", "sendChartToCloud"],  # no cloud upload
        "responsive": True,
    }
    if locales:
        cfg["locales"] = locales
    return cfg


def graph(graph_id: Any, figure: dict[str, Any] | None, lang: str, filename: str, aria_label: str,
          height: str = "460px", **kwargs: Any) -> html.Div:
    """A dcc.Graph with the app's config, wrapped in a region that screen readers can name."""
    return html.Div(
        dcc.Graph(
            id=graph_id,
            figure=figure or {"data": [], "layout": {}},
            config=graph_config(lang, filename),
            style={"height": height},
            **kwargs,
        ),
        role="figure",
        **{"aria-label": aria_label},
        className="atalaya-graph",
    )


def wrap_html(text: str, width: int) -> str:
    """`text` broken with <br> into lines of at most `width` characters, at spaces (plotly wraps neither
    annotations nor tick labels). A word longer than `width` stays whole."""
    return "<br>".join(textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False)) or str(text)


def source_note(text: str, note_id: Any = None, in_figure: bool = False) -> html.P:
    """A source/period line. `in_figure`: the figure above draws the same line (so that exported
    images carry it); the page then keeps this copy for screen readers only instead of showing it twice."""
    kwargs = {"id": note_id} if note_id is not None else {}
    return html.P(text, className="source-note visually-hidden" if in_figure else "source-note", **kwargs)
