"""What both limiter plugins do: reserve in ``access``, settle when the real usage is known.

``ai-token-limiter`` settles in ``response`` from the buffered body; ``ai-token-limiter-stream`` settles in
``log`` from Kong's log snapshot (so Kong does not buffer its streams). Both share this base.

PDK round trips in ``access`` (each ``kong.*`` call is one):

* ``kong.ctx.shared.get("ai_guard")``: always (the context contract's one entry: sections ``tenant`` and
  ``request``; the tenant's facts carry a ``kong-ai emergency restrict --tokens-per-minute`` in force: the
  tenant's per-minute token limits are narrowed for this request, same counters, or where there is nothing
  to narrow an extra per-minute tenant counter is checked in the same script call: no extra round trip,
  PDK or Redis);
* ``kong.request.get_raw_body()``: only when ai-input-guard published no request facts;
* ``kong.client.get_consumer()``: only with ``consumer``/``consumer_model`` limits;
* ``kong.router.get_route()``: only with ``route`` limits on a plugin not attached to a route;
* ``kong.client.get_forwarded_ip()``: only with ``ip`` limits;
* ``kong.response.set_headers({...})``: admitted requests, unless ``hide_client_headers``;
* ``kong.ctx.shared.set("ai_guard", ...)``: admitted requests (section ``usage``);
* ``kong.response.exit(429, ...)``: refused requests (headers and Retry-After go with it).

So an admitted request costs **3** round trips with the input guard in front (2 with hidden headers), and a
refused one 2. Redis: exactly **one** script call per reservation attempt (a queued request makes one more
per wake-up), and at most one to settle (none when the reservation was exact); after a Redis outage, one
more per request until what the fallback counted has been added (:mod:`.degraded`).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Any, ClassVar

from kong_plugins.ai_token_limiter.backend import DEGRADED, LimiterBackend, Reserved
from kong_plugins.ai_token_limiter.compute import MAX_COMPUTE_MS
from kong_plugins.ai_token_limiter.counters import Decision
from kong_plugins.ai_token_limiter.estimate import RequestEstimate, estimate_from_body, estimate_from_facts
from kong_plugins.ai_token_limiter.headers import limit_headers, refusal
from kong_plugins.ai_token_limiter.local_store import wall_clock_ms
from kong_plugins.ai_token_limiter.plan import (
    Amounts,
    EmergencyLimits,
    Plan,
    Subject,
    build_plan,
    emergency_cap_limit,
    emergency_cap_rule,
    restricted,
    with_emergency_cap,
)
from kong_plugins.ai_token_limiter.pricing import ModelPrice, UnknownModel
from kong_plugins.ai_token_limiter.queue import WaitingRoom, release_signal, wait_for_capacity
from kong_plugins.ai_token_limiter.reservation import Reservation, UsageSource
from kong_plugins.ai_token_limiter.settings import LimiterSettings, build_settings
from kong_plugins.core import blocking, metrics
from kong_plugins.core.client_ip import ip_group
from kong_plugins.core.context import REQUEST, TENANT, USAGE, RequestFacts, SharedEntry, TenantFacts
from kong_plugins.core.errors import BadRequest
from kong_plugins.core.handler import GuardPlugin
from kong_plugins.core.pdk import Pdk, PdkError
from kong_plugins.core.schema import ensure_valid_config
from kong_plugins.core.schema.dsl import PluginSchema

__all__ = ["TokenLimiterBase"]

log = logging.getLogger("kong_plugins.ai_token_limiter")

MAX_ID_CHARS = 256
PLAN_CACHE_SIZE = 4096
UNKNOWN_MODEL_MESSAGE = "Model has no price"
TOO_MANY_COMPLETIONS_MESSAGE = "Too many completions requested"


def _identifier(value: Any) -> str | None:
    """An id from Kong or another plugin, if it is a sane string (keys.py bounds it further)."""
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS:
        return value
    return None


def _model_key(model: str | None) -> str | None:
    """The model as ``*_model`` counters name it: lower-cased, since prices and max outputs match model names
    case-insensitively, so ``GPT-4o`` and ``gpt-4o`` must share one per-model counter too."""
    return model.lower() if model is not None else None


class TokenLimiterBase(GuardPlugin):
    """Reservation in ``access``; subclasses add the phase that settles."""

    schema: ClassVar[PluginSchema]
    settings: LimiterSettings

    def __init__(self, config: dict[str, Any] | None) -> None:
        super().__init__(config)
        self.backend = LimiterBackend(self.settings, name=self.name)
        self.waiting_room = WaitingRoom(self.settings.queue_max_waiters)
        self.releases = release_signal(self.settings.namespace)
        self._plans: OrderedDict[Subject, Plan] = OrderedDict()
        self._plans_lock = threading.Lock()

    def plan_for(self, subject: Subject) -> Plan:
        """The counters of ``subject`` (built once, then served from a bounded LRU cache: keys are encoded
        and hashed only the first time a tenant/model/consumer combination is seen)."""
        with self._plans_lock:
            plan = self._plans.get(subject)
            if plan is not None:
                self._plans.move_to_end(subject)
                return plan
        plan = build_plan(self.settings, subject)
        with self._plans_lock:
            self._plans[subject] = plan
            while len(self._plans) > PLAN_CACHE_SIZE:
                self._plans.popitem(last=False)
        return plan

    def compile(self, config: dict[str, Any]) -> LimiterSettings:
        return build_settings(ensure_valid_config(self.schema.config, config))

    # ------------------------------------------------------------------------------------------ access
    def reserve(self, pdk: Pdk) -> None:
        """The whole access phase: reserve all limits or answer 429 (or 503 / 400)."""
        settings = self.settings
        entry = SharedEntry(pdk)
        tenant = TenantFacts.from_shared(entry.get(TENANT))
        facts = RequestFacts.from_shared(entry.get(REQUEST))
        estimate = estimate_from_facts(facts) if facts is not None else self._estimate_from_body(pdk)
        subject = Subject(
            tenant=_identifier(tenant.id) if tenant else None,
            consumer=self._consumer_id(pdk) if settings.needs_consumer else None,
            model=_model_key(estimate.model),
            route=self._route_id(pdk) if settings.needs_route else None,
            tier=_identifier(tenant.tier) if tenant else None,
            ip=self._client_ip(pdk) if settings.needs_ip else None,
        )
        try:
            price = settings.prices.price_of(estimate.model)
        except UnknownModel:
            raise BadRequest(UNKNOWN_MODEL_MESSAGE, log_reason="no price for the requested model") from None
        reserved = self._reserved_amounts(estimate, price)
        if settings.needs_compute:
            reserved = replace(reserved, compute_ms=settings.compute.estimate_ms(estimate.model))
        plan = self.plan_for(subject)
        emergency = EmergencyLimits.from_facts(tenant.emergency) if tenant is not None else None
        cap_rule = None
        if emergency is not None:  # kong-ai emergency restrict --tokens-per-minute, in force
            cap_rule = emergency_cap_rule(plan, emergency)
            plan = restricted(plan, emergency)
            if cap_rule is not None:  # nothing configured to narrow: an extra per-minute tenant limit
                plan = with_emergency_cap(plan, settings, subject, cap_rule)
        result = self._reserve_or_wait(plan, reserved, subject)
        decision = result.decision
        headers: dict[str, str] = {}
        if not settings.hide_client_headers:
            degraded = result.mode == DEGRADED
            headers = limit_headers(
                plan.rules,
                decision,
                degraded=degraded,
                scale=self.backend.degraded_scale if degraded else 1.0,
                guessed_nodes=degraded and not settings.node_count_set,
            )
        if not decision.admitted:
            assert decision.failing is not None
            raise refusal(plan.rule_of[decision.failing], decision, headers)
        if headers:
            pdk.call("response.set_headers", headers)
        at_ms = wall_clock_ms() if settings.needs_compute else 0
        reservation = Reservation(
            result.mode,
            decision.buckets,
            subject,
            reserved,
            at_ms=at_ms,
            emergency_cap=cap_rule.units if cap_rule is not None else None,
            plugin=self.name,
        )
        _set_aside_other_reservation(entry, self.name)
        entry.put(USAGE, reservation.to_shared())
        entry.write()

    def _reserved_amounts(self, estimate: RequestEstimate, price: ModelPrice) -> Amounts:
        """What the request can really cost: every completion it asks for (``n``/``best_of``), each up to
        its ``max_tokens`` or, without one, the model's largest output (see :mod:`.max_output`)."""
        allowed = self.settings.max_completions
        if estimate.completions > allowed:
            reason = f"{estimate.completions} completions asked, {allowed} allowed"
            raise BadRequest(TOO_MANY_COMPLETIONS_MESSAGE, log_reason=reason)
        per_completion = estimate.max_tokens
        if per_completion is None:
            per_completion = self.settings.max_output.max_output_of(estimate.model)
        completion = per_completion * estimate.completions
        prompt = estimate.prompt_tokens
        return Amounts(prompt, completion, price.cost_nano_usd(prompt, completion))

    def _reserve_or_wait(self, plan: Plan, reserved: Amounts, subject: Subject) -> Reserved:
        amounts = plan.amounts(reserved)
        if not plan.counters:  # this tier has no limits: nothing to ask any store
            return Reserved(Decision(True, 0, None, False, (), (), ()), self.settings.strategy)
        result = self.backend.reserve(plan.counters, amounts, subject.member)
        max_wait_ms = self.settings.queue_max_wait_ms
        if result.decision.admitted or result.decision.never or max_wait_ms <= 0:
            return result
        if not self.waiting_room.enter():
            return result
        metrics.observe_limiter_queued(subject.tenant)
        latest = [result]

        def attempt() -> tuple[bool, float | None]:
            latest[0] = self.backend.reserve(plan.counters, amounts, subject.member)
            decision = latest[0].decision
            if decision.never:
                return False, None
            return decision.admitted, decision.retry_after_ms / 1000

        try:
            first_retry = (
                result.decision.retry_after_ms / 1000 if result.decision.retry_after_ms >= 0 else None
            )
            # The wait (a condition variable and Redis attempts) holds a worker thread, never the event loop.
            blocking.run(wait_for_capacity, attempt, self.releases, max_wait_ms / 1000, first_retry)
        finally:
            self.waiting_room.leave()
        return latest[0]

    def _estimate_from_body(self, pdk: Pdk) -> RequestEstimate:
        try:
            body = pdk.call("request.get_raw_body")
        except PdkError as exc:  # a body Kong could not buffer: size the reservation without it
            log.info("[%s] request body unreadable (%s): prompt estimate 0", self.name, exc)
            body = None
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogateescape")
        return estimate_from_body(body if isinstance(body, bytes) else None)

    def _consumer_id(self, pdk: Pdk) -> str | None:
        consumer = pdk.call("client.get_consumer")
        return _identifier(consumer.get("id")) if isinstance(consumer, dict) else None

    def _client_ip(self, pdk: Pdk) -> str | None:
        settings = self.settings
        address = pdk.call("client.get_forwarded_ip")
        return ip_group(address, settings.ipv4_prefix_length, settings.ipv6_prefix_length)

    def _route_id(self, pdk: Pdk) -> str | None:
        if self.route_id:
            return self.route_id
        route = pdk.call("router.get_route")
        return _identifier(route.get("id")) if isinstance(route, dict) else None

    # ------------------------------------------------------------------------------------------ settle
    def settle(
        self,
        entry: SharedEntry,
        reservation: Reservation,
        actual: Amounts,
        source: UsageSource,
        *,
        compute_ms: int | None = None,
    ) -> None:
        """Correct every counter by ``actual - reserved`` and publish the actual usage and cost, and
        ``source``: how the actual usage was known (``usage_source``, :mod:`.reservation`), in ``entry``
        (the one :meth:`pending_reservation` read; one write).
        ``compute_ms``: the upstream's processing time when the answer or Kong said it, else the time
        since the reservation is used (``compute_seconds`` limits only, :mod:`.compute`)."""
        if self.settings.needs_compute:
            if compute_ms is None:
                compute_ms = max(0, wall_clock_ms() - reservation.at_ms) if reservation.at_ms else None
            used = reservation.reserved.compute_ms if compute_ms is None else compute_ms
            actual = replace(actual, compute_ms=min(used, MAX_COMPUTE_MS))
        plan = self.plan_for(reservation.subject)
        if reservation.emergency_cap is not None:  # the extra counter access reserved on, settled too
            cap_rule = emergency_cap_limit(reservation.emergency_cap)
            plan = with_emergency_cap(plan, self.settings, reservation.subject, cap_rule)
        deltas = plan.deltas(actual, reservation.reserved)
        if len(plan.counters) == len(reservation.buckets):
            self.backend.settle(reservation.mode, plan.counters, deltas, reservation.buckets)
            if any(delta < 0 for delta in deltas):
                self.releases.notify()
        else:  # the configuration changed between the phases: these buckets are not these counters
            log.info("[%s] configuration changed since access: reservation left as it was", self.name)
        entry.put(reservation.slot, reservation.to_shared(actual=actual, source=source))
        entry.write()

    def price_of(self, model: str | None) -> ModelPrice:
        """The price to settle with (an admitted request's model was priced in access)."""
        try:
            return self.settings.prices.price_of(model)
        except UnknownModel:
            return self.settings.prices.default

    def pending_reservation(self, entry: SharedEntry) -> Reservation | None:
        """The reservation this request made in access, unless it is absent or already settled: in
        ``usage``, or in ``usage.<this plugin>`` where the other limiter variant set it aside."""
        for slot in (USAGE, own_slot(self.name)):
            reservation = Reservation.from_shared(entry.get(slot), slot)
            if reservation is not None and reservation.plugin in ("", self.name):
                return None if reservation.settled else reservation
        return None


def own_slot(plugin: str) -> str:
    """Where a limiter's reservation is kept when the other variant's took ``usage``: ``usage.<plugin>``."""
    return f"{USAGE}.{plugin}"


def _set_aside_other_reservation(entry: SharedEntry, plugin: str) -> None:
    """ai-token-limiter and ai-token-limiter-stream on one route (same priority: the stream variant runs
    first): the reservation the other one made in ``usage`` still has to be settled by it (the stream
    variant settles in ``log``), so it moves to ``usage.<that plugin>`` before this one's takes ``usage``
    (read by ai-audit-log). Replacing it lost it: that variant's counters kept the whole reservation."""
    earlier = entry.get(USAGE)
    if not isinstance(earlier, dict):
        return
    other = earlier.get("reservation_plugin")
    if (
        isinstance(other, str)
        and other
        and other != plugin
        and earlier.get("reservation_settled") is not True
    ):
        entry.put(own_slot(other), earlier)
