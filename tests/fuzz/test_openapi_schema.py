"""Schemathesis over the whole OpenAPI schema, signed in as each role: no 5xx, responses conform.

Every operation is its own test per role (`test_operation[admin-PATCH /api/users/{user_id}]`), so
a failure names the operation; new endpoints are picked up from the app's schema. Path parameters
are drawn either at random or from records that exist (seeded in `conftest.py`), so the fuzz
reaches past the 404s. Under the `ci` Hypothesis profile (tests/conftest.py) the examples are
derandomized: a failure in CI reproduces locally with `SALESBOT_TEST_PROFILE=ci`.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from salesbot.app import create_app
from salesbot.settings import Settings
from tests.fuzz.conftest import REQUEST_TIMEOUT_S, ROLES, Fresh, FuzzWorld, live_schema

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

# More examples where a role reaches the most code; a role without the permission mostly gets
# 403s, which a few examples already check.
EXAMPLES = {"admin": 12, "sales": 12, "coordinator": 5, "finance": 5, "viewer": 4}
# Signing in and accepting invitations are fuzzed without the role's token (their own tests
# cover the signed-in paths).
ANONYMOUS = {"/api/auth/login", "/api/auth/mfa", "/api/auth/refresh", "/api/invites/accept"}
# Ending a session and changing the password would end the fuzz's own sign-in: each case runs
# with a fresh account of the role, whose real refresh token or password the case may use.
FRESH = {"/api/auth/logout", "/api/me/password"}


def _schema_from_code() -> dict[str, Any]:
    """The operations as the code declares them (collection happens before the server starts)."""
    app = create_app(
        Settings(
            _env_file=None,
            environment="test",
            database_url="sqlite+aiosqlite:///unused.db",
            secret_key="fuzz-collection-only-secret-key-0123456789",
        )
    )
    return app.openapi()


def _operations(*, with_input: bool = False) -> list[tuple[str, str]]:
    paths = _schema_from_code()["paths"]
    found = [
        (method.upper(), path)
        for path, ops in paths.items()
        for method, op in ops.items()
        if not with_input or op.get("parameters") or op.get("requestBody")
    ]
    # Destructive operations last, so reads and updates still find the seeded records.
    return sorted(found, key=lambda op: (op[0] == "DELETE", op[1], op[0]))


OPERATIONS = _operations()
# Operations that take input, i.e. have something to send wrong.
WITH_INPUT = _operations(with_input=True)


@schemathesis.check
def refusals_are_explained(ctx: Any, response: Any, case: Any) -> bool | None:
    """A refused request gets the standard error body with a message written for people.

    Replaces schemathesis' `positive_data_acceptance`: schema-valid input is still refused by
    business rules (an unknown location, a stale page cursor, a wrong current password) with a
    documented 4xx, and that refusal must be the product's error body, never a framework dump.
    """
    if not 400 <= response.status_code < 500:
        return None
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"refusal without the standard error body: {body!r}"[:500]
    message = error.get("message")
    assert isinstance(message, str) and message.strip(), f"refusal without a message: {error!r}"
    assert "Traceback" not in message and "pydantic" not in message.lower(), message
    return True


# Operations whose authentication schemathesis' `ignored_auth` has confirmed in this run: the same
# request without credentials, and with made-up ones, was refused. Enforcement is a property of
# the operation (schemathesis' own runner also probes once per operation), so later successful
# cases skip the two extra requests the probe sends.
AUTH_CONFIRMED: set[tuple[str, str]] = set()


def _with_fresh_credentials(
    case: Any, fresh: Fresh, data: st.DataObject, mode: GenerationMode, *, first: bool
) -> dict[str, str]:
    """The fresh account's token; its real refresh token or password where the body has one.

    Only for valid input: swapping a real credential into a negated field would make the case
    valid again while it still counts as invalid (as with existing ids in paths).
    """
    body = case.body if isinstance(case.body, dict) else None
    # The first case always uses them, so every run really ends a session or changes a password.
    use_real: bool = first or data.draw(st.booleans(), label="real credentials")
    if body is not None and use_real and mode is GenerationMode.POSITIVE:
        if "refresh_token" in body:
            body["refresh_token"] = fresh.refresh_token
        if "current_password" in body:
            body["current_password"] = fresh.password
            body["new_password"] = fresh.password + "-changed"  # one the rules accept
    return fresh.headers


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [(role, method, path) for role in ROLES for method, path in OPERATIONS],
    ids=[f"{role}-{method} {path}" for role in ROLES for method, path in OPERATIONS],
)
def test_operation(fuzz_world: FuzzWorld, role: str, method: str, path: str) -> None:
    _fuzz(fuzz_world, role, method, path, GenerationMode.POSITIVE, EXAMPLES[role])


# Schema-violating input (a date as a number, a limit past its maximum, a wrong type) must be
# refused: the two roles that reach the most code, a few examples per operation.
NEGATIVE_ROLES = ("admin", "sales")
NEGATIVE_EXAMPLES = 4


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [(role, method, path) for role in NEGATIVE_ROLES for method, path in WITH_INPUT],
    ids=[f"{role}-{method} {path}" for role in NEGATIVE_ROLES for method, path in WITH_INPUT],
)
def test_operation_refuses_invalid_input(
    fuzz_world: FuzzWorld, role: str, method: str, path: str
) -> None:
    _fuzz(fuzz_world, role, method, path, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)


def _fuzz(
    fuzz_world: FuzzWorld, role: str, method: str, path: str, mode: GenerationMode, examples: int
) -> None:
    operation = live_schema(fuzz_world.base_url)[path][method]
    headers = {} if path in ANONYMOUS else fuzz_world.headers[role]
    path_names = [
        p["name"] for p in operation.definition.raw.get("parameters", []) if p.get("in") == "path"
    ]

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy(generation_mode=mode))
        # Existing ids only for valid input: swapping in a real id would make a negated path
        # parameter valid again while the case still counts as invalid.
        for name in path_names if mode is GenerationMode.POSITIVE else []:
            known = fuzz_world.known(role, name)
            use_existing: bool = bool(known) and data.draw(st.booleans(), label=name)
            if use_existing:
                case.path_parameters[name] = data.draw(st.sampled_from(known), label=name)
        signed = headers
        if path in FRESH:
            signed = _with_fresh_credentials(
                case, fuzz_world.fresh(role), data, mode, first=not statuses
            )
        confirmed = (method, path) in AUTH_CONFIRMED
        response = case.call_and_validate(
            base_url=fuzz_world.base_url,
            headers=signed,
            excluded_checks=[positive_data_acceptance, *([ignored_auth] if confirmed else [])],
            additional_checks=[refusals_are_explained],
            # a chat turn on a loaded CI machine can take longer than schemathesis' 10 s
            timeout=REQUEST_TIMEOUT_S,
        )
        statuses.append(response.status_code)
        if 200 <= response.status_code < 300 and mode is GenerationMode.POSITIVE and signed:
            AUTH_CONFIRMED.add((method, path))  # probed by `ignored_auth` above, and it passed

    statuses: list[int] = []
    run()
    if path in FRESH and mode is GenerationMode.POSITIVE:
        # The fresh credentials did their job: at least one case really ended the session or
        # changed the password (not only refusals).
        assert 204 in statuses, statuses
