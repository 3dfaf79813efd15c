"""What the later checks need from a validated request, whatever its format: a :class:`RequestView`.

Each format (:mod:`.formats`) turns its JSON into this one shape: the model, the completion budget, every
piece of text the model will read (with its role and JSON pointer), the roles used, the tools offered. The
model policy, the token estimate, the content rules and the detectors then work on the view only, so they
know nothing about OpenAI's or Anthropic's field names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["BUDGET_FIELDS", "SEGMENT_ROLES", "RequestView", "TextSegment"]

#: Roles a text segment can have. Message roles are the provider's; ``tool`` also covers Anthropic
#: ``tool_result`` and ``document`` blocks (content that came from tools or retrieval, not from the caller),
#: and ``tool_definition`` the descriptions of the tools offered to the model.
SEGMENT_ROLES = ("system", "developer", "user", "assistant", "tool", "function", "tool_definition")

#: Body fields that hold a completion budget, by format, the one the upstream honours first. A ``custom``
#: route's upstream may be any API: its fields are read as the token limiter reads a body it parses itself
#: (:mod:`kong_plugins.ai_token_limiter.estimate`), so the guard in front never makes it reserve less.
BUDGET_FIELDS: dict[str, tuple[str, ...]] = {
    "openai-chat": ("max_completion_tokens", "max_tokens"),
    "openai-completions": ("max_tokens",),
    "openai-embeddings": (),
    "anthropic-messages": ("max_tokens",),
    "custom": ("max_completion_tokens", "max_tokens", "max_output_tokens"),
}


@dataclass(frozen=True)
class TextSegment:
    """One piece of text the model will read: where it is, whose it is, and which message holds it."""

    path: str
    role: str
    text: str
    message: int | None = None


@dataclass
class RequestView:
    """The format-independent facts of one request (see the module docstring)."""

    format: str
    model: str | None = None
    stream: bool = False
    budget: dict[str, int] = field(default_factory=dict)  # budget field present in the body -> value
    completions: int | None = None  # n, or max(n, best_of): completions generated and billed (bounded)
    segments: list[TextSegment] = field(default_factory=list)
    roles: list[tuple[str, str]] = field(default_factory=list)  # (JSON pointer of the message, role)
    message_count: int = 0
    tool_names: list[str] = field(default_factory=list)
    tools_json: str = ""  # canonical JSON of the tool definitions (their token cost)
    images: int = 0
    token_arrays: list[int] = field(default_factory=list)  # lengths of pre-tokenized prompts/inputs
    separate_inputs: bool = False  # embeddings: each input must fit the window on its own

    @property
    def max_tokens(self) -> int | None:
        """The completion budget the request asks for (the first budget field present, by preference)."""
        for name in BUDGET_FIELDS.get(self.format, ()):
            if name in self.budget:
                return self.budget[name]
        return None
