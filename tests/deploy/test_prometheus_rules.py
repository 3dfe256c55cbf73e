"""deploy/prometheus/alerts.yml is valid, its unit tests pass, and every name in it exists."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from tests.deploy.conftest import RULE_TESTS, RULES, promtool
from tests.deploy.names import exposed_names

RECORDED_IN = re.compile(r"\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+")


def _groups() -> list[dict[str, object]]:
    groups: list[dict[str, object]] = yaml.safe_load(RULES.read_text())["groups"]
    return groups


def test_the_rules_pass_promtool_check() -> None:
    result = promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 22 rules found" in result.stdout


def test_the_alert_unit_tests_pass() -> None:
    result = promtool("test", "rules", RULE_TESTS.name, cwd=RULE_TESTS.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_a_broken_threshold_fails_the_unit_tests(tmp_path: Path) -> None:
    """The unit tests can fail: an alert that never fires is caught."""
    shutil.copy(RULE_TESTS, tmp_path / RULE_TESTS.name)
    text = RULES.read_text().replace("p95_5m > 5\n", "p95_5m > 50\n")
    assert text != RULES.read_text()
    (tmp_path / RULES.name).write_text(text)
    result = promtool("test", "rules", RULE_TESTS.name, cwd=tmp_path)
    assert result.returncode != 0
    assert "SalesbotHighLatency" in result.stdout + result.stderr


def test_every_alert_has_a_test_and_a_runbook() -> None:
    alerts = [r for g in _groups() for r in g["rules"] if "alert" in r]  # type: ignore[attr-defined]
    tested = set(re.findall(r"alertname: (\w+)", RULE_TESTS.read_text()))
    operations = (RULES.parents[2] / "docs" / "operations.md").read_text()
    headings = {h.lower() for h in re.findall(r"^### (\w+)$", operations, re.MULTILINE)}
    for rule in alerts:
        assert rule["alert"] in tested, rule["alert"]
        page, anchor = rule["annotations"]["runbook"].split("#", 1)
        assert page == "docs/operations.md" and anchor in headings, rule["alert"]


def test_every_metric_the_rules_read_is_one_the_app_exposes() -> None:
    exposed = exposed_names()
    recorded = {r["record"] for g in _groups() for r in g["rules"] if "record" in r}  # type: ignore[attr-defined]
    for group in _groups():
        for rule in group["rules"]:  # type: ignore[attr-defined]
            expr = rule["expr"]
            for name in RECORDED_IN.findall(expr):
                assert name in recorded, (name, rule)
            for name in re.findall(r"\bsalesbot_[a-z0-9_]+", RECORDED_IN.sub("", expr)):
                assert name in exposed, (name, rule)
