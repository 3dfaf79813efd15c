"""``ai-token-limiter`` handler: reserve in ``access`` (:mod:`.engine`), settle in ``response``.

Having a ``response`` phase makes Kong buffer the whole upstream response of every request this plugin is
configured on (kong/init.lua ``Kong.response``): the body is read in full, so the real usage is exact — and
an SSE stream reaches the client all at once, at its end. Routes that must keep streaming use
``ai-token-limiter-stream`` instead (settles in ``log``, no buffering; see its module).

PDK round trips in ``response``: ``kong.ctx.shared.get("ai_guard")`` (section ``usage``), ``kong.service.
response.get_status()``, ``kong.service.response.get_raw_body()`` (not for error statuses), ``kong.ctx.
shared.set("ai_guard", ...)`` (the settled ``usage``, and in section ``answer`` the status, so that
ai-output-redactor does not ask for it again, and the body's digest, so that ai-audit-log does not read the
body again: core/answer_digest.py): **4** for a successful answer whose usage can be read as it is. One more,
``kong.service.response.get_header("Content-Encoding")``, only when the raw body yields nothing (**5**): a
compressed body never parses as JSON or SSE, and a readable one cannot be compressed, so the plain answer
does not pay for the header (``get_headers()`` would not help: it gives external plugins an empty map after
buffering, kong-protocol.md section 4). With a ``compute_seconds`` limit, one more:
``kong.service.response.get_header(compute_header)`` (:mod:`.compute`). Redis: at most one script call.

Settlement (``usage_source`` in ``ai_guard.usage`` says which rule applied):

* ``reported`` / ``counted``: the upstream's usage (or the count of its answer, see :mod:`.usage`) replaces
  the estimate; the prompt estimate stands when the upstream says nothing about the prompt;
* ``estimate``: the usage cannot be read — a compressed body that does not decode within the usage parser's
  bound (a decompression bomb), a coding no decoder here knows, a body over the bound, a format the parser
  does not know, a stream cut before it ended. Then the **reservation** is settled (the completion the
  request was admitted with, or what was counted if that is more), never less: undercounting silently
  would let token and cost limits drift, over-counting one request is bounded by its reservation;
* ``upstream_error``: an error status (4xx, 5xx, Kong's 502/504 for an unreachable or timed-out upstream)
  releases the whole completion reservation: the provider does not bill a refused request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from kong_plugins.ai_token_limiter.compute import header_ms
from kong_plugins.ai_token_limiter.engine import TokenLimiterBase
from kong_plugins.ai_token_limiter.plan import Amounts
from kong_plugins.ai_token_limiter.reservation import ESTIMATE, UPSTREAM_ERROR, Reservation, UsageSource
from kong_plugins.ai_token_limiter.schema import NAME, SCHEMA
from kong_plugins.ai_token_limiter.usage import NO_USAGE, UNKNOWN, Usage, parse_encoded_usage, parse_usage
from kong_plugins.core.answer_digest import AnswerDigest
from kong_plugins.core.context import ANSWER, SharedEntry
from kong_plugins.core.handler import phase
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.reply import pending
from kong_plugins.core.schema.dsl import PluginSchema

__all__ = ["PRIORITY", "VERSION", "Plugin", "actual_amounts"]

VERSION = "0.1.0"
PRIORITY = priority_of(NAME)
CONTENT_ENCODING = "Content-Encoding"


def actual_amounts(
    reservation: Reservation, usage: Usage, price_cost: Callable[[int, int], int], *, failed: bool
) -> tuple[Amounts, UsageSource]:
    """What the request used, and which rule said so (module docstring): the reported/counted usage; the
    reservation (or a larger partial count) when it is unknown; no completion when the upstream failed.
    The prompt is the upstream's number when it gave one, else the estimate. ``price_cost(prompt,
    completion)`` prices it."""
    reserved = reservation.reserved
    prompt = reserved.prompt_tokens if usage.prompt_tokens is None else usage.prompt_tokens
    source: UsageSource
    if failed:
        completion, source = 0, UPSTREAM_ERROR
    elif usage.known and usage.completion_tokens is not None:
        completion, source = usage.completion_tokens, usage.source  # "reported" or "counted"
    else:
        completion, source = max(reserved.completion_tokens, usage.completion_tokens or 0), ESTIMATE
    return Amounts(prompt, completion, price_cost(prompt, completion)), source


class Plugin(TokenLimiterBase):
    """Request, token and cost limits, reserved before the upstream and settled from its buffered answer."""

    name = NAME
    schema: ClassVar[PluginSchema] = SCHEMA

    @phase
    def access(self, pdk: Pdk) -> None:
        self.reserve(pdk)

    @phase
    def response(self, pdk: Pdk) -> None:
        entry = SharedEntry(pdk)
        reservation = self.pending_reservation(entry)
        if reservation is not None:
            self._settle_answer(pdk, entry, reservation)
        reply = pending(entry)
        if reply is not None and reply.finisher == self.name:
            # an earlier plugin replaced the answer and left it to this one to send (core/reply.py)
            raise reply.send()

    def _settle_answer(self, pdk: Pdk, entry: SharedEntry, reservation: Reservation) -> None:
        """Settle from the upstream's answer: a replaced answer (stripped, refused) was still generated."""
        status = pdk.call("service.response.get_status")
        failed = not isinstance(status, int) or status >= 400
        answer: dict[str, Any] = {"status": status} if isinstance(status, int) else {}
        usage = NO_USAGE
        if not failed:
            body = pdk.call("service.response.get_raw_body")
            usage = self._usage(pdk, body)
            if isinstance(body, bytes | str):  # for ai-audit-log (core/answer_digest.py)
                raw = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body
                answer["digest"] = AnswerDigest.of_body(raw).to_shared()
        entry.put(ANSWER, answer)  # handed on with the settlement's write
        price = self.price_of(reservation.subject.model)
        cost = partial(
            price.cost_nano_usd,
            cached_tokens=usage.cached_tokens,
            cache_write_tokens=usage.cache_write_tokens,
        )
        actual, source = actual_amounts(reservation, usage, cost, failed=failed)
        self.settle(entry, reservation, actual, source, compute_ms=self._compute_header_ms(pdk))

    def _compute_header_ms(self, pdk: Pdk) -> int | None:
        """The upstream's own processing time (``compute_header``), asked for only with ``compute_seconds``
        limits: one more PDK round trip then."""
        header = self.settings.compute_header
        if not self.settings.needs_compute or not header:
            return None
        return header_ms(pdk.call("service.response.get_header", header))

    @staticmethod
    def _usage(pdk: Pdk, body: Any) -> Usage:
        """The answer's usage; the Content-Encoding is asked for only when the raw body says nothing."""
        usage = parse_usage(body)
        if usage.source != UNKNOWN or not body:
            return usage
        encoding = pdk.call("service.response.get_header", CONTENT_ENCODING)
        return parse_encoded_usage(body, encoding) if isinstance(encoding, str) else usage
