"""Stateful fuzz: sequences such as create → read → update → delete, signed in as a role.

Schemathesis infers the links between operations from the schema (a `POST /api/conversations`
answer's `id` feeds `GET/PATCH/DELETE /api/conversations/{conversation_id}`, and so on) and walks
them; every step's response is checked as in the stateless fuzz: no 5xx, responses conform to the
documented schema, refusals carry the standard error body.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.fuzz.conftest import REQUEST_TIMEOUT_S, FuzzWorld, live_schema
from tests.fuzz.test_openapi_schema import ANONYMOUS, FRESH, refusals_are_explained

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]


def _machine(world: FuzzWorld, role: str) -> Any:
    schema = live_schema(world.base_url)
    machine = schema.as_state_machine()
    headers = world.headers[role]

    class Signed(machine):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            path = case.operation.path
            # Ending a session or changing a password: a fresh account's, never the role's own.
            fresh = world.fresh(role).headers if path in FRESH else headers
            signed = {} if path in ANONYMOUS else fresh
            return {"base_url": world.base_url, "headers": signed, "timeout": REQUEST_TIMEOUT_S}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(
                response,
                excluded_checks=[positive_data_acceptance],
                additional_checks=[refusals_are_explained],
            )

    return Signed


@pytest.mark.parametrize("role", ["admin", "sales"])
def test_sequences_of_operations(fuzz_world: FuzzWorld, role: str) -> None:
    machine = _machine(fuzz_world, role)
    # Each bundle is an operation whose answer feeds others (37 when this was written).
    assert len(machine.bundles) >= 30, "schemathesis inferred too few links between operations"
    machine.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
