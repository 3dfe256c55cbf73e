"""The Slack channel's settings: on only with both secrets, masked in `config check`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from salesbot.settings import Settings

TOKEN = "xoxb-1234-secret-token-value"
SECRET = "signing-secret-value-abcdef"


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, environment="test", data_dir=tmp_path, **values)  # type: ignore[arg-type]


def test_off_unless_both_are_set(tmp_path: Path) -> None:
    assert not _settings(tmp_path).slack_enabled
    assert not _settings(tmp_path, slack_bot_token=TOKEN).slack_enabled
    assert not _settings(tmp_path, slack_signing_secret=SECRET).slack_enabled
    assert not _settings(tmp_path, slack_bot_token=TOKEN, slack_signing_secret="").slack_enabled
    assert _settings(tmp_path, slack_bot_token=TOKEN, slack_signing_secret=SECRET).slack_enabled


def test_config_check_masks_the_token_and_the_signing_secret(tmp_path: Path) -> None:
    shown = _settings(tmp_path, slack_bot_token=TOKEN, slack_signing_secret=SECRET).masked()
    assert shown["slack_bot_token"] == "********"
    assert shown["slack_signing_secret"] == "********"
    printed = "\n".join(shown.values())
    assert TOKEN not in printed and SECRET not in printed


def test_base_url_and_command_are_checked(tmp_path: Path) -> None:
    assert _settings(tmp_path, slack_api_base_url="http://127.0.0.1:9/api").slack_api_base_url == (
        "http://127.0.0.1:9/api/"
    )
    with pytest.raises(ValidationError):
        _settings(tmp_path, slack_api_base_url="file:///etc/passwd")
    with pytest.raises(ValidationError):
        _settings(tmp_path, slack_command="proposal")
