"""``ai-tenant-resolver``: which tenant a request belongs to, validated against a registry, and routed.

A kong-pdk plugin module: ``Plugin`` (the handler), ``Schema`` (config fields), ``version``, ``priority``, and
``SCHEMA_DUMP`` (the full schema with its entity checks, for the plugin server's dump). Everything else lives
in the modules beside the handler: :mod:`.sources` (where a tenant id can come from), :mod:`.jwt_verify`,
:mod:`.api_keys`, :mod:`.registry`, :mod:`.resolver` (the decision), :mod:`.settings` (config compilation).
"""

from kong_plugins.ai_tenant_resolver.handler import PRIORITY, VERSION, Plugin
from kong_plugins.ai_tenant_resolver.schema import SCHEMA_DUMP, Schema

__all__ = ["SCHEMA_DUMP", "Plugin", "Schema", "priority", "version"]

version = VERSION
priority = PRIORITY
