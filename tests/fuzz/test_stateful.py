"""Stateful fuzz: sequences such as create → read → update → delete, signed in as a role.

Schemathesis infers the links between operations from the schema (a `POST /api/conversations`
answer's `id` feeds `GET/PATCH/DELETE /api/conversations/{conversation_id}`, and so on) and walks
them; every step's response is checked as in the stateless fuzz: no 5xx, responses conform to the
documented schema, refusals carry the standard error body.

The scenarios share one live server, so a scenario can meet records an earlier one made (a list
that was empty is not, a key is taken). Which rules Hypothesis may pick next depends on earlier
answers, so the same choices can lead down a different path, and Hypothesis then stops the run
with `FlakyStrategyDefinition`. That says the API has state, not that it answered wrongly:
schemathesis' own runner ends such a suite without failing it and keeps the check failures it
saw. This test does the same: every step's failed check is kept and fails the test, whether or
not Hypothesis could replay it, and a run Hypothesis stopped is followed by another (with the
next seed) until the scenarios add up to the budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, seed, settings
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.fuzz.conftest import REQUEST_TIMEOUT_S, FuzzWorld, live_schema
from tests.fuzz.test_openapi_schema import ANONYMOUS, refusals_are_explained

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

SCENARIOS = 15  # per role
STEPS = 6  # per scenario
# Runs Hypothesis may stop for the API's state before the test gives up (one was the most seen).
RUNS = 5


@dataclass
class Walk:
    """What the scenarios of one role did: how many ran, how many calls, which checks failed."""

    scenarios: int = 0
    calls: int = 0
    failures: list[str] = field(default_factory=list)


def _machine(world: FuzzWorld, role: str, walk: Walk) -> Any:
    schema = live_schema(world.base_url)
    machine = schema.as_state_machine()

    class Signed(machine):  # type: ignore[valid-type, misc]
        def setup(self) -> None:
            walk.scenarios += 1
            # Each scenario signs in as an account of its own, made like the role's on its first
            # call: what it does to itself (ending its sessions, changing its password) stays in
            # the scenario, and the fuzz's own sign-ins, which later tests use, stay alive.
            self.account: dict[str, str] | None = None

        def before_call(self, case: Any) -> None:
            # Links feed user ids from the users list; the accounts the fuzz signs in with (and
            # makes the scenarios' accounts with) are not the fuzz's to end, change or erase.
            assume(case.path_parameters.get("user_id") not in world.identities)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            if case.operation.path in ANONYMOUS:
                return {"base_url": world.base_url, "timeout": REQUEST_TIMEOUT_S}
            if self.account is None:
                self.account = world.fresh(role).headers
            return {
                "base_url": world.base_url,
                "headers": self.account,
                "timeout": REQUEST_TIMEOUT_S,
            }

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            walk.calls += 1
            try:
                case.validate_response(
                    response,
                    excluded_checks=[positive_data_acceptance],
                    additional_checks=[refusals_are_explained],
                )
            except Exception as failure:
                walk.failures.append(f"{case.operation.label}: {failure}")
                raise

    return Signed


@pytest.mark.parametrize("role", ["admin", "sales"])
def test_sequences_of_operations(fuzz_world: FuzzWorld, role: str) -> None:
    walk = Walk()
    machine = _machine(fuzz_world, role, walk)
    # Each bundle is an operation whose answer feeds others (37 when this was written).
    assert len(machine.bundles) >= 30, "schemathesis inferred too few links between operations"
    for run in range(RUNS):
        try:
            machine.run(
                settings=settings(
                    max_examples=SCENARIOS,
                    stateful_step_count=STEPS,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                )
            )
            break
        except FlakyStrategyDefinition:
            # A failed check is a failure even when Hypothesis could not replay it.
            assert not walk.failures, "\n\n".join(dict.fromkeys(walk.failures))
            if walk.scenarios >= SCENARIOS:
                break
            # The next run starts from another seed (a fixed one, so CI's runs repeat).
            seed(run + 1)(machine)
    else:
        pytest.fail(f"Hypothesis stopped {RUNS} runs in a row for the API's state")
    assert walk.scenarios >= SCENARIOS, walk
    assert walk.calls >= walk.scenarios, "the scenarios made (almost) no calls"
