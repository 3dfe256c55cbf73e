"""The names of every series the app can expose, for checking rules and dashboards against."""

from __future__ import annotations

from prometheus_client import REGISTRY

# Computed at scrape time by salesbot.ops.metrics, outside the registry.
SCRAPE_TIME = {"salesbot_component_up", "salesbot_active_users"}
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gauge": ("",),
}


def exposed_names() -> set[str]:
    import salesbot.app  # noqa: F401 - declares every metric of the product

    names = set(SCRAPE_TIME)
    # Every declared metric is collected as a family, also before it has any sample.
    for family in REGISTRY.collect():
        if family.name.startswith("salesbot_"):
            names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return names
