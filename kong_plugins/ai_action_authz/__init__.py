"""``ai-action-authz``: endpoint, tenant and action authorization from a Cedar policy, default deny.

A kong-pdk plugin module: ``Plugin`` (the handler), ``Schema`` (config fields), ``version``, ``priority`` and
``SCHEMA_DUMP``. The decision lives beside the handler: :mod:`.entity_model` (our Cedar schema and each
action's level), :mod:`.policy` (a version compiled and sliced per tenant), :mod:`.actions` and :mod:`.facts`
(what a request asks for), :mod:`.decide` (one batch call, bounded cache). Walkthrough: docs/policy.md.
"""

from kong_plugins.ai_action_authz.handler import PRIORITY, VERSION, Plugin
from kong_plugins.ai_action_authz.schema import SCHEMA_DUMP, Schema

__all__ = ["SCHEMA_DUMP", "Plugin", "Schema", "priority", "version"]

version = VERSION
priority = PRIORITY
