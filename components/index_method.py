"""The methodology panel of the index page, generated from the configuration in use: every step and
parameter in plain Spanish or English (the same facts as docs/index-methodology.md, with the values
currently chosen)."""

from __future__ import annotations

from typing import Any

from dash import html

from analytics import vawg_index as vi
from components.formatting import fmt_number, fmt_percent
from components.i18n import level_words


def _w(x: float, lang: str) -> str:
    return fmt_percent(100 * x, lang, 1 if abs(100 * x - round(100 * x)) > 1e-9 else 0)


def methodology_steps(ds: Any, config: vi.IndexConfig, window: tuple[int, int], result: vi.IndexResult | None,
                      lang: str) -> list[tuple[str, str]]:
    """(step title, text) pairs describing the index as configured now."""
    es = lang != "en"
    w = level_words(ds.meta, "en" if not es else "es")
    adm1, adm2, adm2s = w["adm1"], w["adm2"], w["adm2s"]
    m = config.method
    guatemala = getattr(ds, "main_country", None) == "GTM"  # the only country with an official VAWG index to name
    total = sum(d.weight for d in config.dimensions)
    dims = []
    for d in config.dimensions:
        wsum = sum(i.weight for i in d.indicators)
        inds = ", ".join(
            f"{ds.label(i.indicator_id, lang)} ({_w(i.weight / wsum, lang)}"
            + ("" if i.polarity == 1 else (", polaridad inversa" if es else ", inverse polarity")) + ")"
            for i in d.indicators)
        dims.append(f"{d.label(lang)} {_w(d.weight / total, lang)}: {inds}")
    n_ind = len(config.indicator_ids)
    first, last = window
    steps: list[tuple[str, str]] = []
    if es:
        steps.append(("1. Marco conceptual",
                      f"{n_ind} indicadores en {len(config.dimensions)} dimensiones (amenazas a la vida, la integridad "
                      f"y el patrimonio de las mujeres y factores de riesgo). Peso de cada dimensión y de cada indicador "
                      f"dentro de ella: " + "; ".join(dims) + ". Polaridad: un valor más alto significa más prioridad, "
                      "salvo los indicadores de polaridad inversa."))
        steps.append(("2. Tasas acumuladas",
                      f"Ventana de {m.pooling_years} año(s), {first}–{last}. Para los conteos: suma de casos de la "
                      f"ventana ÷ suma de la población de referencia de los mismos años × 100 000 mujeres (o × 1 000 "
                      f"mujeres de 10–19 años para los nacimientos en adolescentes). Un año con algún mes sin dato no "
                      f"se usa (ni en el numerador ni en el denominador). Los porcentajes son el promedio de los "
                      f"periodos disponibles de la ventana."))
        if m.smoothing == "empirical_bayes":
            steps.append(("3. Suavizado",
                          f"Bayes empírico local (Marshall, 1991, método de momentos): la tasa de cada {adm2} se acerca "
                          f"a la de su {adm1} en proporción a su inestabilidad (poca población ⇒ más "
                          "acercamiento). No se aplica a los porcentajes."))
        else:
            steps.append(("3. Suavizado", "Sin suavizado: se usan las tasas acumuladas tal como son."))
    else:
        steps.append(("1. Framework",
                      f"{n_ind} indicators in {len(config.dimensions)} dimensions (threats to women's life, integrity "
                      f"and property, and risk factors). Weight of each dimension and of each indicator within it: "
                      + "; ".join(dims) + ". Polarity: a higher value means higher priority, except for indicators "
                      "with inverse polarity."))
        steps.append(("2. Pooled rates",
                      f"Window of {m.pooling_years} year(s), {first}–{last}. Counts: cases summed over the window ÷ "
                      f"reference population summed over the same years × 100,000 women (or × 1,000 women aged "
                      f"10–19 for adolescent births). A year with any missing month is not used (neither in the "
                      f"numerator nor in the denominator). Percentages are the mean of the window's available periods."))
        if m.smoothing == "empirical_bayes":
            steps.append(("3. Smoothing",
                          f"Local empirical Bayes (Marshall 1991, method of moments): each {adm2}'s rate is pulled "
                          f"toward its {adm1}'s rate in proportion to its instability (small population ⇒ more "
                          "pull). Percentages are not smoothed."))
        else:
            steps.append(("3. Smoothing", "No smoothing: the pooled rates are used as they are."))
    rep = result.inputs.imputation.report if result is not None else None
    n_missing = int((rep["n_missing"] > 0).sum()) if rep is not None else 0
    n_imputed = int((rep["n_imputed"] > 0).sum()) if rep is not None else 0
    n_excl = int(rep["excluded"].sum()) if rep is not None else 0
    if es:
        rule = (f"se imputa con la mediana de {w['Art_pl_adm2'].lower()} demás {adm2s} de su {adm1} (o la del país "
                f"si nadie más en su {adm1} tiene el dato)" if m.missing == "impute_department_median"
                else f"{w['el_adm2']} se excluye del ranking")
        steps.append(("4. Datos faltantes",
                      f"Si a {w['un_adm2']} le falta un indicador, {rule}. Ahora: {adm2s} con datos faltantes: "
                      f"{n_missing}; con valores imputados: {n_imputed}; fuera del ranking: {n_excl}. Un faltante "
                      "nunca se trata como cero."))
        steps.append(("5. Valores extremos",
                      "Sin recorte de valores extremos." if m.winsor_percentile is None else
                      f"Cada indicador se recorta (winsoriza) en su percentil {fmt_number(m.winsor_percentile, lang)} "
                      f"por el lado de mayor prioridad, para que un valor muy atípico no aplaste la escala."))
        norm = {
            "minmax": "mín–máx: 100 × (x − mín) / (máx − mín)",
            "zscore": "puntaje z llevado a escala T: 50 + 10 × (x − media) / desviación estándar, acotado a 0–100",
            "rank": "percentil del rango: 100 × (rango − 1) / (n − 1), empates con el rango promedio",
        }[m.normalization]
        steps.append(("6. Normalización",
                      f"Cada indicador se lleva a 0–100 con {norm}; siempre, más alto = más prioridad (los "
                      "indicadores de polaridad inversa se invierten antes)."))
        agg = "media aritmética ponderada" if m.aggregation == "arithmetic" else "media geométrica ponderada"
        floor = "" if m.aggregation == "arithmetic" else (
            f" Los puntajes menores que {fmt_number(m.geometric_floor, lang)} cuentan como "
            f"{fmt_number(m.geometric_floor, lang)}, para que un cero no anule el producto.")
        steps.append(("7. Ponderación y agregación",
                      f"Puntaje de cada dimensión = {agg} de sus indicadores; índice = {agg} de las dimensiones, "
                      f"con los pesos indicados en el paso 1 (los deslizadores se reescalan a 100 %).{floor}"))
    else:
        rule = (f"it is imputed with the median of the other {adm2s} of its {adm1} (or of the country when "
                f"the {adm1} has none)" if m.missing == "impute_department_median"
                else f"the {adm2} is excluded from the ranking")
        steps.append(("4. Missing data",
                      f"When {w['un_adm2']} lacks an indicator, {rule}. Now: {adm2s} with missing data: "
                      f"{n_missing}; with imputed values: {n_imputed}; excluded: {n_excl}. Missing is never treated "
                      "as zero."))
        steps.append(("5. Outliers",
                      "No capping of outliers." if m.winsor_percentile is None else
                      f"Each indicator is capped (winsorized) at its {fmt_number(m.winsor_percentile, lang)}th "
                      f"percentile on the higher-priority side, so one extreme value does not squash the scale."))
        norm = {
            "minmax": "min–max: 100 × (x − min) / (max − min)",
            "zscore": "z-score on a T scale: 50 + 10 × (x − mean) / standard deviation, bounded to 0–100",
            "rank": "percentile rank: 100 × (rank − 1) / (n − 1), ties get the average rank",
        }[m.normalization]
        steps.append(("6. Normalization",
                      f"Each indicator is put on 0–100 with {norm}; always, higher = higher priority (indicators "
                      "with inverse polarity are flipped first)."))
        agg = "weighted arithmetic mean" if m.aggregation == "arithmetic" else "weighted geometric mean"
        floor = "" if m.aggregation == "arithmetic" else (
            f" Scores below {fmt_number(m.geometric_floor, lang)} count as {fmt_number(m.geometric_floor, lang)}, "
            "so a zero does not cancel the product.")
        steps.append(("7. Weighting and aggregation",
                      f"Dimension score = {agg} of its indicators; index = {agg} of the dimensions, with the weights "
                      f"of step 1 (the sliders are rescaled to 100%).{floor}"))
    th = result.thresholds if result is not None else None
    cuts = ", ".join(fmt_number(float(x), lang, 1) for x in th) if th is not None else ""
    if es:
        cls = {"quantiles": f"quintiles (cada grupo reúne una quinta parte de {w['los_adm2s']})",
               "natural_breaks": "cortes naturales de Fisher–Jenks (mínima varianza dentro de cada grupo)",
               "fixed": "umbrales fijos"}[m.classification]
        steps.append(("8. Clasificación",
                      f"Cinco grupos — muy alta, alta, media, baja y muy baja prioridad — por {cls}; cortes en uso: "
                      f"{cuts} puntos. Los {m.top_n} primeros del ranking forman la lista a priorizar."))
        steps.append(("9. Incertidumbre y sensibilidad",
                      f"{fmt_number(m.mc_draws, lang)} simulaciones Monte Carlo (semilla {m.mc_seed}, reproducibles). En cada una: pesos "
                      f"sorteados alrededor de los elegidos (Dirichlet, concentración {fmt_number(m.mc_concentration, lang)}), "
                      "normalización al azar entre las tres, agregación aritmética o geométrica, y recorte de extremos "
                      f"sí o no. De cada {adm2} se informa el rango mediano, el intervalo de 90 % (percentiles 5–95) "
                      f"y el porcentaje de simulaciones en el grupo muy alto; con {fmt_percent(100 * vi.ROBUST_SHARE, lang, 0)} "
                      "o más se considera robustamente prioritario."
                      + (" Con cortes naturales, el grupo muy alto de cada simulación es su quinta parte superior "
                         "(calcular los cortes de Jenks mil veces sería demasiado lento)."
                         if m.classification == "natural_breaks" else "")))
        official = ("pero no es el Índice de Priorización Territorial de VCMN oficial (IPTVCM) del Ministerio de "
                    "Gobernación: sus pesos oficiales no son públicos." if guatemala else "pero no es un índice oficial.")
        steps.append(("Advertencia",
                      "Este índice sigue la práctica del Manual OCDE/JRC de indicadores compuestos y de los índices de "
                      "InfoSegura, " + official
                      + (f" Los datos por {adm2} de esta demostración son sintéticos." if ds.meta.synthetic else "")))
    else:
        cls = {"quantiles": f"quintiles (each group holds a fifth of the {adm2s})",
               "natural_breaks": "Fisher–Jenks natural breaks (least variance within each group)",
               "fixed": "fixed thresholds"}[m.classification]
        steps.append(("8. Classification",
                      f"Five groups — very high, high, medium, low and very low priority — by {cls}; cut-offs in use: "
                      f"{cuts} points. The first {m.top_n} of the ranking form the priority list."))
        steps.append(("9. Uncertainty and sensitivity",
                      f"{fmt_number(m.mc_draws, lang)} Monte Carlo simulations (seed {m.mc_seed}, reproducible). In each: weights drawn "
                      f"around the chosen ones (Dirichlet, concentration {fmt_number(m.mc_concentration, lang)}), a random "
                      "normalization among the three, arithmetic or geometric aggregation, and outlier capping on or "
                      f"off. For each {adm2}: the median rank, the 90% interval (5th–95th percentiles) and the "
                      f"share of simulations in the very high group; {fmt_percent(100 * vi.ROBUST_SHARE, lang, 0)} or more "
                      "counts as robustly high priority."
                      + (" With natural breaks, the very high group of each simulation is its top fifth (computing "
                         "Jenks breaks a thousand times would be too slow)." if m.classification == "natural_breaks"
                         else "")))
        official = ("it is not the official Territorial Prioritization Index of VAWG (IPTVCM) of the Ministry of "
                    "Governance: its official weights are not public." if guatemala else "it is not an official index.")
        steps.append(("Caveat",
                      "This index follows the OECD/JRC Handbook on composite indicators and InfoSegura's indices, but "
                      + official
                      + (f" The data by {adm2} in this demo are synthetic." if ds.meta.synthetic else "")))
    return steps


def methodology_panel(ds: Any, config: vi.IndexConfig, window: tuple[int, int], result: vi.IndexResult | None,
                      lang: str) -> list[Any]:
    items = [html.Li([html.Strong(title + ". "), text], className="mb-2")
             for title, text in methodology_steps(ds, config, window, result, lang)]
    doc = "Fórmulas completas: docs/index-methodology.md" if lang != "en" else "Full formulas: docs/index-methodology.md"
    return [html.Ol(items, className="index-method-list", style={"listStyle": "none", "paddingLeft": 0}),
            html.P(doc, className="small text-muted")]
