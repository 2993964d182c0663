"""Interface strings in Spanish (default) and English.

Each page module registers its own strings with `register({...})` at import time, so pages do not
edit one shared dictionary. Keys are dotted ("nav.map", "map.legend.no_data").
"""

from __future__ import annotations

from typing import Any

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


def population_group(base: str, lang: str) -> str:
    """The words for the population a rate is per ('mujeres', 'habitantes', ...), shared by every
    page; a group the interface has no words for is named by its id."""
    key = f"group.{base}"
    return t(key, lang) if key in _STRINGS else str(base)


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
        "nav.profile": ("{Adm2}", "{Adm2}"),
        "nav.about": ("Datos y fuentes", "About the data"),
        "nav.language": ("Idioma", "Language"),
        "nav.presenter": ("Modo presentación", "Presenter mode"),
        "banner.synthetic": (
            "Datos de demostración: los valores por {adm2} y por {adm1} son sintéticos, "
            "no son estadísticas oficiales.",
            "Demo data: the values by {adm2} and by {adm1} are synthetic, not official statistics.",
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
        # the population a rate is per (rates.rate_denominator's groups), for every page
        "group.total": ("habitantes", "inhabitants"),
        "group.female": ("mujeres", "women"),
        "group.male": ("hombres", "men"),
        "group.female_10_19": ("mujeres de 10 a 19 años", "women aged 10–19"),
    }
)


# ---- what the dataset calls its levels ----------------------------------------------------------------
def level_words(meta: Any, lang: str) -> dict[str, str]:
    """Format fields naming the dataset's levels (datapackage `level_labels`, default Departamento/
    Municipio), for strings such as "Buscar {un_adm2} o {un_adm1}":

    Adm1, Adm1s, Adm2, Adm2s   as written in the dataset ('Estado', 'Estados')
    adm1, adm1s, adm2, adm2s   inside a sentence ('estado', 'estados')
    un_adm1, el_adm1, del_adm1, los_adm1s (and adm2): with the article that agrees with the noun
                               ('una provincia', 'de la provincia'; English 'a state', 'of the state')
    Art_pl_adm1, Art_pl_adm2   the plural article alone, capitalised ('Los'/'Las'; 'The')
    o_adm1, o_adm2             the adjective ending that agrees ('o'/'a'; '' in English)
    abbr1, abbr2               short form after a name ('depto.', 'estado')
    """
    from analytics.dataset import DEFAULT_LEVEL_LABELS, lower_first

    lang = norm_lang(lang)
    out: dict[str, str] = {}
    for level in (1, 2):
        term = meta.level_term(level, lang) if meta is not None else DEFAULT_LEVEL_LABELS[level][lang]
        sing, plur = term.singular, term.plural
        low, lows = lower_first(sing), lower_first(plur)
        k = f"adm{level}"
        out[f"Adm{level}"] = sing
        out[f"Adm{level}s"] = plur
        out[k] = low
        out[f"{k}s"] = lows
        out[f"abbr{level}"] = term.abbr or low
        out[f"Abbr{level}"] = (term.abbr or low)[:1].upper() + (term.abbr or low)[1:]
        if lang == "es":
            fem = term.gender == "f"
            out[f"un_{k}"] = ("una " if fem else "un ") + low
            out[f"el_{k}"] = ("la " if fem else "el ") + low
            out[f"del_{k}"] = ("de la " if fem else "del ") + low
            out[f"los_{k}s"] = ("las " if fem else "los ") + lows
            out[f"Art_pl_{k}"] = "Las" if fem else "Los"
            out[f"o_{k}"] = "a" if fem else "o"
        else:
            out[f"un_{k}"] = ("an " if low[:1].lower() in "aeiou" else "a ") + low
            out[f"el_{k}"] = "the " + low
            out[f"del_{k}"] = "of the " + low
            out[f"los_{k}s"] = "the " + lows
            out[f"Art_pl_{k}"] = "The"
            out[f"o_{k}"] = ""
    return out


def tl(key: str, lang: str, meta: Any, **fmt: object) -> str:
    """`t` with the dataset's level names available as format fields (see `level_words`); `meta` is a
    DatasetMeta (or a Dataset, whose `.meta` is used), or None for the default names."""
    meta = getattr(meta, "meta", meta)
    return t(key, lang, **{**level_words(meta, lang), **fmt})
