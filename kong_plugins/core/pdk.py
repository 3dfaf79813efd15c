"""A thin, counted view of kong-pdk's ``kong`` object for our plugins.

kong-pdk hands a plugin a ``kong`` proxy whose every call is one round trip to Kong. Depending on the server's
``--no-lua-style`` flag a call returns either the data or a ``(data, err)`` tuple (msgpack never produces
tuples, so a tuple can only mean Lua style). ``Pdk`` hides that difference, so one plugin module runs
unchanged under our server and under the stock ``kong-python-pluginserver`` in either style, and it counts
calls so that handlers can be tested for their round-trip budget.
"""

from __future__ import annotations

from typing import Any


class PdkError(Exception):
    """Kong answered a PDK call with an error (Lua style ``nil, err``)."""


class Pdk:
    """Wraps the ``kong`` object given to a phase handler."""

    __slots__ = ("calls", "ended", "kong")

    def __init__(self, kong: Any) -> None:
        self.kong = kong
        self.calls = 0
        self.ended = False  # the handler answered the client (response.exit/error): the event is over

    def call(self, method: str, *args: Any) -> Any:
        """Call ``kong.<method>`` (e.g. ``"request.get_header"``); return its data, raise PdkError on err."""
        target = self.kong
        for part in method.split("."):
            target = getattr(target, part)
        self.calls += 1
        result = target(*args)
        if isinstance(result, tuple):
            data, err = (*result, None, None)[:2]
            if err:
                raise PdkError(f"kong.{method}: {err}")
            return data
        return result

    def call_no_return(self, method: str, *args: Any) -> None:
        """Call ``response.exit``/``response.error``: kong-pdk sends those without waiting for an answer."""
        target = self.kong
        for part in method.split("."):
            target = getattr(target, part)
        self.calls += 1
        self.ended = True
        target(*args)
