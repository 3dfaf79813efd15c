"""``ai-audit-log``: one content-free, hash-chained inference record per request, written off the request
path (:mod:`.record` builds it, :mod:`.writer` queues and spills, :mod:`.redis_sink` and :mod:`.file_sink`
write it, :mod:`.chain` links and verifies). See docs/audit.md.
"""

from kong_plugins.ai_audit_log.handler import PRIORITY, VERSION, Plugin
from kong_plugins.ai_audit_log.schema import SCHEMA_DUMP, Schema

__all__ = ["SCHEMA_DUMP", "Plugin", "Schema", "priority", "version"]

version = VERSION
priority = PRIORITY
