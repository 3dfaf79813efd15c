"""ai-output-redactor for the stock kong-pdk server: `kong-python-pluginserver -d <this folder>`.

kong-pdk names a plugin after its file; the plugin itself lives in the kong_plugins package.
"""

from kong_plugins.ai_output_redactor import Plugin, Schema, priority, version

__all__ = ["Plugin", "Schema", "priority", "version"]
