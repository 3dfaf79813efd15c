"""Kong 3.9's error bodies: kong/tools/http.lua (templates, Accept negotiation), kong/pdk/response.lua (status
messages of ``kong.response.error``) and kong/error_handlers.lua (the nginx error page). Byte-exact."""

from __future__ import annotations

import re

MIME_JSON = "application/json; charset=utf-8"
MIME_HTML = "text/html; charset=utf-8"
MIME_PLAIN = "text/plain; charset=utf-8"
MIME_XML = "application/xml; charset=utf-8"
MIME_GRPC = "application/grpc"

_MIME_TYPES = {
    "application/grpc": "",
    "text/html": MIME_HTML,
    "application/json": MIME_JSON,
    "text/plain": MIME_PLAIN,
    "application/xml": MIME_XML,
    "application": MIME_JSON,
    "text": MIME_PLAIN,
    "default": MIME_JSON,
}

_TEMPLATES = {
    "html": (
        '<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8">\n    <title>Error</title>\n'
        "  </head>\n  <body>\n    <h1>Error</h1>\n    <p>{message}.</p>\n    <p>request_id: {rid}</p>\n"
        "  </body>\n</html>\n"
    ),
    "json": '{{\n  "message":"{message}",\n  "request_id":"{rid}"\n}}',
    "plain": "{message}\nrequest_id: {rid}\n",
    "xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<error>\n  <message>{message}</message>\n'
        "  <requestid>{rid}</requestid>\n</error>\n"
    ),
    "grpc": "",
}

# Accept entry: type/subtype then parameters, q in 0..1 with at most 3 decimals (tools/http.lua, "ajoxi")
_TOKEN = r"[a-z0-9][a-z0-9\-!#$&^_+.]+"
_ACCEPT_RE = re.compile(
    rf"((?:{_TOKEN}|\*)/(?:{_TOKEN}|\*))"
    rf"(?:\s*;\s*q=(1(?:\.0{{0,3}}|)|0(?:\.\d{{0,3}}|))|\s*;\s*{_TOKEN}(?:=[^;]*|))*",
    re.IGNORECASE,
)

HTTP_ERROR_MESSAGES = {
    400: "Bad request",
    401: "Unauthorized",
    402: "Payment required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    407: "Proxy authentication required",
    408: "Request timeout",
    409: "Conflict",
    410: "Gone",
    411: "Length required",
    412: "Precondition failed",
    413: "Payload too large",
    414: "URI too long",
    415: "Unsupported media type",
    416: "Range not satisfiable",
    417: "Expectation failed",
    418: "I'm a teapot",
    421: "Misdirected request",
    422: "Unprocessable entity",
    423: "Locked",
    424: "Failed dependency",
    425: "Too early",
    426: "Upgrade required",
    428: "Precondition required",
    429: "Too many requests",
    431: "Request header fields too large",
    451: "Unavailable for legal reasons",
    494: "Request header or cookie too large",
    500: "An unexpected error occurred",
    501: "Not implemented",
    502: "An invalid response was received from the upstream server",
    503: "The upstream server is currently unavailable",
    504: "The upstream server is timing out",
    505: "HTTP version not supported",
    506: "Variant also negotiates",
    507: "Insufficient storage",
    508: "Loop detected",
    510: "Not extended",
    511: "Network authentication required",
}

# kong/error_handlers.lua has its own, shorter table
ERROR_PAGE_MESSAGES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    411: "Length required",
    412: "Precondition failed",
    413: "Payload too large",
    414: "URI too long",
    417: "Expectation failed",
    494: "Request header or cookie too large",
    500: "An unexpected error occurred",
    502: "An invalid response was received from the upstream server",
    503: "The upstream server is currently unavailable",
    504: "The upstream server is timing out",
}


def http_error_message(status: int) -> str:
    """``get_http_error_message`` of pdk/response.lua."""
    return HTTP_ERROR_MESSAGES.get(status) or f"The upstream server responded with {status}"


def error_page_message(status: int) -> str:
    """``get_body`` of kong/error_handlers.lua."""
    return ERROR_PAGE_MESSAGES.get(status) or f"The upstream server responded with {status}"


def get_mime_type(content_header: str) -> str:
    """tools/http.lua ``get_mime_type`` (with the default): a Kong MIME type, JSON for anything unknown."""
    header = content_header.strip().split(";")[0]
    entries = header.split("/")
    mime: str | None = None
    if len(entries) > 1:
        if entries[1] == "*":
            mime = _MIME_TYPES["default"] if entries[0] == "*" else _MIME_TYPES.get(entries[0])
        else:
            mime = _MIME_TYPES.get(header)
    return mime if mime is not None else _MIME_TYPES["default"]


def get_response_type(accept: str | list[str] | None) -> str:
    """tools/http.lua ``get_response_type``: the best-q known type in ``Accept``, JSON by default."""
    content_type = _MIME_TYPES["default"]
    if isinstance(accept, list):
        accept = ",".join(accept)
    if accept is None:
        return content_type
    max_quality = 0.0
    for raw in accept.split(","):
        value = raw.strip()
        match = _ACCEPT_RE.match(value)
        if not match:
            continue
        media_type = match.group(1)
        q = float(match.group(2)) if match.group(2) else 1.0
        if q > max_quality:
            max_quality = q
            content_type = get_mime_type(media_type) or content_type
    return content_type


def error_template(mime_type: str) -> str | None:
    """tools/http.lua ``get_error_template`` (no custom templates): ``None`` when Kong has none for it."""
    for key, kind in (
        ("application/json", "json"),
        ("text/html", "html"),
        ("application/xml", "xml"),
        ("text/plain", "plain"),
        ("application/grpc", "grpc"),
    ):
        if mime_type in (key, _MIME_TYPES[key]):
            return _TEMPLATES[kind]
    return None


def render_error(mime_type: str, message: str, request_id: str) -> str:
    """``fmt(get_error_template(mime_type), message, request_id)``; raises ``KeyError`` without a template."""
    template = error_template(mime_type)
    if template is None:
        raise KeyError(mime_type)
    return template.format(message=message, rid=request_id)
