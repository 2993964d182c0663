"""Page state in the URL query string, so any view can be shared or saved in a story.

Pages read their initial control values from the parsed query (passed to their layout function)
and write them back with `encode_search`. The shell's own parameters (`lang`, `present`) are kept.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

SHELL_PARAMS = ("lang", "present")


def parse_search(search: str | None) -> dict[str, str]:
    """'?a=1&b=x' -> {'a': '1', 'b': 'x'} (last value wins)."""
    if not search:
        return {}
    return dict(parse_qsl(search.lstrip("?"), keep_blank_values=False))


def encode_search(params: dict[str, object], current_search: str | None = None) -> str:
    """A query string with `params` (None/'' dropped, lists joined by commas) plus the shell
    parameters of `current_search`. Keys keep the given order for readable URLs."""
    current = parse_search(current_search)
    out: dict[str, str] = {}
    for k, v in params.items():
        if v is None or v == "" or v == []:
            continue
        out[k] = ",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
    for k in SHELL_PARAMS:
        if k in current and k not in out:
            out[k] = current[k]
    return "?" + urlencode(out, safe=",") if out else ""


def split_list(value: str | None) -> list[str]:
    """'0101,0108' -> ['0101', '0108']; None/'' -> []."""
    return [v for v in (value or "").split(",") if v]
