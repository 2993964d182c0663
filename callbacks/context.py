"""What every callback module gets: the loaded dataset and the memoization cache."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

from flask_caching import Cache

from analytics.dataset import Dataset

GEO_FORMAT = 2  # version of the served boundary files (2: features carry properties.atalaya_label)


@dataclass
class AppContext:
    """The dataset loaded once per process and the cache for derived results."""

    dataset: Dataset
    cache: Cache

    def memoize(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Memoize a function of hashable arguments (filters), keyed also by the dataset fingerprint,
        in the app's cache (in-process by default; Redis when ATALAYA_REDIS_URL is set)."""
        fingerprint = self.dataset.fingerprint

        def keyed(fp: str, *args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

        keyed.__name__ = keyed.__qualname__ = f"{fn.__module__}.{fn.__qualname__}"
        memo = self.cache.memoize(timeout=0)(keyed)

        def call(*args: Any, **kwargs: Any) -> Any:
            return memo(fingerprint, *args, **kwargs)

        call.__wrapped__ = fn  # type: ignore[attr-defined]
        return call

    def boundary_url(self, level: int) -> str:
        """URL of the GeoJSON of a level, served compressed; the fingerprint busts browser caches when
        the data change, GEO_FORMAT when what app.py adds to the files changes (hover labels: 2)."""
        return f"/geo/{self.dataset.fingerprint}-{GEO_FORMAT}/admin{level}.json"


def make_cache(server: Any) -> Cache:
    """flask-caching: SimpleCache in process; RedisCache shared by workers when ATALAYA_REDIS_URL is set."""
    redis_url = os.environ.get("ATALAYA_REDIS_URL")
    if redis_url:
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "CACHE_DEFAULT_TIMEOUT": 0}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 0, "CACHE_THRESHOLD": 5000}
    return Cache(server, config=config)
