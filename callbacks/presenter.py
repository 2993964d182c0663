"""Presenter mode: the navbar switch and the `present=1` URL flag turn any page into a projector view
(assets/30_presenter.css hides every `.controls-panel`, enlarges type and figures), and a story of saved
views (dataset story.json) is stepped through with the arrow keys (assets/40_presenter.js).

All of it runs in the browser (clientside callbacks): nothing here needs the server.
"""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State

from callbacks.context import AppContext

# The shared JS helpers (window.atalayaPresenter) are in assets/40_presenter.js.




def register(app: Dash, ctx: AppContext) -> None:
    # The switch turns presenter mode on/off: class on #root, `present=1` in the URL and in the nav links.
    app.clientside_callback(
        """
        function(on, search, hrefs) {
          var P = window.atalayaPresenter, nu = window.dash_clientside.no_update;
          on = !!on;
          if (P.isOn(search) === on) { return [nu, nu, nu]; }
          return [P.withFlag(search, on), on ? 'presenter' : '', (hrefs || []).map(function(h) { return P.hrefWithFlag(h, on); })];
        }
        """,
        Output("url", "search", allow_duplicate=True),
        Output("root", "className", allow_duplicate=True),
        Output({"type": "nav-link", "page": ALL}, "href", allow_duplicate=True),
        Input("presenter-switch", "value"),
        State("url", "search"),
        State({"type": "nav-link", "page": ALL}, "href"),
        prevent_initial_call=True,
    )

    # The switch follows the URL (a shared link with present=1 opens in presenter mode).
    app.clientside_callback(
        """
        function(search, current) {
          var on = window.atalayaPresenter.isOn(search);
          return on === !!current ? window.dash_clientside.no_update : on;
        }
        """,
        Output("presenter-switch", "value"),
        Input("url", "search"),
        State("presenter-switch", "value"),
    )

    # The exit button (and Escape) leave presenter mode.
    app.clientside_callback(
        "function(n) { return n ? false : window.dash_clientside.no_update; }",
        Output("presenter-switch", "value", allow_duplicate=True),
        Input("story-exit", "n_clicks"),
        prevent_initial_call=True,
    )

    # Previous / next view of the story: a new path and query; story-step makes the router re-render
    # even when only the query changes.
    app.clientside_callback(
        """
        function(prev, next, story, step, pathname, search, lang) {
          var P = window.atalayaPresenter, nu = window.dash_clientside.no_update;
          var trig = (window.dash_clientside.callback_context.triggered || [])[0];
          if (!story || !story.length || !trig || !trig.value) { return [nu, nu, nu, nu]; }
          var i = P.position(story, step, pathname, search);
          var forward = trig.prop_id.indexOf('story-next') === 0;
          var j = i < 0 ? 0 : (forward ? Math.min(i + 1, story.length - 1) : Math.max(i - 1, 0));
          if (j === i) { return [nu, nu, nu, nu]; }
          var u = story[j].url, q = u.indexOf('?');
          var path = q < 0 ? u : u.slice(0, q);
          var p = P.params(q < 0 ? '' : u.slice(q));
          if (lang === 'en') { p.set('lang', 'en'); }
          p.set('present', '1');
          var qs = '?' + p.toString().replace(/%2C/g, ',');
          return [path, qs, window.location.origin + path + qs, j];
        }
        """,
        Output("url", "pathname"),
        Output("url", "search", allow_duplicate=True),
        Output("url", "href"),
        Output("story-step", "data"),
        Input("story-prev", "n_clicks"),
        Input("story-next", "n_clicks"),
        State("story-data", "data"),
        State("story-step", "data"),
        State("url", "pathname"),
        State("url", "search"),
        State("lang-switch", "value"),
        prevent_initial_call=True,
    )

    # "n / N" and the title of the view on screen.
    app.clientside_callback(
        """
        function(pathname, search, step, lang, story) {
          var n = (story || []).length;
          if (!n) { return ['', '']; }
          var i = window.atalayaPresenter.position(story, step, pathname, search);
          if (i < 0) { return ['– / ' + n, lang === 'en' ? 'Press → to start the story' : 'Pulse → para iniciar el recorrido']; }
          var item = story[i];
          return [(i + 1) + ' / ' + n, (lang === 'en' ? item.title_en : item.title_es) || item.title_es || ''];
        }
        """,
        Output("story-pos", "children"),
        Output("story-title", "children"),
        Input("url", "pathname"),
        Input("url", "search"),
        Input("story-step", "data"),
        Input("lang-switch", "value"),
        State("story-data", "data"),
    )

    # The switch's label in the page language.
    app.clientside_callback(
        "function(lang) { return lang === 'en' ? 'Presenter mode' : 'Modo presentación'; }",
        Output("presenter-switch", "label"),
        Input("lang-switch", "value"),
    )
