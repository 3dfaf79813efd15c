"""Fixtures for the hostile-input tests: the full chain of six plugins on a fresh route (chain_support)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.hostile.chain_support import ChainEnv


@pytest.fixture
def chain(gateway: GatewayUnderTest, make_route: Any, tmp_path: Path) -> Iterator[ChainEnv]:
    env = ChainEnv(gateway, make_route, tmp_path)
    yield env
    env.cleanup()
