"""The base every kong-ai-guard plugin builds on: compile config once, run phases, turn errors into answers.

kong-pdk finds a plugin's phases by the methods its ``Plugin`` class defines, so the base cannot define them
all; a plugin writes ``@phase``-decorated methods taking a :class:`Pdk` instead of the raw ``kong`` object.
The decorator is the ONE place where our errors become Kong responses:

* :class:`PluginResponseError` → ``kong.response.error(status, message, headers)`` (Kong's own template:
  ``{"message": ..., "request_id": ...}``, negotiated from ``Accept``), or ``kong.response.exit`` with a JSON
  table when the error carries extra fields (``errors``, ``retry_after``...);
* anything else → logged with its traceback, and the request fails closed with Kong's
  ``500 {"message": "An unexpected error occurred"}`` (never "as if the plugin did nothing").

A handler that returns normally in access or response, without having answered the client, then sets its
completion mark (core/completion.py) as its last PDK call, when its config has ``fail_closed_mark: true``:
when the plugin server dies or fails instead, the mark is missing and the Lua ``ai-fail-closed`` guard
refuses the request that Kong would let through. Opt-in, because the mark costs one round trip per phase.

Configuration is validated and compiled in ``__init__`` (kong-pdk creates one Plugin object per plugin
configuration and reuses it for every request), never per request.
"""

from __future__ import annotations

import functools
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from kong_plugins.core import metrics, tracing
from kong_plugins.core.completion import FAIL_CLOSED_MARK, MARKED_PHASES, mark_key
from kong_plugins.core.errors import ConfigError, PluginResponseError, ReplaceResponse
from kong_plugins.core.pdk import Pdk

log = logging.getLogger("kong_plugins")

#: Keys Kong adds to every plugin config it sends (kong/runloop/plugins_iterator.lua get_plugin_config).
KONG_CONFIG_EXTRAS = frozenset(
    {
        "route_id",
        "service_id",
        "consumer_id",
        "plugin_instance_name",
        "__plugin_id",
        "__key__",
        "__seq__",
        "__ws_id",
    }
)

TERMINAL_PHASES = frozenset({"rewrite", "access", "response"})

P = TypeVar("P", bound="GuardPlugin")


def split_kong_extras(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate the plugin's own fields from the keys Kong adds (``__plugin_id``, ``route_id``...)."""
    own = {k: v for k, v in config.items() if k not in KONG_CONFIG_EXTRAS}
    extras = {k: v for k, v in config.items() if k in KONG_CONFIG_EXTRAS}
    return own, extras


class GuardPlugin:
    """Base of every plugin's ``Plugin`` class.

    Subclasses set ``name`` and implement ``compile(config) -> settings``; ``self.settings`` then holds the
    compiled, validated configuration (regexes, schemas, keys...) for every request of this instance.
    """

    name: ClassVar[str] = "kong-ai-guard"
    #: ``fail_closed_mark`` of this instance's config: whether completed access/response phases are marked.
    fail_closed_mark: bool = False

    def __init__(self, config: dict[str, Any] | None) -> None:
        own, extras = split_kong_extras(dict(config or {}))
        self.plugin_id: str | None = extras.get("__plugin_id")
        self.route_id: str | None = extras.get("route_id")
        self.config = own
        self.fail_closed_mark = own.get(FAIL_CLOSED_MARK) is True
        try:
            self.settings = self.compile(own)
        except ConfigError as exc:
            log.error("[%s] invalid configuration: %s %s", self.name, exc.message, exc.fields)
            raise

    def compile(self, config: dict[str, Any]) -> Any:
        """Validate ``config`` and build everything requests need; raise ConfigError when invalid."""
        return config

    def respond_error(self, pdk: Pdk, error: PluginResponseError) -> None:
        """Answer the client with ``error`` the Kong way (the single place that does it)."""
        if error.log_reason:
            log.info("[%s] %s: %s", self.name, error.status, error.log_reason)
        headers = dict(error.headers) or None
        if isinstance(error, ReplaceResponse):
            pdk.call_no_return("response.exit", error.status, error.raw_body, headers)
        elif error.extra:
            pdk.call_no_return("response.exit", error.status, error.body(), headers)
        else:
            pdk.call_no_return("response.error", error.status, error.message, headers)


def phase(method: Callable[[P, Pdk], None]) -> Callable[[P, Any], None]:
    """Turn ``def access(self, pdk: Pdk)`` into the ``(self, kong)`` handler kong-pdk calls."""
    phase_name = method.__name__

    @functools.wraps(method)
    def handler(self: P, kong: Any) -> None:
        pdk = Pdk(kong)
        started = time.perf_counter()
        span = tracing.start(self.name, phase_name, pdk)  # None unless --otel-endpoint
        try:
            method(self, pdk)
            if self.fail_closed_mark and phase_name in MARKED_PHASES and not pdk.ended:
                # Last call of a completed handler: ai-fail-closed refuses the request without it.
                pdk.call("ctx.shared.set", mark_key(self.name, phase_name), True)
        except PluginResponseError as error:
            if phase_name in TERMINAL_PHASES:
                self.respond_error(pdk, error)
            else:
                log.warning(
                    "[%s] %s in %s phase cannot be answered: %s",
                    self.name,
                    error.status,
                    phase_name,
                    error.message,
                )
        except Exception:
            log.error("[%s] %s phase failed:\n%s", self.name, phase_name, traceback.format_exc())
            if phase_name in TERMINAL_PHASES:
                pdk.call_no_return("response.error", 500)
        finally:
            # wall time, Kong's answers to our PDK calls included: what this phase costs a request
            metrics.observe_phase(self.name, phase_name, time.perf_counter() - started, pdk.calls)
            tracing.end(span, pdk.calls)

    return handler
