"""``redact_request``: the request body redacted before it leaves for the model.

JSON bodies keep their structure (:func:`.json_body.redact_request_document`: the prompt's strings, never
the model name, roles, tool definitions or other call settings); any other body that is UTF-8 text is
redacted as text. Detectors in ``block`` mode refuse the request instead (400, the caller's own data:
nothing is hidden from them by refusing).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from kong_plugins.ai_output_redactor.engine import Tally, TooManyFindings
from kong_plugins.ai_output_redactor.json_body import TooDeep, redact_request_document
from kong_plugins.ai_output_redactor.settings import RedactorSettings
from kong_plugins.core import strict_json

__all__ = ["REQUEST_BLOCKED_MESSAGE", "RequestResult", "redact_request"]

REQUEST_BLOCKED_MESSAGE = "Request blocked by redaction policy"


@dataclass
class RequestResult:
    """``body``: the redacted body to send upstream, None when unchanged; ``unreadable``: why it could not
    be read (then the policy decides)."""

    tally: Tally = field(default_factory=Tally)
    body: str | None = None
    unreadable: str | None = None


def redact_request(settings: RedactorSettings, raw: bytes, tenant: Callable[[], str]) -> RequestResult:
    result = RequestResult()
    if not raw:
        return result
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        result.unreadable = "not UTF-8"
        return result
    redactor, tally = settings.redactor, result.tally
    try:
        try:
            document = strict_json.loads(text)
        except strict_json.DuplicateKey:
            result.unreadable = "a JSON object repeats a member name"
            return result
        except (ValueError, RecursionError):
            redacted = redactor.redact(text, tally, tenant)
        else:
            redacted_document = redact_request_document(document, redactor, tally, tenant)
            redacted = json.dumps(redacted_document, ensure_ascii=False, separators=(",", ":"))
    except (TooDeep, TooManyFindings, strict_json.DuplicateKey) as exc:
        result.unreadable = type(exc).__name__
        return result
    if tally.total:
        result.body = redacted
    return result
