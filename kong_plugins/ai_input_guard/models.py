"""Checks 5 and 6: may the caller use this model (``403``); does the request fit its context window (``400``)?

Model lists come from two places and both must allow the model: the route's ``allowed_models`` and the
tenant's ``allowed_models`` published by ai-tenant-resolver (``ai_guard.tenant``). An empty list places no
restriction. Entries are exact ids, or prefixes ending in ``*`` (``gpt-4o*`` allows ``gpt-4o-2024-08-06``
and ``gpt-4o-mini``); matching is case-sensitive, as providers' ids are.

Context windows are looked up by the longest configured or built-in prefix of the model id (dated and
fine-tuned ids inherit their family's window: ``gpt-4o-2024-08-06`` → ``gpt-4o``). The request must satisfy
``estimated prompt tokens + max_tokens <= window``; ``max_tokens`` above ``max_tokens_ceiling`` is refused or
clamped, as configured.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kong_plugins.ai_input_guard.rejection import FieldProblem, Rejection
from kong_plugins.ai_input_guard.view import BUDGET_FIELDS

__all__ = ["DEFAULT_CONTEXT_WINDOWS", "ContextPolicy", "ModelList", "check_model"]

#: Context windows (prompt + completion tokens) of well-known model families, from the providers' model
#: pages. Operators override or extend them with ``context_windows``.
DEFAULT_CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-3.5-turbo": 16385,
    "gpt-3.5-turbo-instruct": 4096,
    "gpt-4": 8192,
    "gpt-4-32k": 32768,
    "gpt-4-turbo": 128000,
    "gpt-4-1106-preview": 128000,
    "gpt-4-0125-preview": 128000,
    "gpt-4o": 128000,
    "gpt-4o-mini": 128000,
    "chatgpt-4o": 128000,
    "gpt-4.1": 1047576,
    "gpt-4.5": 128000,
    "gpt-5": 400000,
    "o1": 200000,
    "o1-mini": 128000,
    "o1-preview": 128000,
    "o3": 200000,
    "o3-mini": 200000,
    "o4-mini": 200000,
    "text-embedding-3-small": 8191,
    "text-embedding-3-large": 8191,
    "text-embedding-ada-002": 8191,
    "davinci-002": 16384,
    "babbage-002": 16384,
    "claude-": 200000,
    "claude-2": 100000,
    "claude-instant": 100000,
    "mistral-large": 128000,
    "mistral-small": 32000,
    "llama-3.1": 128000,
    "llama-3.2": 128000,
    "llama-3.3": 128000,
}


@dataclass(frozen=True)
class ModelList:
    """Allowed model ids and ``prefix*`` entries; empty = every model."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    narrowing: ModelList | None = None
    """A second list the model must also be in: a ``kong-ai emergency restrict --models`` in force."""

    @classmethod
    def of(cls, entries: Iterable[str]) -> ModelList:
        entries = [e for e in entries if isinstance(e, str) and e]
        return cls(
            frozenset(e for e in entries if not e.endswith("*")),
            tuple(e[:-1] for e in entries if e.endswith("*")),
        )

    def narrowed(self, other: ModelList) -> ModelList:
        """This list, with ``other`` to satisfy as well."""
        return ModelList(self.exact, self.prefixes, other)

    @property
    def restricts(self) -> bool:
        return bool(self.exact or self.prefixes) or (self.narrowing is not None and self.narrowing.restricts)

    def allows(self, model: str) -> bool:
        own = not (self.exact or self.prefixes) or model in self.exact or model.startswith(self.prefixes)
        return own and (self.narrowing is None or self.narrowing.allows(model))


def check_model(model: str | None, route: ModelList, tenant: ModelList | None) -> None:
    """403 unless both the route's and the tenant's lists allow ``model`` (a missing model is not allowed)."""
    for scope, allowed in (("route", route), ("tenant", tenant)):
        if allowed is None or not allowed.restricts:
            continue
        if model is None or not allowed.allows(model):
            raise Rejection(
                403,
                "model",
                f"not_allowed_for_{scope}",
                FieldProblem("/model", f"model not allowed for this {scope}"),
            )


