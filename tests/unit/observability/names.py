"""The metric names the plugin server exposes, from core/metrics.py itself (rule and dashboard tests)."""

from __future__ import annotations

import pytest

from kong_plugins.core import metrics


def exposed_names() -> set[str]:
    """Every sample name a scrape can hold: counters' ``_total``, histograms' ``_bucket/_count/_sum``."""
    pytest.importorskip("prometheus_client")  # a core dependency, yet an environment may lack it
    metrics.reset_for_tests()
    metrics.enable()
    try:
        names = set()
        for family in metrics._state.registry.collect():  # type: ignore[union-attr]
            if family.type == "counter":
                names |= {f"{family.name}_total", f"{family.name}_created"}
            elif family.type == "histogram":
                names |= {f"{family.name}_{suffix}" for suffix in ("bucket", "count", "sum", "created")}
            else:
                names.add(family.name)
        return names
    finally:
        metrics.reset_for_tests()
