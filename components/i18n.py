"""Interface strings in Spanish (default) and English.

Each page module registers its own strings with `register({...})` at import time, so pages do not
edit one shared dictionary. Keys are dotted ("nav.map", "map.legend.no_data").
"""

from __future__ import annotations

LANGS = ("es", "en")
DEFAULT_LANG = "es"

_STRINGS: dict[str, dict[str, str]] = {}


def register(strings: dict[str, dict[str, str] | tuple[str, str]]) -> None:
    """Add strings. Values are {"es": ..., "en": ...} or a (es, en) tuple."""
    for key, val in strings.items():
        if isinstance(val, tuple):
            val = {"es": val[0], "en": val[1]}
        if set(val) != set(LANGS):
            raise ValueError(f"string {key!r} must have exactly {LANGS}, got {sorted(val)}")
        _STRINGS[key] = val


def t(key: str, lang: str, **fmt: object) -> str:
    """The string for `key` in `lang`, with `str.format` fields filled from `fmt`."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    s = _STRINGS[key][lang]
    return s.format(**fmt) if fmt else s


def norm_lang(lang: str | None) -> str:
    """A supported language code; anything else falls back to Spanish."""
    return lang if lang in LANGS else DEFAULT_LANG


register(
    {
        "app.title": ("Atalaya", "Atalaya"),
        "app.tagline": ("Seguridad ciudadana en datos", "Citizen security in data"),
        "nav.map": ("Mapa", "Map"),
        "nav.trends": ("Tendencias", "Trends"),
        "nav.costs": ("Costos", "Costs"),
        "nav.index": ("Índice VCMN", "VAWG Index"),
        "nav.profile": ("Municipio", "Municipality"),
        "nav.about": ("Datos y fuentes", "About the data"),
        "nav.language": ("Idioma", "Language"),
        "nav.presenter": ("Modo presentación", "Presenter mode"),
        "banner.synthetic": (
            "Datos de demostración: los valores municipales y departamentales son sintéticos, "
            "no son estadísticas oficiales.",
            "Demo data: municipal and departmental values are synthetic, not official statistics.",
        ),
        "banner.synthetic_more": ("Qué es real y qué no", "What is real and what is not"),
        "figure.source": ("Fuente", "Source"),
        "figure.period": ("Periodo", "Period"),
        "figure.synthetic": ("datos sintéticos", "synthetic data"),
        "figure.download_csv": ("Descargar datos (CSV)", "Download data (CSV)"),
        "figure.download_png": ("Exportar imagen (PNG)", "Export image (PNG)"),
        "placeholder.title": ("En construcción", "Under construction"),
        "placeholder.body": (
            "Esta página se está construyendo. Mientras tanto, vea el mapa y los datos.",
            "This page is being built. In the meantime, see the map and the data.",
        ),
        "notfound.title": ("Página no encontrada", "Page not found"),
        "notfound.body": ("La dirección {path} no existe.", "The address {path} does not exist."),
        "footer.text": (
            "Atalaya · tablero de seguridad ciudadana · cada cifra indica su fuente y periodo",
            "Atalaya · citizen-security dashboard · every figure names its source and period",
        ),
        "no_data": ("sin datos", "no data"),
    }
)
