"""The frame around every page: skip link, navbar, language switch, synthetic-data banner, footer."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import DEFAULT_LANG, t


def navbar(pages: list[Any]) -> dbc.Navbar:
    links = [
        dbc.NavItem(dcc.Link(t(p.nav_key, DEFAULT_LANG), href=p.path, id={"type": "nav-link", "page": p.key},
                             className="nav-link"))
        for p in pages
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dcc.Link([html.Span("Atalaya", className="brand-name"),
                          html.Span(id="brand-tagline", className="brand-tagline d-none d-lg-inline")],
                         href="/", className="navbar-brand", id="brand-link"),
                dbc.Nav(links, navbar=True, className="me-auto flex-row flex-wrap gap-2 gap-lg-0"),
                html.Div(
                    [
                        html.Span(id="lang-label", className="visually-hidden"),
                        dbc.RadioItems(
                            id="lang-switch",
                            options=[{"label": "ES", "value": "es"}, {"label": "EN", "value": "en"}],
                            value=None,
                            inline=True,
                            className="btn-group lang-switch",
                            inputClassName="btn-check",
                            labelClassName="btn btn-outline-light btn-sm",
                            labelCheckedClassName="active",
                        ),
                    ],
                    className="d-flex align-items-center ms-lg-3",
                    role="group",
                    **{"aria-labelledby": "lang-label"},
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        expand="lg",
        className="atalaya-navbar",
    )


def shell(pages: list[Any], synthetic: bool) -> html.Div:
    """The app layout. Page content is filled by the router callback from the URL."""
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            html.A(id="skip-link", href="#page-content", className="skip-link"),
            navbar(pages),
            html.Div(id="synthetic-banner", className="synthetic-banner" if synthetic else "d-none", role="note"),
            html.Main(id="page-content", tabIndex="-1"),
            html.Footer(id="footer", className="atalaya-footer"),
        ],
        id="root",
    )


def banner_content(lang: str, lang_qs: str) -> list[Any]:
    return [
        html.Strong("⚠ "),
        t("banner.synthetic", lang),
        " ",
        dcc.Link(t("banner.synthetic_more", lang), href="/about" + lang_qs, className="alert-link"),
    ]
