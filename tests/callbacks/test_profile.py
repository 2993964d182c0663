"""The profile's callback functions called directly on the bundled demo: the table (shown and
exported say the same), the one-page PDF brief (A4, one page, the figures as the cards print them),
the exports, and an unknown territory."""

from __future__ import annotations

import base64
import io

import pandas as pd
import pytest
from pypdf import PdfReader

from analytics.loader import load_dataset
from app import DEMO_DIR
from callbacks.profile import export_file, profile_data, profile_table, valid_territory
from components.profile import figure_text, value_text


class Ctx:
    def __init__(self, ds) -> None:
        self.dataset = ds


@pytest.fixture(scope="module")
def ds():
    return load_dataset(DEMO_DIR)


def test_table_shown_and_exported_agree(ds):
    data = profile_data(ds, "0309")
    shown = profile_table(ds, data, "es", formatted=True)
    numbers = profile_table(ds, data, "es", formatted=False)
    assert len(shown) == len(numbers) == len(data.key_figures)
    name = "Santa Lucía Milpas Altas"
    for kf, text, num in zip(data.key_figures, shown[name], numbers[name]):
        assert text == value_text(num, kf.unit, "es")  # the CSV number rounds to what is shown
    assert list(numbers.columns[:4]) == ["Indicador", "Unidad", "Periodo", name]
    hom = numbers[numbers["Indicador"] == "Homicidios"].iloc[0]
    assert hom["Casos"] == 2 and hom["Datos"] == "sintéticos"
    # the English table has English headers
    assert list(profile_table(ds, data, "en", formatted=True).columns[:3]) == ["Indicator", "Unit", "Period"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf_brief_is_one_a4_page_with_the_cards_text(ds, lang):
    data = profile_data(ds, "0309")
    out = export_file(Ctx(ds), "pdf", "0309", "homicides", lang, data)
    assert out["filename"] == f"atalaya-santa-lucia-milpas-altas-0309-{lang}.pdf"
    pdf = base64.b64decode(out["content"])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Santa Lucía Milpas Altas" in text
    assert ("Municipio de Sacatepéquez, Guatemala" if lang == "es" else "Municipality in Sacatepéquez, Guatemala") in text
    for kf in data.key_figures:
        ft = figure_text(ds, kf, lang)
        assert ft.value in text and " ".join(ft.change.split()) in text, ft
    assert ("DATOS SINTÉTICOS" if lang == "es" else "SYNTHETIC DATA") in text
    assert ("El índice estará disponible" if lang == "es" else "The index will be available") in text
    assert "Toque de queda" in text or "curfew" in text


def test_csv_and_excel_exports(ds):
    data = profile_data(ds, "03")
    csv = base64.b64decode(export_file(Ctx(ds), "csv", "03", "homicides", "es", data)["content"])
    assert csv.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert "Sacatepéquez" in df.columns and len(df) == len(data.key_figures)
    xlsx = base64.b64decode(export_file(Ctx(ds), "xlsx", "03", "homicides", "en", data)["content"])
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None)
    assert list(sheets) == ["Territory profile", "Notes"]
    assert sheets["Notes"]["Notes"].iloc[0].startswith("Sacatepéquez — Department in Guatemala")
    assert any("Synthetic demo data" in n for n in sheets["Notes"]["Notes"])


def test_unknown_territory_is_refused(ds):
    assert valid_territory(ds, "9999") is None and valid_territory(ds, None) is None
    assert valid_territory(ds, "0309") == "0309"
