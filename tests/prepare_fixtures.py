"""Small raw inputs for `atalaya prepare` tests, made here (no real files), each with a known trap.

`make_raw_inputs(dir) -> Path` writes into `dir`:

- states.zip: a zipped Shapefile of 2 states in EPSG:32616 (UTM 16N), CVE_ENT stored as an integer
  (1, 2: the leading zero is lost), names in NOM_ENT.
- municipios.gpkg: a GeoPackage of 5 municipalities in EPSG:32616, CVEGEO (5 characters) and NOMGEO;
  01002 "Norte" is a bow-tie (self-intersecting, invalid) polygon.

      y (km)
      20 +---------------+-------+-------+
         |   01003       | 02001 | 02002 |
      10 +-------+-------+       |       |
         | 01001 | 01002 |       |       |
       0 +-------+-------+-------+-------+
         0      10      20      30      40  x (km), offset by (500 km, 1 600 km)

- sesnsp.csv: the SESNSP municipal layout, latin-1, codes without their leading zero (1001), with
  modalities to sum, a blank December 2024 (unpublished), a non-numeric cell ('x'), a thousands
  separator ('1,200'), an "Otros Municipios" code (1999), a crime no rule maps (Feminicidio) and a code
  with no boundary (3001).
- poblacion.csv: wide population (one column per year), UTF-8 with a byte-order mark, a dropped leading
  zero (1001), thousands separators, one blank cell (02002, 2024).
- nombres.csv: a names-only table (state and municipality names, no codes), months as names, with an
  accent mismatch ('Cosio' for 'Cosío'), a case mismatch ('AGUAS'/'centro') and a name that matches
  nothing ('Villa Inexistente').
- mapping.yaml: the mapping of all of the above, with its own level names (Estado/State and Alcaldía/Borough,
  a feminine noun in Spanish) and an English source title.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import Polygon, box

X0, Y0 = 500_000.0, 1_600_000.0
KM = 1000.0


def _sq(x1: float, y1: float, x2: float, y2: float) -> Polygon:
    return box(X0 + x1 * KM, Y0 + y1 * KM, X0 + x2 * KM, Y0 + y2 * KM)


def bowtie() -> Polygon:
    """01002: the square [10,20]x[0,10] drawn with two corners swapped (a self-intersecting ring)."""
    pts = [(10, 0), (20, 10), (20, 0), (10, 10), (10, 0)]
    return Polygon([(X0 + x * KM, Y0 + y * KM) for x, y in pts])


MUNICIPIOS = [
    ("01001", "Centro", _sq(0, 0, 10, 10)),
    ("01002", "Norte", bowtie()),
    ("01003", "Cosío", _sq(0, 10, 20, 20)),
    ("02001", "San Andrés", _sq(20, 0, 30, 20)),
    ("02002", "Santa María", _sq(30, 0, 40, 20)),
]
STATES = [(1, "Aguas", _sq(0, 0, 20, 20)), (2, "Baja", _sq(20, 0, 40, 20))]

SESNSP_HEADER = ("Año,Clave_Ent,Entidad,Cve. Municipio,Municipio,Bien jurídico afectado,Tipo de delito,"
                 "Subtipo de delito,Modalidad,Enero,Febrero,Marzo,Abril,Mayo,Junio,Julio,Agosto,Septiembre,"
                 "Octubre,Noviembre,Diciembre")
BJ = "La vida y la Integridad corporal"
SESNSP_ROWS = [
    # row 1..9 (1-based data rows)
    f'2023,1,Aguas,1001,Centro,{BJ},Homicidio,Homicidio doloso,Con arma de fuego,1,0,2,0,0,0,0,0,0,0,0,3',
    f'2023,1,Aguas,1001,Centro,{BJ},Homicidio,Homicidio doloso,Con arma blanca,0,1,0,0,0,0,0,0,0,0,0,1',
    f'2024,1,Aguas,1001,Centro,{BJ},Homicidio,Homicidio doloso,Con arma de fuego,2,0,0,0,0,0,0,0,0,0,0,',
    f'2024,1,Aguas,1001,Centro,{BJ},Homicidio,Homicidio doloso,Con arma blanca,0,0,1,0,0,0,0,0,0,0,0,',
    f'2023,1,Aguas,1002,Norte,{BJ},Homicidio,Homicidio doloso,Con arma de fuego,0,0,0,0,0,0,0,0,0,0,0,x',
    f'2023,1,Aguas,1003,Cosío,{BJ},Homicidio,Homicidio culposo,En accidente de tránsito,"1,200",0,0,0,0,0,0,0,0,0,0,0',
    f'2023,1,Aguas,1999,Otros Municipios,{BJ},Homicidio,Homicidio doloso,Con arma de fuego,5,0,0,0,0,0,0,0,0,0,0,0',
    f'2023,2,Baja,2001,San Andrés,{BJ},Feminicidio,Feminicidio,Con arma de fuego,1,0,0,0,0,0,0,0,0,0,0,0',
    f'2023,3,Tercera,3001,Lejano,{BJ},Homicidio,Homicidio doloso,Con arma de fuego,1,0,0,0,0,0,0,0,0,0,0,0',
]

POBLACION = ("CVE,Municipio,2023,2024\n"
             '1001,Centro,"50,000","51,000"\n'
             '01002,Norte,"20,000","20,500"\n'
             '01003,Cosío,"10,000","10,100"\n'
             '02001,San Andrés,"30,000","30,300"\n'
             '02002,Santa María,"5,000",\n')

NOMBRES = ("Entidad,Municipio,Año,Mes,Feminicidio,Homicidio doloso\n"
           "Aguas,Cosio,2024,Enero,0,2\n"
           "AGUAS,centro,2024,Enero,1,0\n"
           "Baja,San Andres,2024,Enero,1,3\n"
           "Baja,Villa Inexistente,2024,Enero,0,1\n")

MAPPING = """\
dataset:
  name: test-prepare
  title: Prueba de preparación
  title_en: Preparation test
  synthetic: true
  synthetic_note_es: Datos de prueba inventados.
  synthetic_note_en: Invented test data.
  level_labels:
    "1": {es: {singular: Estado, plural: Estados}, en: {singular: State, plural: States}}
    "2": {es: {singular: Alcaldía, plural: Alcaldías, gender: f}, en: {singular: Borough, plural: Boroughs}}
