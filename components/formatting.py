"""Numbers, periods and the plotly locale, formatted for Spanish or English with Babel.

Spanish uses the Latin-American convention (`es_419`: 12,345.6), which is the one used in
Guatemala and Mexico; the dataset may override it with its `locale` field.
"""

from __future__ import annotations

import math
import re
from typing import Iterable

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent, get_group_symbol

import datetime as _dt

_LOCALE = {"es": "es_419", "en": "en_US"}


def set_spanish_locale(locale: str) -> None:
    """Use another Babel locale for Spanish numbers (from datapackage.json `locale`)."""
    _LOCALE["es"] = locale


def babel_locale(lang: str) -> str:
    return _LOCALE.get(lang, _LOCALE["es"])


def is_missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_number(x: float | int | None, lang: str, decimals: int = 0, missing: str | None = None) -> str:
    """A number with grouping and a fixed number of decimals; missing -> "sin datos"/"no data"."""
    if is_missing(x):
        return missing if missing is not None else ("sin datos" if lang == "es" else "no data")
    fmt = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(x, format=fmt, locale=babel_locale(lang))


def fmt_integers(values: Iterable[float], lang: str, missing: str = "") -> list[str]:
    """Whole numbers (e.g. counts of events) with the locale's grouping, as `fmt_number(x, lang)`
    writes them, for thousands of values at once (Babel per value costs ~20 µs); missing -> `missing`."""
    group = get_group_symbol(babel_locale(lang))
    out = []
    for x in values:
        if is_missing(x):
            out.append(missing)
        else:
            s = f"{int(round(float(x))):,}"
            out.append(s if group == "," else s.replace(",", group))
    return out


def fmt_percent(x: float | None, lang: str, decimals: int = 1) -> str:
    """`x` given in percent units (12.5 means 12.5 %)."""
    if is_missing(x):
        return fmt_number(None, lang)
    fmt = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return format_percent(float(x) / 100.0, format=fmt, locale=babel_locale(lang))


def fmt_signed_percent(x: float | None, lang: str, decimals: int = 1) -> str:
    """A change in percent with its sign (+12.5 %, −3.0 %)."""
    if is_missing(x):
        return fmt_number(None, lang)
    s = fmt_percent(abs(float(x)), lang, decimals)
    return ("+" if x > 0 else "−" if x < 0 else "") + s


_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{2}))?$")


def fmt_period(period: str, lang: str) -> str:
    """'2024' -> '2024'; '2024-Q1' -> '1.er trim. 2024' / 'Q1 2024'; '2024-03' -> 'mar 2024' / 'Mar 2024'."""
    m = _PERIOD.match(str(period))
    if not m:
        return str(period)
    year, rest = m.group(1), m.group(2)
    if rest is None:
        return year
    if rest.startswith("Q"):
        q = rest[1]
        return f"T{q} {year}" if lang == "es" else f"Q{q} {year}"
    d = _dt.date(int(year), int(rest), 1)
    return format_date(d, "MMM y", locale=babel_locale(lang)).replace(".", "")


def fmt_period_range(first: str, last: str, lang: str) -> str:
    """'ene 2015 – dic 2024'."""
    a, b = fmt_period(first, lang), fmt_period(last, lang)
    return a if a == b else f"{a} – {b}"


def fmt_date(d: _dt.date, lang: str) -> str:
    return format_date(d, "d MMM y", locale=babel_locale(lang))


def plotly_locale(lang: str) -> tuple[str, dict]:
    """(locale name, locales dict) for dcc.Graph config: mode bar and date ticks in the language.

    The published plotly Spanish locale uses ',' as decimal separator, which is wrong for Latin
    America, so the Spanish locale is defined here.
    """
    if lang != "es":
        return "en", {}
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
              "octubre", "noviembre", "diciembre"]
    spanish = {
        "dictionary": {
            "Autoscale": "Escala automática",
            "Box Select": "Seleccionar con caja",
            "Download plot as a png": "Descargar imagen (PNG)",
            "Download plot as a PNG": "Descargar imagen (PNG)",
            "Download plot": "Descargar imagen",
            "Lasso Select": "Seleccionar con lazo",
            "Pan": "Desplazar",
            "Reset axes": "Restablecer ejes",
            "Reset view": "Restablecer vista",
            "Reset": "Restablecer",
            "Toggle Spike Lines": "Mostrar/ocultar guías",
            "Zoom": "Zoom",
            "Zoom in": "Acercar",
            "Zoom out": "Alejar",
            "Show closest data on hover": "Mostrar el dato más cercano",
            "Compare data on hover": "Comparar datos al pasar el cursor",
            "Double-click to zoom back out": "Doble clic para alejar",
            "Taking snapshot - this may take a few seconds": "Generando la imagen; puede tardar unos segundos",
            "Snapshot succeeded": "Imagen generada",
        },
        "format": {
            "days": ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
            "shortDays": ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
            "months": months,
            "shortMonths": [m[:3] for m in months],
            "date": "%d/%m/%Y",
            "decimal": ".",
            "thousands": ",",
        },
    }
    return "es-419", {"es-419": spanish}
