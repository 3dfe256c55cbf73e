"""Start-up stays light: with no LLM provider configured, neither importing the app nor
creating and starting it loads PydanticAI, an LLM SDK or Slack's Bolt; the first chat turn
(the offline model) loads PydanticAI but still no SDK. The image libraries (numpy, OpenCV,
Pillow, segno) wait for the first image work, and the app's import brings no HTTP client
(httpx). Measured in a fresh process, since this test process has loaded all of them already."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SECRET = "test-secret-key-that-is-long-enough-0123456789"
LLM_AND_DOCUMENTS = (
    "pydantic_ai",
    "openai",
    "anthropic",
    "slack_bolt",
    "aiohttp",
    "pypdf",
    "reportlab",
)
IMAGES = ("numpy", "cv2", "PIL", "segno")  # mockups, uploads, MFA set-up QR codes
HTTP_CLIENT = ("httpx",)  # the child imports httpx itself after the import
WATCHED = (*LLM_AND_DOCUMENTS, *IMAGES, *HTTP_CLIENT)

# argv: data dir, watched packages (JSON). Prints one JSON line: the watched packages loaded
# after each step.
CHILD = r"""
import asyncio, json, os, sys

WATCHED = json.loads(sys.argv[2])
def loaded():
    return sorted({m.split(".")[0] for m in sys.modules} & set(WATCHED))

steps = {}
from salesbot.app import create_app
from salesbot.settings import Settings
steps["import"] = loaded()

import httpx
settings = Settings(_env_file=None, environment="development", dev_login=True,
    data_dir=sys.argv[1], database_url="sqlite+aiosqlite:///" + sys.argv[1] + "/salesbot.db",
    secret_key=os.environ["SALESBOT_SECRET_KEY"], llm_model=None)
app = create_app(settings)
steps["create_app"] = loaded()

async def main():
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            assert (await c.get("/login")).status_code == 200
            steps["served"] = loaded()
            login = await c.post("/api/auth/dev-login", json={"email": "sales@demo.salesbot.dev"})
            assert login.status_code == 200, login.text
            token = login.json()["access_token"]
            chat = await c.post("/api/chat", json={"message": "hello"},
                                headers={"Authorization": "Bearer " + token})
            assert chat.status_code == 200, chat.text
            assert "message_end" in chat.text, chat.text[-2000:]
            steps["chatted"] = loaded()

asyncio.run(main())
print(json.dumps(steps))
"""


def _steps(tmp_path: Path) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESBOT_", "OTEL_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        SALESBOT_ENVIRONMENT="development",
        SALESBOT_DATA_DIR=str(tmp_path),
        SALESBOT_SECRET_KEY=SECRET,
    )
    for verb in ("migrate", "demo"):
        done = subprocess.run(
            [sys.executable, "-m", "salesbot.cli", verb],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), json.dumps(WATCHED)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    steps: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return steps


def test_no_provider_means_no_llm_stack_until_the_first_chat_and_never_an_sdk(
    tmp_path: Path,
) -> None:
    steps = _steps(tmp_path)
    assert steps["import"] == []
    assert not set(LLM_AND_DOCUMENTS + IMAGES) & set(steps["create_app"])
    # started (lifespan, with its warm-up requests) and a login page served
    assert not set(LLM_AND_DOCUMENTS + IMAGES) & set(steps["served"])
    assert "pydantic_ai" in steps["chatted"]  # the offline model is PydanticAI's FunctionModel
    assert not {"openai", "anthropic", "slack_bolt"} & set(steps["chatted"])
