"""The audit tests' private Redis and route factory, for the usage report tests."""

from integration.ai_audit_log.conftest import audit, audit_redis, running_audit_redis

__all__ = ["audit", "audit_redis", "running_audit_redis"]
