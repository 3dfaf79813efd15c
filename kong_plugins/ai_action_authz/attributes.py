"""Request attributes a route hands to the policy, so that it can speak of data partitions (pure).

"May this caller score transactions for *this* merchant?" is a question about the request's data, not its
endpoint. A route declares what to extract - a JSON pointer into the body (``/transaction/merchant``), a
query argument, a header, or an RE2 group of the path - and the policy reads it as
``context.attributes.getTag("merchant_id")``. Values are bounded (text up to 256 characters, at most 32
attributes); one that is absent, not a scalar or too long is left out, so a policy that requires it
(``hasTag``) does not match: absent data never widens access.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import re2

__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_VALUE_CHARS",
    "AttributeRule",
    "compile_rules",
    "extract",
    "repeated_source",
]

MAX_ATTRIBUTES = 32
MAX_VALUE_CHARS = 256
MAX_POINTER_TOKENS = 32
SOURCES = ("body", "query", "header", "path")


@dataclass(frozen=True)
class AttributeRule:
    name: str
    source: str
    key: str
    pointer: tuple[str, ...] = ()
    pattern: Any = None  # compiled RE2 for a path rule (group "value", else group 1)


class AttributeRuleError(ValueError):
    pass


def compile_rules(rules: Sequence[Mapping[str, Any]]) -> tuple[AttributeRule, ...]:
    """Compile the ``attributes`` config once per instance; AttributeRuleError names the bad rule."""
    compiled = []
    for index, rule in enumerate(rules[:MAX_ATTRIBUTES]):
        name, source, key = str(rule.get("name")), str(rule.get("source")), str(rule.get("key"))
        if source == "body":
            if key and not key.startswith("/"):
                raise AttributeRuleError(f"attributes.{index + 1}.key: a JSON pointer starts with '/'")
            tokens = tuple(t.replace("~1", "/").replace("~0", "~") for t in key.split("/")[1:])
            if len(tokens) > MAX_POINTER_TOKENS:
                raise AttributeRuleError(f"attributes.{index + 1}.key: more than {MAX_POINTER_TOKENS} tokens")
            compiled.append(AttributeRule(name, source, key, pointer=tokens))
        elif source == "path":
            try:
                pattern = re2.compile(key)
            except re2.error as exc:
                raise AttributeRuleError(
                    f"attributes.{index + 1}.key: not a valid RE2 pattern: {exc}"
                ) from None
            compiled.append(AttributeRule(name, source, key, pattern=pattern))
        else:
            compiled.append(AttributeRule(name, source, key))
    return tuple(compiled)


def extract(
    rules: Sequence[AttributeRule],
    *,
    body: Any = None,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, Any] | None = None,
    path: str = "",
) -> dict[str, str]:
    """The attributes found, as text."""
    found: dict[str, str] = {}
    for rule in rules:
        value: Any = None
        if rule.source == "body":
            value = _pointer(body, rule.pointer)
        elif rule.source == "query" and query is not None:
            value = query.get(rule.key)
        elif rule.source == "header" and headers is not None:
            value = headers.get(rule.key.lower())
        elif rule.source == "path" and rule.pattern is not None:
            match = rule.pattern.search(path)
            if match is not None:
                value = match.group("value") if "value" in rule.pattern.groupindex else match.group(1)
        text = _text(value)
        if text is not None:
            found[rule.name] = text
    return found


def repeated_source(
    rules: Sequence[AttributeRule],
    *,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, Any] | None = None,
) -> str | None:
    """The first query argument or header a rule reads that the request repeats (``"header X-Region"``), or
    None. Such a request is ambiguous: the policy would see one value, or none, the upstream all of them;
    leaving the attribute out would turn off a ``forbid ... when { hasTag(...) && ... }`` rule."""
    for rule in rules:
        if rule.source == "query" and query is not None:
            value = query.get(rule.key)
        elif rule.source == "header" and headers is not None:
            value = headers.get(rule.key.lower())
        else:
            continue
        if isinstance(value, list | tuple) and len(value) > 1:
            return f"{rule.source} {rule.key[:64]}"
    return None


def _pointer(document: Any, tokens: tuple[str, ...]) -> Any:
    for token in tokens:
        if isinstance(document, dict):
            document = document.get(token)
        elif isinstance(document, list) and token.isdigit() and len(token) < 10:
            index = int(token)
            document = document[index] if index < len(document) else None
        else:
            return None
    return document


def _text(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 1:  # a repeated query argument or header given once
        value = value[0]
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = json.dumps(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    return text if len(text) <= MAX_VALUE_CHARS else None
