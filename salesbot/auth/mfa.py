"""Second factor (optional per user): an authenticator app (TOTP, RFC 6238) and one-time
recovery codes. API keys are not affected: they are for integrations.

The authenticator secret is stored sealed (AES-GCM under a key derived from the app's secret
key, bound to the user); recovery codes are stored as hashes only.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit import sealing
from salesbot.kit.errors import AppError, Conflict, ValidationFailed
from salesbot.users import audit, repository
from salesbot.users.credentials import hash_secret
from salesbot.users.models import TotpFactor

ISSUER = "Sales Proposal Bot"
RECOVERY_CODES = 10
WRONG_CODE = "That code is not correct. Check your authenticator app and try again."
SEAL_PURPOSE = "totp-secret"


class MfaRequired(AppError, status=401, code="mfa_required"):
    """The password was right; the second factor is asked next (details carry `mfa_token`)."""


@dataclass(frozen=True)
class Setup:
    secret: str
    otpauth_uri: str
    qr_svg_data_uri: str


async def factor(session: AsyncSession, user_id: uuid.UUID) -> TotpFactor | None:
    return await session.get(TotpFactor, user_id)


async def enabled(session: AsyncSession, user_id: uuid.UUID) -> bool:
    row = await factor(session, user_id)
    return row is not None and row.enabled_at is not None


def _seal(secret: str, user_id: uuid.UUID, key: str) -> str:
    return sealing.seal(secret, secret_key=key, purpose=SEAL_PURPOSE, bound_to=str(user_id))


def _secret(row: TotpFactor, key: str) -> str | None:
    """The seed, or None when it does not open (the secret key changed): codes then fail and
    a recovery code is the way in (docs/operations.md)."""
    try:
        return sealing.unseal(
            row.secret, secret_key=key, purpose=SEAL_PURPOSE, bound_to=str(row.user_id)
        )
    except sealing.Unsealable:
        return None


async def start_setup(session: AsyncSession, user_id: uuid.UUID, *, key: str) -> Setup:
    """A new secret, pending until a code from it is entered; the QR code is drawn here."""
    row = await factor(session, user_id)
    if row is not None and row.enabled_at is not None:
        raise Conflict("Two-step sign-in is already on. Turn it off first to set it up again.")
    user = await repository.user_by_id(session, user_id)
    assert user is not None  # the caller is signed in
    secret = pyotp.random_base32()
    if row is None:
        row = TotpFactor(user_id=user_id, secret=_seal(secret, user_id, key), recovery_hashes=[])
        session.add(row)
    else:
        row.secret, row.last_step = _seal(secret, user_id, key), None
    await session.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    import segno  # QR codes: loaded by the first set-up, not at start-up

    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return Setup(secret, uri, data_uri)


def _totp_step(row: TotpFactor, code: str, now: datetime, key: str) -> int | None:
    """The time step a 6-digit code matches (±1 step of clock drift), or None."""
    digits = code.replace(" ", "")
    secret = _secret(row, key)
    if len(digits) != 6 or not digits.isdigit() or secret is None:
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), digits):
            return candidate
    return None


async def enable(
    session: AsyncSession, user_id: uuid.UUID, code: str, *, now: datetime, key: str
) -> list[str]:
    """Turn the pending factor on with a code from it; the recovery codes, shown this once."""
    row = await factor(session, user_id)
    if row is None or row.enabled_at is not None:
        raise Conflict("Start the set-up first.")
    step = _totp_step(row, code, now, key)
    if step is None:
        raise ValidationFailed(WRONG_CODE, code="wrong_code")
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    row.enabled_at, row.last_step = now, step
    row.recovery_hashes = [hash_secret(c) for c in codes]
    audit.record(session, audit.ActorRef(user_id), "mfa_enabled")
    await session.commit()
    return codes


async def check(
    session: AsyncSession, row: TotpFactor, code: str, *, now: datetime, key: str
) -> str | None:
    """ "totp" or "recovery" when `code` is good (a recovery code is spent); None otherwise.

    A TOTP code is accepted once: a step at or before the last one used is refused.
    """
    step = _totp_step(row, code, now, key)
    if step is not None and (row.last_step is None or step > row.last_step):
        row.last_step = step
        return "totp"
    digest = hash_secret(code.strip().lower())
    if digest in row.recovery_hashes:
        row.recovery_hashes = [h for h in row.recovery_hashes if h != digest]
        audit.record(
            session,
            audit.ActorRef(row.user_id),
            "mfa_recovery_code_used",
            details={"left": len(row.recovery_hashes)},
        )
        return "recovery"
    return None


async def disable(
    session: AsyncSession, user_id: uuid.UUID, code: str, *, now: datetime, key: str
) -> None:
    """Turn the factor off; a current code (or a recovery code) proves it is the owner."""
    row = await factor(session, user_id)
    if row is None or row.enabled_at is None:
        raise Conflict("Two-step sign-in is not on.")
    if await check(session, row, code, now=now, key=key) is None:
        audit.record(session, audit.ActorRef(user_id), "mfa_failed", details={"during": "disable"})
        await session.commit()
        raise ValidationFailed(WRONG_CODE, code="wrong_code")
    await session.delete(row)
    audit.record(session, audit.ActorRef(user_id), "mfa_disabled")
    await session.commit()


def device_digest(row: TotpFactor) -> str:
    """Ties a remembered device to this enrolment: turning the factor off or on again ends it."""
    return hash_secret(f"mfa-device:{row.secret}")[:32]
