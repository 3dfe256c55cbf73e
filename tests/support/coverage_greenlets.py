"""A coverage plugin that installs the greenlet keeper in every process coverage measures.

Coverage starts in the suite's subprocesses (live servers, CLIs, workers) from its `.pth` file,
with the run's configuration, which names this module (`[tool.coverage.run] plugins`). Those
processes end threads under coverage's greenlet concurrency too: the hang the keeper prevents
was seen in `salesbot backup` after its off-site upload (tests/support/greenlet_keeper.py).
`tests/conftest.py` puts the checkout on the subprocesses' `PYTHONPATH` so they can import it.
"""

from __future__ import annotations

from typing import Any

from tests.support.greenlet_keeper import KEEPER


def coverage_init(reg: Any, options: dict[str, Any]) -> None:
    """Coverage's plugin entry point: nothing to register, the keeper to install."""
    KEEPER.install()
