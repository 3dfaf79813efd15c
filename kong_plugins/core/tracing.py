"""OpenTelemetry spans per plugin phase, continuing the request's W3C trace (``traceparent``).

Off by default (``kong-ai-pluginserver --otel-endpoint URL``; opentelemetry-sdk and the OTLP/HTTP exporter
are the ``otel`` extra). When on, every ``@phase`` handler (core/handler.py) is one span named
``<plugin> <phase>`` with the attributes ``kong.plugin``, ``kong.phase`` and ``kong_ai.pdk_calls``, child
of the span the request's ``traceparent`` header names (a request without one starts a trace of its own).

Cost: reading ``traceparent`` is **one PDK round trip per plugin phase** while tracing is on (a plugin does
not see request headers it did not ask for, and the emulated and real Kong both answer ``get_header`` in one
round trip). Metrics (core/metrics.py) add none; tracing is the opt-in that does. Spans are exported in
batches from a thread of the SDK, never on the request path.

The header continued is the request's as our plugins see it in their phase: the client's (or an edge
proxy's). Kong's own opentelemetry plugin (priority 14) runs after ours in ``access``; when it extracts the
same incoming header, its spans and ours are in one trace.
"""

from __future__ import annotations

import threading
import time
from typing import Any

__all__ = ["enable", "enabled", "end", "reset_for_tests", "start"]

_tracer: Any = None
_propagator: Any = None
_provider: Any = None
_lock = threading.Lock()
MAX_TRACEPARENT_CHARS = 128


def enabled() -> bool:
    return _tracer is not None


def enable(
    exporter: Any = None, *, endpoint: str | None = None, service_name: str = "kong-ai-pluginserver"
) -> None:
    """Start tracing into ``exporter`` (tests: an in-memory one) or an OTLP/HTTP ``endpoint``."""
    global _tracer, _propagator, _provider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    with _lock:
        if _tracer is not None:
            return
        if exporter is None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter(endpoint=endpoint, timeout=5)
        provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=500))
        _provider = provider
        _propagator = TraceContextTextMapPropagator()
        _tracer = provider.get_tracer("kong_plugins")


def start(plugin: str, phase: str, pdk: Any) -> Any:
    """The span of one handler run, or None when tracing is off. Reads ``traceparent`` (one PDK call)."""
    tracer = _tracer
    if tracer is None:
        return None
    parent = None
    try:
        header = pdk.call("request.get_header", "traceparent")
    except Exception:  # a phase without request headers: a trace of its own
        header = None
    if isinstance(header, str) and 0 < len(header) <= MAX_TRACEPARENT_CHARS:
        parent = _propagator.extract({"traceparent": header})
    return tracer.start_span(
        f"{plugin} {phase}",
        context=parent,
        start_time=time.time_ns(),
        attributes={"kong.plugin": plugin, "kong.phase": phase},
    )


def end(span: Any, pdk_calls: int) -> None:
    if span is None:
        return
    span.set_attribute("kong_ai.pdk_calls", pdk_calls)
    span.end()


def flush(timeout_ms: int = 5000) -> None:
    if _provider is not None:
        _provider.force_flush(timeout_ms)


def reset_for_tests() -> None:
    global _tracer, _propagator, _provider
    with _lock:
        if _provider is not None:
            _provider.shutdown()
        _tracer = _propagator = _provider = None
