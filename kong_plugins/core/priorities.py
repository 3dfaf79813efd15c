"""Every kong-ai-guard plugin's name and Kong priority, in one table.

Kong runs plugins by descending priority (ties: name descending). Ours sit after Kong's authentication
plugins (jwt 1450, key-auth 1250 ...) and before ``acl`` (950) and ``rate-limiting`` (910), in the order
that lets each use what the previous published. A test checks the order.
"""

from __future__ import annotations

PRIORITIES: dict[str, int] = {
    "ai-tenant-resolver": 1010,
    "ai-input-guard": 1008,
    "ai-action-authz": 1006,
    "ai-token-limiter": 1004,
    "ai-token-limiter-stream": 1004,
    "ai-output-redactor": 1002,
    "ai-audit-log": 1000,
}


def priority_of(name: str) -> int:
    """The Kong priority of the plugin called ``name``."""
    return PRIORITIES[name]
