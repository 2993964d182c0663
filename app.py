"""Atalaya: the Dash application and the `atalaya` command line.

    create_app(dataset_dir=None) -> Dash     the app on a prepared dataset (default: the bundled demo)
    server                                   WSGI entry for gunicorn/waitress (`app:server`), dataset from
                                             the ATALAYA_DATA environment variable
    main()                                   `atalaya serve | validate | prepare`
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash
from flask import Response, abort, request

HERE = Path(__file__).resolve().parent
DEMO_DIR = HERE / "data" / "demo"
ASSETS_DIR = HERE / "assets"


def create_app(dataset_dir: str | os.PathLike[str] | None = None) -> Dash:
    """Load and validate the dataset once, then build the app. Raises DatasetError when invalid."""
    from analytics.loader import load_dataset
    from callbacks import presenter, router
    from callbacks.context import AppContext, make_cache
    from callbacks.pages import all_pages
    from components.formatting import set_spanish_locale
    from components.shell import shell

    dataset = load_dataset(Path(dataset_dir) if dataset_dir else DEMO_DIR)
    if dataset.meta.locale:
        set_spanish_locale(dataset.meta.locale)

    app = Dash(
        __name__,
        title="Atalaya",
        assets_folder=str(ASSETS_DIR),
        external_stylesheets=[],  # Bootstrap is vendored in assets/vendor (no CDN)
        suppress_callback_exceptions=True,
        compress=True,
        serve_locally=True,
        update_title=None,
    )
    # Dash wraps its scripts in a <footer>: a second "contentinfo" landmark next to ours (axe) -> a <div>.
    app.index_string = (app.index_string.replace("<html>", '<html lang="es">')
                        .replace("<footer>", '<div class="dash-scripts">').replace("</footer>", "</div>"))
    cache = make_cache(app.server)
    ctx = AppContext(dataset=dataset, cache=cache)
    pages = all_pages()
    app.layout = shell(pages, synthetic=dataset.meta.synthetic, story=dataset.story)
    router.register(app, ctx, pages)
    presenter.register(app, ctx)
    for page in pages:
        if page.register is not None:
            page.register(app, ctx)
    _serve_boundaries(app, ctx)
    app.server.config["ATALAYA_CONTEXT"] = ctx
    return app


def _serve_boundaries(app: Dash, ctx: Any) -> None:
    """Serve each level's GeoJSON once per browser: gzipped in advance, cached for a year (the URL
    carries the dataset fingerprint, so new data get a new URL). Each feature gets the name the
    map's hover shows ('San Andrés, Petén') as `properties.atalaya_label`, so figures refer to it
    (`%{properties.atalaya_label}`) instead of carrying 2,500 names and re-sending those of the
    territories without data on every filter change."""
    blobs: dict[int, tuple[bytes, bytes, str]] = {}
    for level, path in ctx.dataset.boundary_files.items():
        raw = labelled_boundaries(Path(path).read_bytes(), ctx.dataset, level)
        blobs[level] = (raw, gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()[:16])

    @app.server.route("/geo/<fingerprint>/admin<int:level>.json")
    def boundaries(fingerprint: str, level: int) -> Response:
        if level not in blobs:
            abort(404)
        raw, packed, etag = blobs[level]
        if request.if_none_match and etag in request.if_none_match:
            return Response(status=304)
        gz = "gzip" in request.headers.get("Accept-Encoding", "")
        resp = Response(packed if gz else raw, mimetype="application/json")
        if gz:
            resp.headers["Content-Encoding"] = "gzip"
        resp.headers["Vary"] = "Accept-Encoding"
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        resp.set_etag(etag)
        return resp


HOVER_LABEL = "atalaya_label"  # the feature property holding the name a map's hover shows


def labelled_boundaries(raw: bytes, dataset: Any, level: int) -> bytes:
    """A level's GeoJSON with `properties.atalaya_label` on each feature: the territory's name, and
    for municipalities its department ('Flores, Petén'), from the dataset's territories table."""
    import json

    gj = json.loads(raw)
    names = dataset.territories["name"].astype(str)
    parents = dataset.territories["parent_id"]
    for feat in gj.get("features", []):
        props = feat.get("properties") or {}
        tid = str(feat.get("id", props.get("territory_id")))
        if tid not in names.index:
            continue
        label = names[tid]
        parent = str(parents.get(tid, ""))
        if level == 2 and parent in names.index:
            label = f"{label}, {names[parent]}"
        feat["properties"] = {**props, HOVER_LABEL: label}
    return json.dumps(gj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def __getattr__(name: str) -> Any:
    # `server` is built on first access so that importing this module stays cheap.
    if name == "server":
        srv = create_app(os.environ.get("ATALAYA_DATA") or None).server
        globals()["server"] = srv
        return srv
    raise AttributeError(name)


def _serve(args: argparse.Namespace) -> int:
    from analytics.loader import DatasetError

    try:
        app = create_app(args.data)
    except DatasetError as err:
        print(f"atalaya: cannot serve {args.data}: the dataset is not valid.", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        print(f"{len(err.problems)} problem(s). Fix them and run `atalaya validate {args.data}`.", file=sys.stderr)
        return 2
    print(f"Atalaya on http://{args.host}:{args.port}/  (data: {args.data or DEMO_DIR})")
    app.run(host=args.host, port=args.port, debug=False)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from analytics.cli_validate import run_validate

    return run_validate(Path(args.dir))


def _prepare(args: argparse.Namespace, rest: list[str]) -> int:
    try:
        from analytics.prepare import cli as prepare_cli
    except ImportError:
        print("atalaya prepare is not available in this version.", file=sys.stderr)
        return 2
    return int(prepare_cli(rest))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="atalaya", description="Citizen-security dashboard")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve the dashboard (default: the bundled demo)")
    serve.add_argument("--data", default=None, help="prepared dataset folder (default: bundled demo)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)
    validate = sub.add_parser("validate", help="check a prepared dataset; exit 0 valid, 2 invalid")
    validate.add_argument("dir")
    sub.add_parser("prepare", help="turn official files into a prepared dataset (see docs/importing.md)",
                   add_help=False)
    if argv and argv[0] == "prepare":
        return _prepare(argparse.Namespace(), argv[1:])
    args = parser.parse_args(argv or ["serve"])
    if args.command == "validate":
        return _validate(args)
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
