"""Server-side exports that any page can reuse: a figure dict as a presentation-size PNG (with its
title and source drawn in the image), a table as CSV (UTF-8 with BOM, so Excel opens accents) or as an
Excel workbook, exactly as shown, and the buttons + dcc.Download that serve them.

Charts are rendered by kaleido 1.5 with the system Chromium. Kaleido starts a browser per call
(~6 s); here one persistent kaleido server is started on first use and then each image takes ~0.6 s.
No network is used (plotly.js comes from the plotly package).
"""

from __future__ import annotations

import atexit
import copy
import io
import threading
import warnings
from typing import Any, Iterable

import pandas as pd
from dash import dcc, html

from components.figures import frame
from components.i18n import register, t

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

register(
    {
        "export.png": ("Imagen (PNG)", "Image (PNG)"),
        "export.csv": ("Datos (CSV)", "Data (CSV)"),
        "export.xlsx": ("Datos (Excel)", "Data (Excel)"),
        "export.pdf": ("Ficha (PDF)", "Brief (PDF)"),
        "export.group": ("Descargas", "Downloads"),
        "export.png.aria": ("Descargar el gráfico como imagen PNG", "Download the chart as a PNG image"),
        "export.csv.aria": ("Descargar la tabla como CSV", "Download the table as CSV"),
        "export.xlsx.aria": ("Descargar la tabla como Excel", "Download the table as Excel"),
        "export.pdf.aria": ("Descargar la ficha de una página en PDF", "Download the one-page brief as PDF"),
        "export.notes": ("Notas", "Notes"),
    }
)

_lock = threading.Lock()
_server_started = False


def _ensure_kaleido_server() -> None:
    """Start kaleido's persistent browser once per process (later images take ~0.6 s, not ~6 s)."""
    global _server_started
    if _server_started:
        return
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    atexit.register(_stop_kaleido_server)
    _server_started = True


def _stop_kaleido_server() -> None:
    import kaleido

    try:
        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:  # noqa: BLE001 - best effort at interpreter exit
        pass


def figure_image(fig: dict[str, Any], fmt: str = "png", width: int = 1600, height: int = 900,
                 scale: float = 2) -> bytes:
    """Render a figure dict to image bytes (png, svg, jpeg or pdf) with kaleido. The default size is
    the presentation size of the mode bar export: 1600×900 at scale 2 (3200×1800 pixels)."""
    import plotly.io as pio

    with _lock:
        _ensure_kaleido_server()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "kopts ignored when using a server"
            return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)


def figure_png(fig: dict[str, Any], title: str | None = None, source: str | None = None, lang: str = "es",
               width: int = 1600, height: int = 900, scale: float = 2) -> bytes:
    """A PNG of a figure with its title and source line drawn in the image. When `title`/`source` are
    given, they are set with the figure convention (components.figures.frame) on a copy; otherwise the
    figure must already carry them."""
    fig = copy.deepcopy(fig)
    if title is not None and source is not None:
        fig = frame(fig, title, source, lang)
    layout = fig.setdefault("layout", {})
    layout.pop("height", None)
    layout.pop("width", None)
    layout["autosize"] = False
    return figure_image(fig, "png", width, height, scale)


def table_csv(df: pd.DataFrame) -> bytes:
    """The table as CSV bytes: UTF-8 with a byte-order mark (Excel then reads accents correctly),
    comma separated, '.' decimals, the column headers as shown, no index. Missing values stay empty."""
    return df.to_csv(index=False).encode("utf-8-sig")


def table_excel(df: pd.DataFrame, sheet_name: str = "datos", notes: Iterable[str] = (),
                notes_title: str = "Notas") -> bytes:
    """The table as an .xlsx workbook: the table on the first sheet (headers as shown, widths fitted)
    and, when given, notes (source, period, synthetic-data notice) one per row on a second sheet."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        df.to_excel(writer, sheet_name=sheet_name[:31], index=False)
        ws = writer.sheets[sheet_name[:31]]
        for i, col in enumerate(df.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in df[col].head(500)]) + 2
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(width, 60)
        notes = list(notes)
        if notes:
            pd.DataFrame({notes_title: notes}).to_excel(writer, sheet_name=notes_title[:31], index=False)
            writer.sheets[notes_title[:31]].column_dimensions["A"].width = 120
    return buf.getvalue()


def send(content: bytes, filename: str) -> dict[str, Any]:
    """The value for a dcc.Download `data` prop."""
    return dcc.send_bytes(content, filename)


def slug(text: str) -> str:
    """A file-name-safe, accent-free version of a name: 'Santa Lucía Milpas Altas' -> 'santa-lucia-milpas-altas'."""
    import re
    import unicodedata

    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "atalaya"


def export_buttons(prefix: str, lang: str, kinds: Iterable[str] = ("png", "csv", "xlsx")) -> html.Div:
    """A group of download buttons with ids `{prefix}-export-{kind}` and one dcc.Download
    `{prefix}-download`. The page registers the callbacks that fill the download."""
    buttons = [
        html.Button(
            t(f"export.{kind}", lang),
            id=f"{prefix}-export-{kind}",
            n_clicks=0,
            type="button",
            className="btn btn-outline-primary btn-sm export-btn",
            title=t(f"export.{kind}.aria", lang),
        )
        for kind in kinds
    ]
    return html.Div(
        [*buttons, dcc.Download(id=f"{prefix}-download")],
        className="btn-group export-buttons flex-wrap",
        role="group",
        **{"aria-label": t("export.group", lang)},
    )
