"""``ai-token-limiter`` handler: reserve in ``access`` (:mod:`.engine`), settle in ``response``.

Having a ``response`` phase makes Kong buffer the whole upstream response of every request this plugin is
configured on (kong/init.lua ``Kong.response``): the body is read in full, so the real usage is exact — and
an SSE stream reaches the client all at once, at its end. Routes that must keep streaming use
``ai-token-limiter-stream`` instead (settles in ``log``, no buffering; see its module).

PDK round trips in ``response``: ``kong.ctx.shared.get("ai_guard.usage")``, ``kong.service.response.
get_status()``, ``kong.service.response.get_raw_body()`` (not for error statuses), ``kong.ctx.shared.set(
"ai_guard.usage", ...)``: **4** for a successful answer. Redis: at most one script call.

Settlement: the upstream's reported usage (or the count of its deltas, see :mod:`.usage`) replaces the
estimate; the prompt estimate stands when the upstream says nothing about the prompt. An error status (4xx,
5xx, Kong's 502/504 for an unreachable or timed-out upstream) releases the whole completion reservation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from kong_plugins.ai_token_limiter.engine import TokenLimiterBase
from kong_plugins.ai_token_limiter.plan import Amounts
from kong_plugins.ai_token_limiter.reservation import Reservation
from kong_plugins.ai_token_limiter.schema import NAME, SCHEMA
from kong_plugins.ai_token_limiter.usage import NO_USAGE, Usage, parse_usage
from kong_plugins.core.handler import phase
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.schema.dsl import PluginSchema

__all__ = ["PRIORITY", "VERSION", "Plugin", "actual_amounts"]

VERSION = "0.1.0"
PRIORITY = priority_of(NAME)


def actual_amounts(
    reservation: Reservation, usage: Usage, price_cost: Callable[[int, int], int], *, failed: bool
) -> Amounts:
    """What the request really used: the reported/counted usage, the estimate where nothing is known, and
    no completion at all when the upstream failed. ``price_cost(prompt, completion)`` prices it."""
    reserved = reservation.reserved
    prompt = reserved.prompt_tokens if usage.prompt_tokens is None else usage.prompt_tokens
    completion = 0 if failed or usage.completion_tokens is None else usage.completion_tokens
    return Amounts(prompt, completion, price_cost(prompt, completion))


class Plugin(TokenLimiterBase):
    """Request, token and cost limits, reserved before the upstream and settled from its buffered answer."""

    name = NAME
    schema: ClassVar[PluginSchema] = SCHEMA

    @phase
    def access(self, pdk: Pdk) -> None:
        self.reserve(pdk)

    @phase
    def response(self, pdk: Pdk) -> None:
        reservation = self.pending_reservation(pdk)
        if reservation is None:
            return
        status = pdk.call("service.response.get_status")
        failed = not isinstance(status, int) or status >= 400
        usage = NO_USAGE if failed else parse_usage(pdk.call("service.response.get_raw_body"))
        price = self.price_of(reservation.subject.model)
        self.settle(pdk, reservation, actual_amounts(reservation, usage, price.cost_nano_usd, failed=failed))
