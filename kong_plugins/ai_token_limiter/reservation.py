"""The reservation as published in the ``usage`` section of ``ai_guard``: what the audit log reads and what
settling needs.

The section is :class:`~kong_plugins.core.context.UsageFacts` (reserved and actual tokens and cost,
``degraded``) plus flat ``reservation_*`` fields that only this plugin reads (readers ignore unknown
fields): the store that took the reservation, the buckets it charged, the subject its counters were built
for, the exact reserved cost in nano-USD, and whether it has been settled (so it is never settled twice).
One ``kong.ctx.shared.set`` in access and one ``get`` + ``set`` when settling: no other state crosses
phases, so any plugin server process can settle a reservation made by another.

Once settled, ``usage_source`` says where the actual numbers came from: ``reported`` (the upstream's
``usage``), ``counted`` (the answer's text, deltas or bytes), ``estimate`` (the usage could not be read:
the reservation was settled) or ``upstream_error`` (an error status: the completion was released).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kong_plugins.ai_token_limiter.plan import Amounts, Subject
from kong_plugins.ai_token_limiter.pricing import nano_usd_to_usd
from kong_plugins.core.context import UsageFacts

__all__ = ["COUNTED", "ESTIMATE", "REPORTED", "UPSTREAM_ERROR", "Reservation", "UsageSource"]

UsageSource = Literal["reported", "counted", "estimate", "upstream_error"]
REPORTED: UsageSource = "reported"
COUNTED: UsageSource = "counted"
ESTIMATE: UsageSource = "estimate"
UPSTREAM_ERROR: UsageSource = "upstream_error"

_MAX_BUCKETS = 64


def _cap(value: Any) -> int | None:
    cap = _int(value)
    return cap if cap is not None and cap >= 0 else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


@dataclass(frozen=True)
class Reservation:
    """What access reserved, where, and for whom."""

    mode: str
    buckets: tuple[int, ...]
    subject: Subject
    reserved: Amounts
    settled: bool = False
    at_ms: int = 0
    """When access reserved (epoch ms, this plugin server's clock): the start of the measured upstream
    time for ``compute_seconds``."""
    emergency_cap: int | None = None
    """The extra per-minute tenant token limit an emergency restriction added (``plan.emergency_cap_rule``):
    settling corrects its counter too, even if the restriction lapsed meanwhile."""
    plugin: str = ""
    """The limiter that made it (``reservation_plugin``; "" when written before the field existed): with
    ai-token-limiter and ai-token-limiter-stream on one route, each settles only its own reservation."""
    slot: str = field(default="usage", compare=False)
    """The entry's section it was read from (``usage``, or ``usage.<plugin>`` where another limiter moved
    it): settling writes it back there. Not published."""

    def to_shared(
        self, *, actual: Amounts | None = None, source: UsageSource | None = None
    ) -> dict[str, Any]:
        """The ``ai_guard.usage`` map (with the actual usage, and where it came from, once settled)."""
        facts = UsageFacts(
            reserved_prompt_tokens=self.reserved.prompt_tokens,
            reserved_completion_tokens=self.reserved.completion_tokens,
            reserved_cost_usd=nano_usd_to_usd(self.reserved.cost_nano_usd),
            prompt_tokens=None if actual is None else actual.prompt_tokens,
            completion_tokens=None if actual is None else actual.completion_tokens,
            cost_usd=None if actual is None else nano_usd_to_usd(actual.cost_nano_usd),
            degraded=self.mode == "degraded",
            usage_source=None if actual is None else source,
        ).to_shared()
        facts.update(
            reservation_mode=self.mode,
            reservation_buckets=list(self.buckets),
            reservation_subject=self.subject.to_list(),
            reserved_cost_nano_usd=self.reserved.cost_nano_usd,
            reservation_settled=self.settled or actual is not None,
        )
        if self.plugin:
            facts["reservation_plugin"] = self.plugin
        if self.emergency_cap is not None:
            facts["reservation_emergency_cap"] = self.emergency_cap
        if self.reserved.compute_ms or (actual is not None and actual.compute_ms):
            facts.update(
                reserved_compute_seconds=self.reserved.compute_ms / 1000,
                reservation_at_ms=self.at_ms,
                compute_seconds=None if actual is None else actual.compute_ms / 1000,
            )
        return facts

    @classmethod
    def from_shared(cls, value: Any, slot: str = "usage") -> Reservation | None:
        """Rebuild from ``kong.ctx.shared.get``; None when absent, foreign or malformed."""
        if not isinstance(value, dict):
            return None
        mode = value.get("reservation_mode")
        subject = Subject.from_list(value.get("reservation_subject"))
        raw_buckets = value.get("reservation_buckets")
        # Lua turns an empty list into an empty table, which comes back as an empty list or map.
        if raw_buckets in ({}, None):
            raw_buckets = []
        if mode not in ("local", "redis", "degraded") or subject is None or not isinstance(raw_buckets, list):
            return None
        buckets = [_int(bucket) for bucket in raw_buckets[: _MAX_BUCKETS + 1]]
        prompt = _int(value.get("reserved_prompt_tokens"))
        completion = _int(value.get("reserved_completion_tokens"))
        cost = _int(value.get("reserved_cost_nano_usd"))
        if len(buckets) > _MAX_BUCKETS or None in buckets or None in (prompt, completion, cost):
            return None
        assert prompt is not None and completion is not None and cost is not None
        compute = value.get("reserved_compute_seconds")
        compute_ms = round(compute * 1000) if isinstance(compute, int | float) and compute > 0 else 0
        return cls(
            mode=mode,
            buckets=tuple(b for b in buckets if b is not None),
            subject=subject,
            reserved=Amounts(prompt, completion, cost, compute_ms=compute_ms),
            settled=value.get("reservation_settled") is True,
            at_ms=_int(value.get("reservation_at_ms")) or 0,
            emergency_cap=_cap(value.get("reservation_emergency_cap")),
            plugin=plugin if isinstance(plugin := value.get("reservation_plugin"), str) else "",
            slot=slot,
        )
