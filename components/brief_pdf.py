"""The one-page brief of a territory profile: an A4 PDF (Spanish or English) with the title, the key
figures exactly as the page prints them, two charts (rendered by kaleido), the index position, the
events, the sources and the synthetic-data notice.

fpdf2 writes the PDF with an embedded Unicode TrueType font (DejaVu Sans, Debian's fonts-dejavu-core,
which scripts/setup.sh installs), so accents and signs (á, ñ, −, ▲) print and can be extracted.
"""

from __future__ import annotations

import datetime as _dt
import io
from pathlib import Path
from typing import Any

from fpdf import FPDF

from components import profile as cp
from components.exports import figure_image
from components.formatting import fmt_date
from components.i18n import t

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts/dejavu")]
PAGE_W, MARGIN = 210.0, 12.0
INK = (27, 31, 36)
MUTED = (74, 85, 96)
RGB = {"better": (11, 83, 148), "worse": (179, 64, 10), "same": MUTED, "unclear": MUTED, None: MUTED}


def font_files() -> tuple[Path, Path]:
    """Regular and bold DejaVu Sans; a clear error when the font package is not installed."""
    for d in FONT_DIRS:
        reg, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if reg.exists() and bold.exists():
            return reg, bold
    raise FileNotFoundError(
        "DejaVu Sans not found (looked in " + ", ".join(map(str, FONT_DIRS)) + "): install Debian's "
        "fonts-dejavu-core (scripts/setup.sh --browser does)"
    )


