"""deploy/slack-manifest.yaml matches the code: URLs, slash command, events and scopes."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from salesbot.settings import Settings
from salesbot.slack.endpoints import router

ROOT = Path(__file__).resolve().parents[2]
SLACK = ROOT / "salesbot" / "slack"
# The Web API methods the channel calls, and the bot scope each needs.
SCOPES = {
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write",
    "files_upload_v2": "files:write",
    "users_info": "users:read.email",
    "conversations_open": "im:write",
}


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "slack-manifest.yaml").read_text())
    return data


def _called_methods() -> set[str]:
    """Every `client.<method>(` the Slack package makes."""
    found: set[str] = set()
    for path in SLACK.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Attribute) and owner.attr == "client":
                    found.add(node.func.attr)
    return found


def test_every_url_is_the_signed_events_route() -> None:
    manifest = _manifest()
    settings = manifest["settings"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(c["url"] for c in manifest["features"]["slash_commands"]),
    ]
    routes = {r.path for r in router.routes}  # type: ignore[attr-defined]
    assert {urlsplit(u).path for u in urls} == {"/slack/events"} <= routes


def test_the_slash_command_is_the_default_setting() -> None:
    (command,) = _manifest()["features"]["slash_commands"]
    default = Settings.model_fields["slack_command"].default
    assert command["command"] == default


def test_events_are_the_ones_listened_to() -> None:
    events = set(_manifest()["settings"]["event_subscriptions"]["bot_events"])
    source = (SLACK / "listeners.py").read_text()
    assert events == {"app_mention", "message.im"}
    assert '@bolt.event("app_mention")' in source and '@bolt.event("message")' in source
    assert 'channel_type") != "im"' in source  # only DMs of the message events


def test_scopes_cover_every_web_api_method_used() -> None:
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    called = _called_methods()
    assert called, "no Web API calls found"
    # Modals need a trigger from the user, no scope.
    unknown = called - set(SCOPES) - {"views_open", "views_update"}
    assert not unknown, f"add the scope for {unknown} to SCOPES and the manifest"
    assert {SCOPES[m] for m in called if m in SCOPES} <= scopes
    assert {"app_mentions:read", "im:history", "commands", "files:read"} <= scopes
