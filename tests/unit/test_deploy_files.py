"""The deployment files name only settings, commands and routes that exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from fastapi.routing import APIRoute

from salesbot.cli import app as cli
from salesbot.ops.endpoints import router as ops_router
from salesbot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# Read by the platform or by `salesbot serve` itself, not by Settings.
PLATFORM_KEYS = {"HOST", "PORT", "WEB_CONCURRENCY", "PYTHON_VERSION"}


def _render() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "render.yaml").read_text())
    return loaded


def _env_keys(blueprint: dict[str, Any]) -> set[str]:
    keys = {v["key"] for group in blueprint["envVarGroups"] for v in group["envVars"]}
    for service in blueprint["services"]:
        keys |= {v["key"] for v in service.get("envVars", []) if "key" in v}
    return keys


def _commands() -> set[str]:
    return {c.name or (c.callback.__name__ if c.callback else "") for c in cli.registered_commands}


def test_render_env_vars_are_settings() -> None:
    fields = {f"SALESBOT_{name.upper()}" for name in Settings.model_fields}
    unknown = _env_keys(_render()) - fields - PLATFORM_KEYS
    assert unknown == set()


def test_render_services_use_real_commands_and_the_readiness_route() -> None:
    blueprint = _render()
    services = {s["name"]: s for s in blueprint["services"]}
    web, worker = services["salesbot-web"], services["salesbot-worker"]
    assert web["type"] == "web" and worker["type"] == "worker"
    assert web["preDeployCommand"] == "salesbot migrate"
    assert {web["startCommand"].split()[1], worker["startCommand"].split()[1], "migrate"} <= (
        _commands()
    )
    ready = {r.path for r in ops_router.routes if isinstance(r, APIRoute)}
    assert web["healthCheckPath"] in ready
    key_value = next(s for s in blueprint["services"] if s["type"] == "keyvalue")
    assert key_value["maxmemoryPolicy"] == "noeviction"
    for service in (web, worker):
        redis = next(v for v in service["envVars"] if v.get("key") == "SALESBOT_REDIS_URL")
        assert redis["fromService"]["name"] == key_value["name"]


def test_render_values_make_a_valid_production_configuration() -> None:
    shared = _render()["envVarGroups"][0]["envVars"]
    values = {v["key"]: v["value"] for v in shared if "value" in v}
    values["SALESBOT_SECRET_KEY"] = "x" * 44  # what generateValue makes: 256 bits, base64
    values["SALESBOT_DATABASE_URL"] = "postgresql+asyncpg://u:p@pooler.example:6543/postgres"
    settings = Settings(
        _env_file=None,
        **{
            k.removeprefix("SALESBOT_").lower(): v
            for k, v in values.items()
            if k.startswith("SALESBOT_")
        },
    )
    assert settings.startup_problems() == []
    assert settings.is_production and settings.database_pooler == "transaction"
    assert settings.storage_backend == "s3"


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    return loaded


def test_compose_runs_the_one_image_as_app_replicas_worker_and_migration() -> None:
    services = _compose()["services"]
    image = {name: s.get("image") for name, s in services.items() if "build" in s}
    assert set(image) == {"migrate", "app", "worker"}
    assert len(set(image.values())) == 1  # one image, three roles
    assert services["app"]["deploy"]["replicas"] == 2
    assert {services[name]["command"][0] for name in image} <= _commands()
    assert services["app"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    assert {"postgres", "redis", "prometheus", "minio"} <= set(services)
    assert services["minio"]["profiles"] == ["minio"]  # optional


def test_compose_env_vars_are_settings() -> None:
    fields = {f"SALESBOT_{name.upper()}" for name in Settings.model_fields}
    env = _compose()["services"]["app"]["environment"]
    assert set(env) - fields - PLATFORM_KEYS == set()


def test_dockerfile_is_non_root_with_a_healthcheck_on_the_readiness_route() -> None:
    lines = (ROOT / "deploy" / "Dockerfile").read_text().splitlines()
    instructions = [line.split()[0] for line in lines if line and not line.startswith((" ", "#"))]
    assert instructions.count("FROM") >= 2  # multi-stage
    user = next(line for line in lines if line.startswith("USER "))
    assert user.split()[1].split(":")[0] not in ("0", "root")
    healthcheck = next(i for i, line in enumerate(lines) if line.startswith("HEALTHCHECK"))
    ready = {r.path for r in ops_router.routes if isinstance(r, APIRoute)}
    assert "/health/ready" in ready and "/health/ready" in lines[healthcheck + 1]
    assert lines[-2:] == ['ENTRYPOINT ["salesbot"]', 'CMD ["serve"]']
