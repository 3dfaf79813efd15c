"""kong-ai-guard: Kong Gateway 3.x plugins, written in Python, that secure multi-tenant AI/LLM APIs.

Each plugin lives in its own sub-package (``kong_plugins.ai_tenant_resolver`` ...) and is a standard
kong-pdk plugin module (``Plugin``, ``Schema``, ``version``, ``priority``). Shared code lives in
``kong_plugins.core``; the plugin server that serves them all to Kong lives in ``kong_plugins.server``.
"""

__version__ = "0.1.0"
