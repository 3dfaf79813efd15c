"""``ai-token-limiter-stream``: ``ai-token-limiter`` for streaming routes (settles in ``log``, so Kong does
not buffer the upstream response). Same configuration, plus ``stream_bytes_per_token``; see
:mod:`.handler` for what it settles from and its error.
"""

from kong_plugins.ai_token_limiter_stream.handler import PRIORITY, VERSION, Plugin
from kong_plugins.ai_token_limiter_stream.schema import SCHEMA_DUMP, Schema

__all__ = ["SCHEMA_DUMP", "Plugin", "Schema", "priority", "version"]

version = VERSION
priority = PRIORITY