country: {id: TST, name: Testlandia, iso3: TST}
sources:
  - {id: test_sesnsp, title: Tabla de prueba con el formato SESNSP, title_en: Test table in the SESNSP layout, publisher: tests, year: "2026"}
boundaries:
  precision: 5
  admin1:
    path: states.zip
    id: {field: CVE_ENT, pad: 2}
    name: NOM_ENT
  admin2:
    path: municipios.gpkg
    id: CVEGEO
    name: NOMGEO
    parent: {from_id: 2}
    simplify: {tolerance: 0.0001}
indicators:
  homicidio_doloso:
    {domain: crime, label_es: Homicidio doloso, label_en: Intentional homicide, unit: count, source: test_sesnsp, synthetic: true}
  homicidio_culposo:
    {domain: crime, label_es: Homicidio culposo, label_en: Manslaughter, unit: count, source: test_sesnsp, synthetic: true}
  feminicidio:
    {domain: vawg, label_es: Feminicidio, label_en: Femicide, unit: count, rate_base: female, source: test_sesnsp, synthetic: true}
  homicidio_doloso_nac:
    {domain: crime, label_es: Homicidio doloso (tabla por nombres), label_en: Intentional homicide (names table), unit: count, source: test_sesnsp, synthetic: true}
tables:
  - path: sesnsp.csv
    adapter: sesnsp_municipal
    indicators:
      homicidio_doloso: {Subtipo de delito: Homicidio doloso}
      homicidio_culposo: {Subtipo de delito: Homicidio culposo}
  - path: nombres.csv
    territory: {name: Municipio, parent_name: Entidad, level: 2}
    period: {year: Año, month: Mes}
    value_columns: {Feminicidio: feminicidio, Homicidio doloso: homicidio_doloso_nac}
population:
  - path: poblacion.csv
    territory: {code: CVE, pad: 5, level: 2}
    sex: total
"""


def make_raw_inputs(folder: Path) -> Path:
    """Write the raw inputs and mapping.yaml into `folder`; returns the mapping's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    mun = gpd.GeoDataFrame({"CVEGEO": [m[0] for m in MUNICIPIOS], "NOMGEO": [m[1] for m in MUNICIPIOS]},
                           geometry=[m[2] for m in MUNICIPIOS], crs="EPSG:32616")
    mun.to_file(folder / "municipios.gpkg", driver="GPKG", engine="pyogrio")
    st = gpd.GeoDataFrame({"CVE_ENT": [s[0] for s in STATES], "NOM_ENT": [s[1] for s in STATES]},
                          geometry=[s[2] for s in STATES], crs="EPSG:32616")
    st.to_file(folder / "states.shp.zip", driver="ESRI Shapefile", engine="pyogrio")
    (folder / "states.shp.zip").rename(folder / "states.zip")
    (folder / "sesnsp.csv").write_bytes(("\n".join([SESNSP_HEADER] + SESNSP_ROWS) + "\n").encode("latin-1"))
    (folder / "poblacion.csv").write_bytes(POBLACION.encode("utf-8-sig"))
    (folder / "nombres.csv").write_text(NOMBRES, encoding="utf-8")
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return folder / "mapping.yaml"
