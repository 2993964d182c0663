"""A clear placeholder for pages not built yet."""

from __future__ import annotations

from typing import Any, Callable

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import t


def layout_for(nav_key: str) -> Callable[..., Any]:
    def layout(ctx: Any, params: dict[str, str], lang: str) -> Any:
        return dbc.Container(
            [
                html.H1(t(nav_key, lang)),
                dbc.Alert([html.Strong(t("placeholder.title", lang) + ". "), t("placeholder.body", lang)],
                          color="info"),
                dcc.Link(t("nav.about", lang), href="/about" + ("?lang=en" if lang == "en" else "")),
            ],
            className="py-4",
        )

    return layout


def not_found(path: str, lang: str) -> Any:
    return dbc.Container([html.H1(t("notfound.title", lang)), html.P(t("notfound.body", lang, path=path))],
                         className="py-4")
