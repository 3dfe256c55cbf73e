"""Reading metric values in tests: samples of the process's default registry."""

from __future__ import annotations

from prometheus_client import REGISTRY


def sample(name: str, **labels: str) -> float:
    """The current value of one sample (0 when it has not been created yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
