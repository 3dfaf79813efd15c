"""Fixtures for the ``ai-audit-log`` gateway tests: a private, killable Redis (persistent, so a restart
keeps what was written) and a route factory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_audit_log.audit_support import AuditEnv
from integration.ai_token_limiter.limiter_support import RestartableRedis


@pytest.fixture(scope="session")
def audit_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestartableRedis]:
    server = RestartableRedis(tmp_path_factory.mktemp("audit-redis"), persistent=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def running_audit_redis(audit_redis: RestartableRedis) -> RestartableRedis:
    if audit_redis.process is None or audit_redis.process.poll() is not None:
        audit_redis.start()
    else:
        audit_redis.thaw()
    return audit_redis


@pytest.fixture
def audit(
    gateway: GatewayUnderTest, make_route: Any, running_audit_redis: RestartableRedis, tmp_path: Path
) -> AuditEnv:
    gateway.require_harness()
    return AuditEnv(gateway, make_route, running_audit_redis, tmp_path)
