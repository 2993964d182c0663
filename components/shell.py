"""The frame around every page: skip link, navbar, language switch, synthetic-data banner, footer."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import DEFAULT_LANG, t, tl


def navbar(pages: list[Any]) -> dbc.Navbar:
    links = [
        dbc.NavItem(dcc.Link(tl(p.nav_key, DEFAULT_LANG, None), href=p.path, id={"type": "nav-link", "page": p.key},
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
                dbc.Switch(id="presenter-switch", label=t("nav.presenter", DEFAULT_LANG), value=False,
                           className="presenter-switch text-light mb-0 ms-lg-3"),
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


def shell(pages: list[Any], synthetic: bool, story: list[dict[str, str]] | None = None) -> html.Div:
    """The app layout. Page content is filled by the router callback from the URL. `story` is the
    presenter's list of saved views ({title_es, title_en, url})."""
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="story-data", data=list(story or [])),
            dcc.Store(id="story-step", data=None),
            html.A(id="skip-link", href="#page-content", className="skip-link"),
            html.Header([
                navbar(pages),
                html.Div(id="synthetic-banner", className="synthetic-banner" if synthetic else "d-none", role="note"),
            ]),
            html.Main(id="page-content", tabIndex="-1"),
            html.Footer(id="footer", className="atalaya-footer"),
            story_bar(),
        ],
        id="root",
    )


def banner_content(lang: str, lang_qs: str, meta: Any = None) -> list[Any]:
    return [
        html.Strong("⚠ "),
        tl("banner.synthetic", lang, meta),
        " ",
        dcc.Link(t("banner.synthetic_more", lang), href="/about" + lang_qs, className="alert-link"),
    ]


def story_bar() -> html.Nav:
    """The presenter's bar (shown only in presenter mode): previous/next saved view, "n / N" and the
    view's title, and a button to leave presenter mode. Arrow keys, PageUp/PageDown (clickers) and
    Escape drive it (assets/40_presenter.js)."""
    def btn(id_: str, text: str, label: str) -> html.Button:
        return html.Button(text, id=id_, n_clicks=0, type="button", className="btn btn-outline-light story-btn",
                           title=label, **{"aria-label": label})

    return html.Nav(
        [
            btn("story-prev", "◀", "Vista anterior / Previous view"),
            html.Span(id="story-pos", className="story-pos", **{"aria-live": "polite"}),
            html.Span(id="story-title", className="story-title"),
            btn("story-next", "▶", "Vista siguiente / Next view"),
            btn("story-exit", "✕", "Salir del modo presentación / Leave presenter mode"),
        ],
        id="story-bar",
        className="story-bar",
        **{"aria-label": "Presentación / Presentation"},
    )
