"""The common core shared by every kong-ai-guard plugin (the equivalent of Kong's ``kong/tools``)."""
