"""Server-side exports: a figure as a presentation PNG, tables as CSV (BOM) and Excel, as shown."""

from __future__ import annotations

import io
import struct

import pandas as pd

from components.exports import PNG_MAGIC, figure_image, figure_png, slug, table_csv, table_excel
from components.figures import frame


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    return struct.unpack(">II", data[16:24])


def test_figure_png_is_presentation_size_with_title_and_source():
    fig = {"data": [{"type": "bar", "x": ["Mixco", "Villa Nueva"], "y": [12.5, 30.1]}], "layout": {"height": 300}}
    png = figure_png(fig, title="Tasa de homicidios", source="Fuente: PNC · Periodo: 2024", lang="es")
    assert png_size(png) == (3200, 1800)
    assert fig["layout"] == {"height": 300}  # the caller's figure is not modified
    small = figure_png({"data": [], "layout": {}}, "t", "s", width=400, height=300, scale=1)
    assert png_size(small) == (400, 300)
    # the title and the source are drawn in the image itself (checked on the SVG rendering)
    svg = figure_image(frame(dict(fig), "Tasa de homicidios", "Fuente: PNC · Periodo: 2024", "es"), "svg").decode()
    assert "Tasa de homicidios" in svg and "Fuente: PNC · Periodo: 2024" in svg


def test_csv_has_bom_accents_and_missing_as_empty():
    df = pd.DataFrame({"Municipio": ["Santa Lucía Milpas Altas", "Mixco"], "Tasa": [8.7, float("nan")]})
    data = table_csv(df)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["Municipio,Tasa", "Santa Lucía Milpas Altas,8.7", "Mixco,"]


def test_excel_holds_the_table_and_the_notes():
    df = pd.DataFrame({"Municipio": ["Sacatepéquez"], "Tasa": [1.5]})
    data = table_excel(df, "perfil", notes=["Fuente: X", "DATOS SINTÉTICOS"], notes_title="Notas")
    back = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(back) == ["perfil", "Notas"]
    assert back["perfil"].to_dict("list") == {"Municipio": ["Sacatepéquez"], "Tasa": [1.5]}
    assert back["Notas"]["Notas"].tolist() == ["Fuente: X", "DATOS SINTÉTICOS"]


def test_slug():
    assert slug("Santa Lucía Milpas Altas") == "santa-lucia-milpas-altas"
    assert slug("¿?") == "atalaya"
