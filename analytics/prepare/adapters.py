"""Ready-made table layouts. A table in the mapping names one with `adapter:`; its own keys override
the adapter's (dictionaries are merged key by key)."""

from __future__ import annotations

import copy
from typing import Any

MONTHS_ES = ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre", "Octubre",
             "Noviembre", "Diciembre"]

ADAPTERS: dict[str, dict[str, Any]] = {
    # Mexico, SESNSP "Incidencia delictiva del fuero común, municipal" (CNSP/38/15): Año, Clave_Ent, Entidad,
    # Cve. Municipio, Municipio, Bien jurídico afectado, Tipo de delito, Subtipo de delito, Modalidad, Enero … Diciembre.
    # Cve. Municipio loses its leading zero for states 01–09 (pad to 5); XX999 "Otros municipios" and XX998
    # "No especificado" are not territories (kept apart); unpublished months are blank (missing).
    "sesnsp_municipal": {
        "encoding": "auto",
        "thousands": ",",
        "territory": {"code": "Cve. Municipio", "pad": 5, "level": 2, "unassigned": r"^\d{2}99[89]$"},
        "period": {"year": "Año", "months": MONTHS_ES},
        "sex": "total",
    },
    # The same layout at state level (no municipality columns): Clave_Ent padded to 2.
    "sesnsp_estatal": {
        "encoding": "auto",
        "thousands": ",",
        "territory": {"code": "Clave_Ent", "pad": 2, "level": 1},
        "period": {"year": "Año", "months": MONTHS_ES},
        "sex": "total",
    },
}


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def apply_adapter(table_cfg: dict[str, Any]) -> dict[str, Any]:
    """The table mapping with its adapter's defaults filled in (unknown adapter: KeyError with the list)."""
    name = table_cfg.get("adapter")
    if not name:
        return table_cfg
    if name not in ADAPTERS:
        raise KeyError(f"unknown adapter {name!r}; available: {sorted(ADAPTERS)}")
    return deep_merge(ADAPTERS[name], {k: v for k, v in table_cfg.items() if k != "adapter"})
