"""The live server for schema-driven fuzzing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live_server import live_server


@pytest.fixture(scope="session")
def fuzz_base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("fuzz")) as url:
        yield url
