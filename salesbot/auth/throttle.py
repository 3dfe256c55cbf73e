"""Sign-in throttling that nobody can turn into a lock-out (docs/operations.md).

Only FAILED attempts count, under three limits:
- per (IP, e-mail): one client guessing one account;
- per e-mail, any IP: a distributed guess at one account. Past it, a browser that signed in to
  this account before (its device cookie) may still sign in with the right password, so a
  stranger cannot keep the owner out;
- per IP, any e-mail: a much higher ceiling, so an office behind one address keeps working
  while someone there mistypes.
Successful sign-ins never count.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesbot.kit.ratelimit import RateLimiter
from salesbot.settings import Settings


@dataclass(frozen=True)
class LoginThrottle:
    limiter: RateLimiter
    settings: Settings

    def _limits(self, ip: str, email: str) -> list[tuple[str, str, str]]:
        return [
            ("login_ip", self.settings.rate_limit_login_ip, ip),
            ("login_pair", self.settings.rate_limit_login, f"{ip}|{email}"),
            ("login_email", self.settings.rate_limit_login_email, email),
        ]

    async def guard(self, ip: str, email: str, *, known_device: bool) -> None:
        """Refuse (RateLimited) when a limit is used up; a known device skips the e-mail one."""
        for name, limit, key in self._limits(ip, email):
            if name == "login_email" and known_device:
                continue
            reset = await self.limiter.spent(name, limit, key)
            if reset is not None:
                raise self.limiter.refusal(name, reset)

    async def failed(self, ip: str, email: str) -> None:
        for name, limit, key in self._limits(ip, email):
            await self.limiter.count(name, limit, key)
