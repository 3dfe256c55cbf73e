"""Request and response models for Slack account linking."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class LinkConfirm(BaseModel):
    code: str = Field(min_length=8, max_length=200, description="From the Slack bot's link")


class SlackLinkOut(BaseModel):
    team_id: str
    slack_user_id: str
    method: str = Field(description="email (verified in Slack) or code (confirmed here)")
    linked_at: datetime


class SlackLinks(BaseModel):
    items: list[SlackLinkOut]
