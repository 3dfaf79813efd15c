"""Errors raised by kong-ai-guard code.

Domain code raises; one place (the handler base) turns errors into Kong responses. The hierarchy::

    GuardError                      root of everything we raise on purpose
    ├── ConfigError                 a plugin config is invalid (rejected when the instance starts)
    ├── PluginResponseError         the request must end with this status and Kong-style message
    │   ├── BadRequest              400
    │   ├── Unauthorized            401
    │   ├── Forbidden               403
    │   ├── PayloadTooLarge         413
    │   ├── UnsupportedMediaType    415
    │   ├── TooManyRequests         429
    │   ├── HeaderFieldsTooLarge    431
    │   ├── BadGateway              502
    │   ├── ServiceUnavailable      503
    │   └── ReplaceResponse         not a failure: a response-phase plugin's rewritten answer, sent as is
    ├── BackendError                a dependency of ours failed
    │   └── RedisUnavailable        Redis cannot be reached (the only error ``fault_tolerant`` may swallow)
    └── ContextMissing              a fact another plugin should have published in kong.ctx.shared is absent
"""

from __future__ import annotations

from typing import Any


class GuardError(Exception):
    """Root of every error kong-ai-guard raises on purpose."""


class ConfigError(GuardError):
    """A plugin configuration is invalid.

    ``fields`` maps a dotted field path (``config.sources``) to a message, in the shape of Kong's
    ``schema violation`` answer, so that the same error can be shown by the Admin API, the CLI and the log.
    """

    def __init__(self, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class PluginResponseError(GuardError):
    """End the request with ``status`` and a Kong-style ``{"message": ...}`` body.

    ``extra`` adds fields to the JSON body (``errors``, ``retry_after`` ...); ``headers`` are sent with it.
    ``log_reason`` is written to Kong's log and never sent to the client.
    """

    status = 500
    default_message = "An unexpected error occurred"

    def __init__(
        self,
        message: str | None = None,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str | list[str]] | None = None,
        log_reason: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
        self.extra = extra or {}
        self.headers = headers or {}
        self.log_reason = log_reason

    def body(self) -> dict[str, Any]:
        """The JSON body sent to the client."""
        return {"message": self.message, **self.extra}


class BadRequest(PluginResponseError):
    status = 400
    default_message = "Bad request"


class Unauthorized(PluginResponseError):
    status = 401
    default_message = "Unauthorized"


class Forbidden(PluginResponseError):
    status = 403
    default_message = "Forbidden"


class PayloadTooLarge(PluginResponseError):
    status = 413
    default_message = "Request size limit exceeded"


class UnsupportedMediaType(PluginResponseError):
    status = 415
    default_message = "Unsupported Media Type"


class TooManyRequests(PluginResponseError):
    status = 429
    default_message = "API rate limit exceeded"


class HeaderFieldsTooLarge(PluginResponseError):
    status = 431
    default_message = "Request header fields too large"  # Kong's message for 431 (kong/tools/http.lua)


class BadGateway(PluginResponseError):
    status = 502
    default_message = "An invalid response was received from the upstream server"  # Kong's 502 text


class ServiceUnavailable(PluginResponseError):
    status = 503
    default_message = "Service unavailable"


class ReplaceResponse(PluginResponseError):
    """End the request with ``raw_body`` as is and ``status`` (a response-phase rewrite of the answer).

    Kong's ``kong.response.exit`` keeps the headers already set (the upstream's) and lays ``headers`` over
    them (an empty list removes one); it recomputes ``Content-Length``.
    """

    def __init__(
        self,
        status: int,
        raw_body: str | bytes,
        *,
        headers: dict[str, str | list[str]] | None = None,
        log_reason: str | None = None,
    ) -> None:
        super().__init__("", headers=headers, log_reason=log_reason)
        self.status = status
        self.raw_body = raw_body


class BackendError(GuardError):
    """A backend we depend on (Redis, a registry) failed."""


class RedisUnavailable(BackendError):
    """Redis could not be reached or did not answer in time.

    ``in_doubt``: the command may have been sent, and so may have run (a reply that timed out or a
    connection lost while reading: a slow or frozen Redis runs it once it answers again); False when it
    certainly was not (no connection could be made or taken from the pool)."""

    def __init__(self, message: str = "", *, in_doubt: bool = True) -> None:
        super().__init__(message)
        self.in_doubt = in_doubt


class ContextMissing(GuardError):
    """A fact that an earlier plugin should have published in ``kong.ctx.shared`` is missing."""
