"""Blocking work inside a plugin handler, without stalling the other requests: :func:`run`.

Under ``kong-ai-pluginserver``'s event-loop runtime (``--runtime green``) every handler runs in a greenlet on
the one thread that owns all of Kong's connections. A PDK call switches back to that loop by itself, but a
plain blocking call (a Redis command through redis-py, an HTTP request to OPA or a guardrail service, a
``Condition.wait``) would hold the whole process: every other request would wait for it. So every such call
of our plugins goes through ``blocking.run(fn, *args)``:

* in a handler greenlet of the event-loop runtime, ``fn`` runs on a bounded pool of worker threads; the
  handler's greenlet is switched out meanwhile, and the loop serves other events; the worker's completion
  wakes the loop through an ``eventfd`` registered in its selector, and the loop switches back into the
  handler with the result (or raises the worker's exception at the call site);
* anywhere else (the thread-per-event runtime, the stock kong-pdk server, a worker thread, a CLI command, a
  unit test) ``fn`` is simply called.

The choke points: :mod:`kong_plugins.core.redis` hands out clients whose commands and pipelines go through
here, and the few other blocking calls (OPA's HTTP request, the limiter's queue wait, a policy refresh from
Redis) call it themselves. Two rules for code that runs in handlers, which keep the loop from deadlocking:
never hold a ``threading.Lock`` across ``run`` or a PDK call (another greenlet of the same thread would block
on it forever: do the locked work inside ``fn`` instead), and never block outside ``run``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: Set by the event-loop runtime when it starts: ``offload(fn, args, kwargs)`` runs ``fn`` without holding
#: the loop when called from a handler greenlet, and calls it directly otherwise.
_offload: Callable[[Callable[..., Any], tuple[Any, ...], dict[str, Any]], Any] | None = None


def run(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, run so that other events go on meanwhile (see the module docstring)."""
    offload = _offload
    if offload is None:
        return fn(*args, **kwargs)
    return offload(fn, args, kwargs)


def install(offload: Callable[[Callable[..., Any], tuple[Any, ...], dict[str, Any]], Any] | None) -> None:
    """Called by the plugin server's runtime (None to uninstall)."""
    global _offload
    _offload = offload
