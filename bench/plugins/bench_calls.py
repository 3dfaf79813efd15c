"""``bench_calls``: an ``access`` handler that makes exactly ``calls`` PDK round trips and nothing else.

Why a plugin of its own: the overhead bench must load the *same* handler into the stock kong-pdk server and
into ours (both with ``-d bench/plugins``), so that any difference is the server's, not the plugin's. Each
call is ``kong.request.get_header("x-bench")``: one Step on the wire, a small string back, no work in Python.
This directory must hold only plugin files: ``-d`` serves every ``*.py`` in it.
"""

from __future__ import annotations

from typing import Any

Schema = ({"calls": {"type": "integer", "default": 0, "between": [0, 100]}},)
version = "0.1.0"
priority = 0


class Plugin:
    """Runs ``config["calls"]`` PDK calls in ``access`` (0 = a no-op event answered with "ret")."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.calls = max(0, min(100, int(config.get("calls") or 0)))

    def access(self, kong: Any) -> None:
        for _ in range(self.calls):
            kong.request.get_header("x-bench")
