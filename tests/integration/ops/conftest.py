"""One emulated gateway for the operator-tool tests (its start runs our plugin server's query command once per
plugin, the slow part); each test loads the configuration it needs (:meth:`EmulatedAdmin.load`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from integration.ops.emulated_admin import EmulatedAdmin, emulated_admin


@pytest.fixture(scope="session")
def ops_gateway() -> Iterator[EmulatedAdmin]:
    with emulated_admin() as emulated:
        yield emulated
