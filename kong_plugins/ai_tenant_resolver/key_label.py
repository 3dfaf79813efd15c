"""The label a refused request's API key gets in ``kong_ai_auth_failures_by_key_total`` (core/metrics.py).

Bursts of 401/403 per key show credential stuffing and a leaked or revoked key still in use, but a key must
never reach a label. A key we issue is ``kag_`` and 43 random characters; its first 8 characters are what
``kong-ai keys list`` shows to tell keys apart (:data:`~.api_keys.DISPLAY_PREFIX_LENGTH`): 24 random bits,
far too few to guess the rest. Anything else in the header is ``malformed`` (never hashed or shown: it
could be a secret of another kind pasted by mistake), and no header is ``none``. The metrics side folds
the prefixes beyond ``max_keys`` distinct ones into ``other``, as tenants are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kong_plugins.ai_tenant_resolver.api_keys import DISPLAY_PREFIX_LENGTH, is_well_formed_key
from kong_plugins.ai_tenant_resolver.sources import header_values

__all__ = ["MALFORMED", "NO_KEY", "key_label"]

MALFORMED = "malformed"
NO_KEY = "none"


def key_label(headers: Mapping[str, Any], header_name: str) -> str:
    """The key's display prefix, ``malformed`` or ``none``."""
    values = header_values(headers, header_name)
    if not values:
        return NO_KEY
    key = values[0].strip() if len(values) == 1 and isinstance(values[0], str) else None
    if key is None or not is_well_formed_key(key):
        return MALFORMED
    return key[:DISPLAY_PREFIX_LENGTH]
