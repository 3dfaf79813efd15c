"""The budget a request asks for (``max_tokens``, ``n``...): integer literals within bounds, or ``400``.

A JSON Schema ``integer`` admits whole-number floats, so ``"max_tokens": 1e300`` or
``1.8446744073709552e19`` passes every built-in format; converted with ``int()`` it became a number no
reader expects (the facts published in ``kong.ctx.shared`` overflowed MessagePack: a 500). These fields
size reservations and context-window checks, so they are held to what they mean: an integer literal (no
fraction, no exponent) between the bounds below, in every format (``custom`` included: the token limiter
reads ``n``/``best_of`` whatever the format). This runs after the format check (which sets the lower bounds
per format) and before anything reads them.
"""

from __future__ import annotations

from typing import Any

from kong_plugins.ai_input_guard.rejection import FieldProblem, Rejection

__all__ = ["BUDGET_BOUNDS", "MAX_TOKENS", "check_budget"]

MAX_TOKENS = 100_000_000  # the largest token count this plugin's own config accepts (max_tokens_ceiling)

#: Top-level fields that size what a request may cost (in any format: a ``custom`` route may carry them),
#: with their accepted range. ``n`` and ``best_of`` follow OpenAI's own limits.
BUDGET_BOUNDS: dict[str, tuple[int, int]] = {
    "max_tokens": (0, MAX_TOKENS),
    "max_completion_tokens": (0, MAX_TOKENS),
    "max_output_tokens": (0, MAX_TOKENS),  # OpenAI Responses; the token limiter reads it without the guard
    "n": (1, 128),
    "best_of": (1, 20),
}


def check_budget(document: Any) -> None:
    """400 naming each budget field that is not an integer literal within its bounds (never its value)."""
    if not isinstance(document, dict):
        return
    problems: list[FieldProblem] = []
    for name, (low, high) in BUDGET_BOUNDS.items():
        value = document.get(name)
        if value is None:
            continue
        if type(value) is not int:  # bool is not int here; 1e3 and 2.0 are floats
            problems.append(FieldProblem(f"/{name}", "expected an integer"))
        elif not low <= value <= high:
            problems.append(FieldProblem(f"/{name}", f"value should be between {low} and {high}"))
    if problems:
        raise Rejection(400, "format", "budget", problems)
