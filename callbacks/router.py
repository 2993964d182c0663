"""Routing: the URL path picks the page; the query string carries the page state and the language.

The router listens to the path and the language switch only, not to the query string: pages write
their state into the query (`url.search`) without re-rendering themselves.
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx as dash_ctx, html, no_update

from callbacks.context import AppContext
from callbacks.pages import Page
from components import placeholder
from components.i18n import norm_lang, t, tl
from components.shell import banner_content
from components.urlstate import encode_search, parse_search


def page_for_path(pages: list[Page], pathname: str | None) -> Page | None:
    path = (pathname or "/").rstrip("/") or "/"
    if path == "/":
        return pages[0]
    for p in pages:
        if p.path == path:
            return p
    return None


def shell_query(lang: str, params: dict[str, str]) -> str:
    """Query string that nav links carry so language and presenter mode survive navigation."""
    keep = {"lang": "en" if lang == "en" else None, "present": params.get("present")}
    return encode_search(keep)


def render(ctx: AppContext, pages: list[Page], pathname: str | None, switch_lang: str | None,
           search: str | None, lang_switched: bool) -> tuple[Any, ...]:
    """Everything the router outputs, as a plain function that tests call directly."""
    params = parse_search(search)
    lang = norm_lang(switch_lang if lang_switched else params.get("lang"))
    new_search: Any = no_update
    if lang_switched:
        params = {k: v for k, v in params.items() if k != "lang"}
        if lang == "en":
            params["lang"] = "en"
        new_search = encode_search(params)
    page = page_for_path(pages, pathname)
    content = page.layout(ctx, params, lang) if page else placeholder.not_found(pathname or "/", lang)
    qs = shell_query(lang, params)
    hrefs = [p.path + qs for p in pages]
    labels = [tl(p.nav_key, lang, ctx.dataset) for p in pages]
    classes = ["nav-link active" if page is not None and p.key == page.key else "nav-link" for p in pages]
    banner = banner_content(lang, qs, ctx.dataset.meta) if ctx.dataset.meta.synthetic else []
    root_class = "presenter" if params.get("present") in ("1", "true") else ""
    footer = html.Div(t("footer.text", lang), className="container-fluid")
    return (content, hrefs, labels, classes, lang, banner, footer, root_class, new_search,
            t("app.tagline", lang), t("nav.language", lang), "Saltar al contenido" if lang == "es" else "Skip to content")


def register(app: Dash, ctx: AppContext, pages: list[Page]) -> None:
    @app.callback(
        Output("page-content", "children"),
        Output({"type": "nav-link", "page": ALL}, "href"),
        Output({"type": "nav-link", "page": ALL}, "children"),
        Output({"type": "nav-link", "page": ALL}, "className"),
        Output("lang-switch", "value"),
        Output("synthetic-banner", "children"),
        Output("footer", "children"),
        Output("root", "className"),
        Output("url", "search", allow_duplicate=True),
        Output("brand-tagline", "children"),
        Output("lang-label", "children"),
        Output("skip-link", "children"),
        Input("url", "pathname"),
        Input("lang-switch", "value"),
        Input("story-step", "data"),  # a presenter's step may change only the query: re-render then too
        State("url", "search"),
        prevent_initial_call="initial_duplicate",
    )
    def route(pathname: str | None, switch_lang: str | None, _step: Any, search: str | None) -> tuple[Any, ...]:
        switched = dash_ctx.triggered_id == "lang-switch" and switch_lang is not None
        return render(ctx, pages, pathname, switch_lang, search, switched)

    # The document language follows the page language (screen readers, hyphenation).
    app.clientside_callback(
        "function(lang) { document.documentElement.lang = lang || 'es'; return window.dash_clientside.no_update; }",
        Output("lang-label", "title"),
        Input("lang-switch", "value"),
    )