class _Brief(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        reg, bold = font_files()
        self.add_font("DejaVu", "", str(reg))
        self.add_font("DejaVu", "B", str(bold))
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.c_margin = 0.6

    def text_line(self, text: str, size: float, bold: bool = False, colour: tuple[int, int, int] = INK,
                  h: float | None = None, w: float = 0, align: str = "L") -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_text_color(*colour)
        self.cell(w, h or size * 0.45, text, new_x="LMARGIN", new_y="NEXT", align=align)

    def para(self, text: str, size: float, colour: tuple[int, int, int] = INK, w: float = 0,
             bold: bool = False) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(w, size * 0.42, text, new_x="LMARGIN", new_y="NEXT", align="L")


def brief_pdf(ctx: Any, tid: str, indicator_id: str, lang: str, data: Any) -> bytes:
    """The PDF bytes of the one-page brief of territory `tid` (data: callbacks.profile.ProfileData)."""
    from callbacks.profile import index_text, second_figure, trend

    ds = ctx.dataset
    name, subtitle = cp.territory_title(ds, tid, lang)
    pdf = _Brief()
    pdf.set_title(f"Atalaya — {name}")
    pdf.set_author("Atalaya")
    pdf.set_lang("en" if lang == "en" else "es")
    pdf.add_page()
    width = PAGE_W - 2 * MARGIN

    # header
    pdf.set_fill_color(18, 38, 58)
    pdf.rect(0, 0, PAGE_W, 8, style="F")
    pdf.set_xy(MARGIN, 1.8)
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_text_color(255, 255, 255)
    pdf.cell(0, 4.5, "ATALAYA · " + t("app.tagline", lang).upper() + " · " + t("profile.title", lang).upper())
    pdf.set_xy(MARGIN, 11)
    pdf.text_line(name, 20, bold=True, h=9)
    pdf.text_line(subtitle, 10.5, colour=MUTED, h=5.5)
    if ds.meta.synthetic:
        pdf.ln(1)
        pdf.set_fill_color(255, 243, 205)
        pdf.set_draw_color(230, 210, 140)
        pdf.set_font("DejaVu", "B", 8)
        pdf.set_text_color(92, 68, 0)
        pdf.cell(width, 5.5, "⚠ " + t("profile.synthetic_notice", lang), border=1, fill=True,
                 new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    # key figures: a grid of boxes, four per row
    pdf.text_line(t("profile.in_numbers", lang).upper(), 9, bold=True, colour=MUTED, h=5)
    texts = [cp.figure_text(ds, kf, lang) for kf in data.key_figures][:12]
    cols, gap = 4, 2.5
    bw = (width - gap * (cols - 1)) / cols
    bh = 27.0
    y0 = pdf.get_y()
    for i, ft in enumerate(texts):
        x = MARGIN + (i % cols) * (bw + gap)
        y = y0 + (i // cols) * (bh + gap)
        _figure_box(pdf, ft, x, y, bw, bh)
    rows = (len(texts) + cols - 1) // cols
    pdf.set_y(y0 + rows * (bh + gap) + 1)

    # two charts
    tfig, _ = trend(ds, indicator_id, tid, data.events, lang)
    cfig, _, _ = second_figure(ds, data, indicator_id, lang)
    cw = (width - 4) / 2
    ch = cw * 0.8
    y = pdf.get_y()
    for j, fig in enumerate((tfig, cfig)):
        png = figure_image(_compact(fig), "png", width=900, height=720, scale=2)
        pdf.image(io.BytesIO(png), x=MARGIN + j * (cw + 4), y=y, w=cw, h=ch)
    pdf.set_y(y + ch + 2)

    # index position and events
    pdf.text_line(t("profile.index", lang).upper(), 9, bold=True, colour=MUTED, h=5)
    pdf.para(index_text(ctx, tid, lang), 8.5)
    pdf.ln(1.5)
    pdf.text_line(t("profile.events", lang).upper(), 9, bold=True, colour=MUTED, h=5)
    if data.events.empty:
        pdf.para(t("profile.events.none", lang), 8.5)
    for ev in data.events.head(4).itertuples(index=False):
        label = ev.label_en if lang == "en" else ev.label_es
        word = t("profile.events.fictitious", lang)
        fict = f" ({word})" if bool(getattr(ev, "synthetic", False)) and word not in label.lower() else ""
        pdf.para(f"{fmt_date(ev.date.date(), lang)} — {label}{fict}", 8.5)
    pdf.ln(1.5)

    # sources (as much as fits above the footer)
    pdf.text_line(t("profile.sources", lang).upper(), 9, bold=True, colour=MUTED, h=5)
    for sid in sorted({k.source for k in data.key_figures}):
        s = ds.meta.source(sid)
        publisher = s.publisher_for(lang)
        line = s.title_for(lang) + (f" — {publisher}" if publisher else "") + (f" ({s.year})" if s.year else "")
        if pdf.get_y() > 276:
            break
        pdf.para("· " + line, 7, colour=MUTED)

    # footer
    pdf.set_xy(MARGIN, 285)
    today = fmt_date(_dt.date.today(), lang)
    foot = f"{t('footer.text', lang)} · {today}"
    pdf.text_line(foot, 6.5, colour=MUTED, h=4)
    return bytes(pdf.output())


def _figure_box(pdf: _Brief, ft: cp.FigureText, x: float, y: float, w: float, h: float) -> None:
    pdf.set_draw_color(210, 216, 222)
    pdf.set_fill_color(246, 248, 250)
    pdf.rect(x, y, w, h, style="DF")
    pdf.set_xy(x + 1.5, y + 1.2)
    pdf.set_font("DejaVu", "B", 7)
    pdf.set_text_color(*INK)
    pdf.multi_cell(w - 3, 3, ft.label, new_x="LEFT", new_y="NEXT", max_line_height=3, align="L")
    pdf.set_xy(x + 1.5, y + 8)
    pdf.set_font("DejaVu", "B", 15)
    pdf.set_text_color(11, 83, 148)
    pdf.cell(w - 3, 6.5, ft.value, new_x="LEFT", new_y="NEXT")
    pdf.set_x(x + 1.5)
    pdf.set_font("DejaVu", "", 5.8)
    pdf.set_text_color(*MUTED)
    pdf.cell(w - 3, 2.8, ft.unit, new_x="LEFT", new_y="NEXT")
    pdf.set_x(x + 1.5)
    pdf.cell(w - 3, 2.8, ft.period + (f" · {ft.cases}" if ft.cases else ""), new_x="LEFT", new_y="NEXT")
    pdf.set_x(x + 1.5)
    pdf.set_font("DejaVu", "B", 6.3)
    pdf.set_text_color(*RGB.get(ft.direction, MUTED))
    change = (ft.arrow + " " if ft.arrow else "") + ft.change
    pdf.cell(w - 3, 3, change, new_x="LEFT", new_y="NEXT")
    pdf.set_x(x + 1.5)
    pdf.set_font("DejaVu", "", 5.3)
    pdf.set_text_color(*MUTED)
    extra = ft.note or ft.source
    pdf.cell(w - 3, 2.6, extra if len(extra) <= 58 else extra[:56] + "…", new_x="LEFT", new_y="NEXT")


def _compact(fig: dict[str, Any]) -> dict[str, Any]:
    """A copy of a page figure sized for a half-width chart on paper (smaller fonts)."""
    import copy

    f = copy.deepcopy(fig)
    lay = f.setdefault("layout", {})
    lay["font"] = {**lay.get("font", {}), "size": 15}
    if isinstance(lay.get("title"), dict):
        lay["title"]["font"] = {"size": 19}
    for a in lay.get("annotations", []):
        a.setdefault("font", {})["size"] = 13 if a.get("name") == "source" else 12
    return f
