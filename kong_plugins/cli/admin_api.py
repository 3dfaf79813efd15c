"""A small client of Kong's Admin API for ``kong-ai assess`` (reads) and ``scripts/enable-plugins`` (writes).

Collections are read the way deck reads them (go-kong's ``list``): ``GET /<collection>?size=1000``, then the
``next`` link of each page until it is null. The gateway's answers are untrusted input: each answer is
bounded in size, a collection in pages and entities, and only JSON objects are accepted. Only the standard
library is used (urllib), so the command needs nothing beyond the package.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any, Final

from kong_plugins.cli.main import CliError

__all__ = ["MAX_ANSWER_BYTES", "MAX_ENTITIES", "PAGE_SIZE", "AdminApiError", "AdminClient", "admin_headers"]

PAGE_SIZE: Final = 1000
MAX_ENTITIES: Final = 100_000
MAX_ANSWER_BYTES: Final = 64 * 1024 * 1024
DEFAULT_TIMEOUT: Final = 10.0


def admin_headers(values: Sequence[str]) -> dict[str, str]:
    """The ``--admin-header NAME:VALUE`` options of a command (e.g. an RBAC token) as the client's headers."""
    out = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise CliError(f"--admin-header {value!r}: expected NAME:VALUE")
        out[name.strip()] = content.strip()
    return out


class AdminApiError(Exception):
    """The Admin API could not be reached, or answered something unusable; ``status`` when it answered."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class AdminClient:
    """Kong's Admin API at ``base_url`` (``http://127.0.0.1:8001``), optionally with headers (RBAC token)."""

    def __init__(
        self, base_url: str, *, headers: Mapping[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise AdminApiError(f"--admin-url must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.requests: list[tuple[str, str]] = []  # (method, path) of every call, for --dry-run and tests

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One call; returns (status, decoded JSON or None). Raises AdminApiError when unreachable."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json", **self.headers}
        if data is not None:
            headers["Content-Type"] = "application/json"
        url = self.base_url + path
        self.requests.append((method, path))
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status, raw = answer.status, answer.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read(MAX_ANSWER_BYTES + 1)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise AdminApiError(f"cannot reach the Admin API at {self.base_url}: {reason}") from exc
        if len(raw) > MAX_ANSWER_BYTES:
            raise AdminApiError(f"{method} {path}: answer larger than {MAX_ANSWER_BYTES} bytes", status)
        if not raw.strip():
            return status, None
        try:
            return status, json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise AdminApiError(f"{method} {path}: the answer is not JSON", status) from exc

    def get(self, path: str) -> Any:
        status, body = self.request("GET", path)
        if status != 200:
            message = body.get("message") if isinstance(body, dict) else None
            raise AdminApiError(f"GET {path}: {status} {message or ''}".rstrip(), status, body)
        return body

    def list(self, collection: str) -> list[dict[str, Any]]:
        """Every entity of ``collection`` (``/routes``, ``/services/x/plugins``), page by page."""
        separator = "&" if "?" in collection else "?"
        path: str | None = f"{collection}{separator}size={PAGE_SIZE}"
        out: list[dict[str, Any]] = []
        pages = 0
        while path:
            page = self.get(path)
            pages += 1
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise AdminApiError(f"GET {path}: not a collection page")
            out.extend(item for item in page["data"] if isinstance(item, dict))
            if len(out) > MAX_ENTITIES or pages > MAX_ENTITIES // PAGE_SIZE + 1:
                raise AdminApiError(f"{collection}: more than {MAX_ENTITIES} entities")
            path = _next_path(page.get("next"), self.base_url)
        return out


def _next_path(link: Any, base_url: str) -> str | None:
    """A page's ``next`` as a path on the same Admin API (Kong gives a path; an absolute URL is accepted when
    it points at the same host, else refused rather than followed)."""
    if not isinstance(link, str) or not link:
        return None
    parsed = urllib.parse.urlsplit(link)
    if parsed.scheme or parsed.netloc:
        base = urllib.parse.urlsplit(base_url)
        if (parsed.scheme, parsed.netloc) != (base.scheme, base.netloc):
            raise AdminApiError(f"the Admin API's next link points elsewhere: {link[:200]}")
    if not parsed.path.startswith("/"):
        raise AdminApiError(f"unusable next link: {link[:200]}")
    base_path = urllib.parse.urlsplit(base_url).path.rstrip("/")
    path = parsed.path  # Kong's links are from its root; one that repeats a proxy's prefix loses it here
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path) :]
    return path + (f"?{parsed.query}" if parsed.query else "")
