"""``ai-input-guard``: validates the request body once for the whole chain, before the model sees anything.

A kong-pdk plugin module: ``Plugin`` (the handler), ``Schema`` (config fields), ``version``, ``priority``, and
``SCHEMA_DUMP`` (the full schema with its entity checks, for the plugin server's dump). The checks live in
the modules beside the handler, in the order they run: :mod:`.content_type`, :mod:`.body`, :mod:`.formats`
(with :mod:`.schemas`), :mod:`.models`, :mod:`.tokens`, :mod:`.content_rules`, :mod:`.injection` (with
:mod:`.injection_rules` and :mod:`.text_variants`) and :mod:`.ood`; :mod:`.inspection` runs them and
:mod:`.settings` compiles the configuration.
"""

from kong_plugins.ai_input_guard.handler import PRIORITY, VERSION, Plugin
from kong_plugins.ai_input_guard.schema import SCHEMA_DUMP, Schema

__all__ = ["SCHEMA_DUMP", "Plugin", "Schema", "priority", "version"]

version = VERSION
priority = PRIORITY
