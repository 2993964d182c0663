"""The mapping file (YAML): what each input file is and how its columns map to the data contract.

`load_mapping(path)` reads it, fills in adapter defaults and checks its shape, raising PrepareError with
the key path of anything missing or wrong (e.g. "tables[1].territory: needs code: or name:").
Every key is documented in docs/importing.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from analytics.prepare.adapters import apply_adapter
from analytics.prepare.readers import PrepareError

DOMAINS = ("crime", "trust", "vawg", "risk", "context")
UNITS = ("count", "rate", "percent", "index", "usd")
RATE_BASES = ("total", "female", "male", "female_10_19", "none")
INDICATOR_KEYS = {"domain", "label_es", "label_en", "unit", "higher_is_worse", "rate_base", "rate_per", "source",
                  "synthetic", "description_es", "description_en", "max_rate"}


def _need(d: Any, key: str, where: str) -> Any:
    if not isinstance(d, dict) or key not in d or d[key] in (None, ""):
        raise PrepareError(f"{where}: missing {key!r}")
    return d[key]


def load_mapping(path: Path) -> dict[str, Any]:
    """The checked mapping as a dict (population always a list; adapters applied to tables)."""
    path = Path(path)
    if not path.exists():
        raise PrepareError(f"{path}: mapping file not found")
    try:
        cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise PrepareError(f"{path}: not valid YAML: {err}") from err
    if not isinstance(cfg, dict):
        raise PrepareError(f"{path}: the mapping must be a YAML mapping (key: value)")
    w = path.name
    ds = _need(cfg, "dataset", w)
    _need(ds, "title", f"{w}: dataset")
    ds.setdefault("name", "atalaya-prepared")
    if "level_labels" in ds:
        from analytics.validation import level_label_problems

        bad = level_label_problems(ds["level_labels"])
        if bad:
            raise PrepareError(f"{w}: dataset." + "; dataset.".join(
                f"{p.column}" + (f" ({p.value!r})" if p.value is not None else "") + f": {p.message}" for p in bad))
        ds["level_labels"] = {str(k): v for k, v in ds["level_labels"].items()}
    for i, s in enumerate(cfg.get("sources") or []):
        if not isinstance(s, dict) or "id" not in s:
            raise PrepareError(f"{w}: sources[{i}]: a source needs an id (tables cite it in `source:`)")
        for key in ("title", "title_en", "publisher", "publisher_en", "year", "path"):
            if key in s and s[key] is not None and not isinstance(s[key], str):
                s[key] = str(s[key])  # YAML reads year: 2025 as a number; the contract wants text
    country = _need(cfg, "country", w)
    for k in ("id", "name", "iso3"):
        _need(country, k, f"{w}: country")
    if not (isinstance(country["iso3"], str) and len(country["iso3"]) == 3 and country["iso3"].isupper()):
        raise PrepareError(f"{w}: country.iso3 must be 3 upper-case letters, got {country['iso3']!r}")
    b = _need(cfg, "boundaries", w)
    for lvl in ("admin1", "admin2"):
        if lvl in b and "path" in b[lvl]:
            _need(b[lvl], "id", f"{w}: boundaries.{lvl}")
    inds = _need(cfg, "indicators", w)
    if not isinstance(inds, dict):
        raise PrepareError(f"{w}: indicators must map each indicator id to its metadata")
    for iid, meta in inds.items():
        where = f"{w}: indicators.{iid}"
        for k in ("domain", "label_es", "label_en", "unit", "source"):
            _need(meta, k, where)
        extra = set(meta) - INDICATOR_KEYS
        if extra:
            raise PrepareError(f"{where}: unknown keys {sorted(extra)}; allowed: {sorted(INDICATOR_KEYS)}")
        if meta["domain"] not in DOMAINS:
            raise PrepareError(f"{where}.domain: {meta['domain']!r} is not one of {DOMAINS}")
        if meta["unit"] not in UNITS:
            raise PrepareError(f"{where}.unit: {meta['unit']!r} is not one of {UNITS}")
        meta.setdefault("higher_is_worse", True)
        meta.setdefault("synthetic", False)
        meta.setdefault("rate_base", "total" if meta["unit"] == "count" else "none")
        if meta["rate_base"] not in RATE_BASES:
            raise PrepareError(f"{where}.rate_base: {meta['rate_base']!r} is not one of {RATE_BASES}")
        if meta["rate_base"] != "none":
            meta.setdefault("rate_per", 1000 if meta["rate_base"] == "female_10_19" else 100000)
    tables = cfg.get("tables") or []
    if not isinstance(tables, list):
        raise PrepareError(f"{w}: tables must be a list")
    out_tables = []
    for i, t in enumerate(tables):
        where = f"{w}: tables[{i}]"
        _need(t, "path", where)
        try:
            t = apply_adapter(t)
        except KeyError as err:
            raise PrepareError(f"{where}: {err.args[0]}") from err
        terr = _need(t, "territory", where)
        if "code" not in terr and "name" not in terr:
            raise PrepareError(f"{where}.territory: needs code: COLUMN or name: COLUMN (names-only sources)")
        _need(t, "period", where)
        out_tables.append(t)
    cfg["tables"] = out_tables
    pop = cfg.get("population") or []
    cfg["population"] = pop if isinstance(pop, list) else [pop]
    for i, p in enumerate(cfg["population"]):
        _need(p, "path", f"{w}: population[{i}]")
        _need(_need(p, "territory", f"{w}: population[{i}]"), "code", f"{w}: population[{i}].territory")
    return cfg