#: The budget field the guard inserts at ``max_tokens_ceiling`` when a request of the format sets none.
CEILING_INSERTED_FIELD: dict[str, str] = {"openai-chat": "max_tokens", "openai-completions": "max_tokens"}


@dataclass(frozen=True)
class ContextPolicy:
    """Context windows by model prefix, and the ``max_tokens`` ceiling."""

    windows: Mapping[str, int]
    default_window: int | None
    max_tokens_ceiling: int | None
    clamp: bool

    @classmethod
    def build(
        cls,
        overrides: Mapping[str, int] | None,
        default_window: int | None,
        max_tokens_ceiling: int | None,
        clamp: bool,
    ) -> ContextPolicy:
        windows = {**DEFAULT_CONTEXT_WINDOWS, **dict(overrides or {})}
        # longest prefix first, so that "gpt-4o-mini" wins over "gpt-4o" and "gpt-4o" over "gpt-4"
        ordered = dict(sorted(windows.items(), key=lambda item: len(item[0]), reverse=True))
        return cls(ordered, default_window, max_tokens_ceiling, clamp)

    def window_of(self, model: str | None) -> int | None:
        if model is not None:
            for prefix, window in self.windows.items():
                if model.startswith(prefix):
                    return window
        return self.default_window

    def ceiling_for(self, budget: Mapping[str, int], format_name: str) -> dict[str, int]:
        """The budget fields to set in the body: those above the ceiling when clamping (a 400 when clamping
        is off), and, when the request sets none, the format's field at the ceiling.

        A request without ``max_tokens`` lets the model generate as much as it can: the ceiling would be
        bypassed by leaving the field out. So it is inserted, in both actions (``reject`` refuses asking
        for more than the ceiling; asking for nothing is no such request): ``max_tokens`` for the OpenAI
        chat and completions formats (as Kong's ai-proxy inserts its ``max_tokens`` option). Anthropic
        requires ``max_tokens`` (the format check refuses a body without it). A ``custom`` upstream's field is
        unknown, so a ``custom`` request must carry one of ``max_completion_tokens``, ``max_tokens``,
        ``max_output_tokens`` (OpenAI Responses) on a route with a ceiling: 400 otherwise."""
        ceiling = self.max_tokens_ceiling
        if ceiling is None:
            return {}
        if not any(name in budget for name in BUDGET_FIELDS.get(format_name, ())):
            if format_name in CEILING_INSERTED_FIELD:
                return {CEILING_INSERTED_FIELD[format_name]: ceiling}
            if format_name == "custom":
                raise Rejection(
                    400,
                    "context_window",
                    "max_tokens_required",
                    FieldProblem(
                        "/max_tokens",
                        "max_tokens, max_completion_tokens or max_output_tokens is required on this route "
                        f"(at most {ceiling})",
                    ),
                )
        over = {name: value for name, value in budget.items() if value > ceiling}
        if over and not self.clamp:
            name = next(iter(over))
            raise Rejection(
                400,
                "context_window",
                "max_tokens_ceiling",
                FieldProblem(f"/{name}", f"must be <= {ceiling} on this route"),
            )
        return dict.fromkeys(over, ceiling)

    def check_fit(
        self, model: str | None, prompt_tokens: int, max_tokens: int | None, *, per_input: bool
    ) -> None:
        """400 when ``prompt_tokens`` (+ ``max_tokens``) exceed the model's window (unknown windows pass)."""
        window = self.window_of(model)
        if window is None:
            return
        needed = prompt_tokens + (max_tokens or 0)
        if needed <= window:
            return
        what = "an input" if per_input else "the prompt"
        budget = f" plus max_tokens {max_tokens}" if max_tokens else ""
        raise Rejection(
            400,
            "context_window",
            "exceeded",
            FieldProblem(
                "", f"{what} (about {prompt_tokens} tokens){budget} exceeds the {window}-token context window"
            ),
        )
