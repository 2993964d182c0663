"""The page registry: path, menu label and the layout/callback functions of each page.

A page is a `layout(ctx, params, lang)` function in components/ (params: the URL query) and an
optional `register(app, ctx)` function in callbacks/ that adds its callbacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from dash import Dash

from callbacks.context import AppContext
from callbacks import costs as costs_callbacks
from callbacks import index as index_callbacks
from callbacks import map as map_callbacks
from callbacks import profile as profile_callbacks
from callbacks import trends as trends_callbacks
from components import about
from components import costs as costs_layout
from components import index as index_page
from components import map as map_page
from components import profile as profile_page
from components import trends as trends_layout

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
        Page("trends", "/trends", "nav.trends", trends_layout.layout, trends_callbacks.register),
        Page("costs", "/costs", "nav.costs", costs_layout.layout, costs_callbacks.register),
        Page("index", "/index", "nav.index", index_page.layout, index_callbacks.register),
        Page("profile", "/profile", "nav.profile", profile_page.layout, profile_callbacks.register),
        Page("about", "/about", "nav.about", about.layout),
    ]
