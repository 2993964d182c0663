"""The page registry: path, menu label and the layout/callback functions of each page.

A page is a `layout(ctx, params, lang)` function in components/ (params: the URL query) and an
optional `register(app, ctx)` function in callbacks/ that adds its callbacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from dash import Dash

from callbacks.context import AppContext
from callbacks import map as map_callbacks
from components import about, placeholder
from components import map as map_page

Layout = Callable[[AppContext, dict[str, str], str], Any]
Register = Callable[[Dash, AppContext], None]


@dataclass(frozen=True)
class Page:
    key: str
    path: str
    nav_key: str
    layout: Layout
    register: Register | None = None


def all_pages() -> list[Page]:
    """Pages in menu order. The first one is also served at '/'."""
    return [
        Page("map", "/map", "nav.map", map_page.layout, map_callbacks.register),
        Page("trends", "/trends", "nav.trends", placeholder.layout_for("nav.trends")),
        Page("costs", "/costs", "nav.costs", placeholder.layout_for("nav.costs")),
        Page("index", "/index", "nav.index", placeholder.layout_for("nav.index")),
        Page("profile", "/profile", "nav.profile", placeholder.layout_for("nav.profile")),
        Page("about", "/about", "nav.about", about.layout),
    ]
