"""``ai-output-redactor``: treats model output as untrusted before it reaches the client.

A kong-pdk plugin module: ``Plugin`` (the handler), ``Schema``, ``version``, ``priority`` and ``SCHEMA_DUMP``.
The work lives beside the handler: :mod:`.detectors` (RE2 patterns) with :mod:`.validators` (checksums,
ranges, libphonenumber), :mod:`.engine` (find, allow, replace per mode, count), :mod:`.json_body`,
:mod:`.sse` (values split across stream events), :mod:`.answer` (decoding, media types, headers) and
:mod:`.settings` (compiled once per instance).
"""

from kong_plugins.ai_output_redactor.handler import PRIORITY, VERSION, Plugin
from kong_plugins.ai_output_redactor.schema import SCHEMA_DUMP, Schema

__all__ = ["SCHEMA_DUMP", "Plugin", "Schema", "priority", "version"]

version = VERSION
priority = PRIORITY
