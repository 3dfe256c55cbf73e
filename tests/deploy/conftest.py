"""Tests of deploy/: Prometheus rules and the Grafana dashboard, checked by Debian's promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RULES = DEPLOY / "prometheus" / "alerts.yml"
RULE_TESTS = DEPLOY / "prometheus" / "alerts.test.yml"
DASHBOARD = DEPLOY / "grafana" / "salesbot.json"


def tool(name: str) -> str:
    """The path of a Prometheus binary (Debian's `prometheus` package; `make ci` installs it)."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is missing: apt-get install prometheus (make ci installs it)"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


def promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("promtool"), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "deploy" in item.path.parts:
            item.add_marker(pytest.mark.prometheus)
