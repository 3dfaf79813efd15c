"""``ai-token-limiter``: request, token and cost (USD) limits and budgets, atomic in Redis, reconciled with
the real usage.

A kong-pdk plugin module: ``Plugin`` (the handler), ``Schema`` (config fields), ``version``, ``priority``, and
``SCHEMA_DUMP`` (the full schema with its entity checks, for the plugin server's dump). The domain modules
beside the handler never touch ``kong``: :mod:`.windows`, :mod:`.counters`, :mod:`.plan` (keys and counters),
:mod:`.script` / :mod:`.lua_source` (the Redis store), :mod:`.local_store`, :mod:`.backend` (which store,
Redis failure), :mod:`.pricing`, :mod:`.estimate`, :mod:`.usage`, :mod:`.headers`, :mod:`.queue`,
:mod:`.reservation`; :mod:`.engine` holds what both limiter plugins do in ``access``.
"""

from kong_plugins.ai_token_limiter.handler import PRIORITY, VERSION, Plugin
from kong_plugins.ai_token_limiter.schema import SCHEMA_DUMP, Schema

__all__ = ["SCHEMA_DUMP", "Plugin", "Schema", "priority", "version"]

version = VERSION
priority = PRIORITY
