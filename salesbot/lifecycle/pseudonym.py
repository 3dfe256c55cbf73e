"""The pseudonym that stands for an erased person in the business records that are kept."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Pseudonym:
    name: str
    email: str


def pseudonym_for(user_id: uuid.UUID, secret: str) -> Pseudonym:
    """Stable for one person (records stay consistent), not reversible without the secret."""
    tag = hmac.new(secret.encode(), user_id.bytes, hashlib.sha256).hexdigest()[:10]
    return Pseudonym(name=f"Erased user {tag}", email=f"erased-{tag}@erased.invalid")
