"""deploy/grafana/salesbot.json: every PromQL expression is valid (promtool) and reads metrics the
app exposes or the recording rules produce; the provisioning file points Grafana at it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.conftest import DASHBOARD, RULES, promtool
from tests.deploy.names import exposed_names

RECORDED_IN = re.compile(r"\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+")


def expressions() -> list[str]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if "expr" in target
    ]


def _rules_file(exprs: list[str], path: Path) -> Path:
    rules = [{"record": f"dashboard:panel_{i}:expr", "expr": e} for i, e in enumerate(exprs)]
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    return path


def test_every_dashboard_expression_is_valid_promql(tmp_path: Path) -> None:
    exprs = expressions()
    assert len(exprs) >= 20
    result = promtool("check", "rules", str(_rules_file(exprs, tmp_path / "dashboard.yml")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(exprs)} rules found" in result.stdout


def test_an_invalid_expression_is_caught(tmp_path: Path) -> None:
    broken = [*expressions(), "sum by (route (rate(salesbot_http_errors_total[5m]))"]
    result = promtool("check", "rules", str(_rules_file(broken, tmp_path / "broken.yml")))
    assert result.returncode != 0


def test_the_dashboard_reads_only_names_that_exist() -> None:
    exposed = exposed_names()
    groups = yaml.safe_load(RULES.read_text())["groups"]
    recorded = {r["record"] for g in groups for r in g["rules"] if "record" in r}
    covered = set()
    for expr in expressions():
        for name in RECORDED_IN.findall(expr):
            assert name in recorded, (name, expr)
            covered.add(name)
        for name in re.findall(r"\bsalesbot_[a-z0-9_]+", RECORDED_IN.sub("", expr)):
            assert name in exposed, (name, expr)
    # The recording rules exist for the dashboard: each one is used by a panel or an alert.
    alert_exprs = " ".join(r["expr"] for g in groups for r in g["rules"] if "alert" in r)
    assert recorded <= covered | set(RECORDED_IN.findall(alert_exprs))


def test_the_provisioning_file_names_a_file_provider() -> None:
    provisioning = yaml.safe_load((DASHBOARD.parent / "dashboards.yml").read_text())
    provider = provisioning["providers"][0]
    assert provisioning["apiVersion"] == 1
    assert provider["type"] == "file" and provider["options"]["path"]
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "salesbot"
    assert {"name": "datasource", "type": "datasource"}.items() <= dashboard["templating"]["list"][
        0
    ].items()
