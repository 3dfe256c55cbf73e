"""Schemathesis over the whole OpenAPI schema: no 5xx, responses match the documented schema.

Every endpoint a capability adds is fuzzed automatically: the operations are read from the live
server's schema, one hypothesis run per operation.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_api_conforms_to_its_schema(fuzz_base_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert operations, "the schema lists no operations"
    failures: list[str] = []
    for operation in operations:
        try:
            _fuzz(operation, fuzz_base_url)
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)


def _fuzz(operation: Any, base_url: str) -> None:
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        case.call_and_validate(base_url=base_url)

    run()
