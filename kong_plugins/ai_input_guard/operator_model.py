"""Tier 3 of the injection cascade: an operator-provided ONNX text classifier (``injection.model``).

The operator exports a sequence classifier (e.g. Meta's Prompt Guard 2, see docs/operator-model.md) to ONNX
and points ``path`` at it and ``tokenizer_path`` at its Hugging Face ``tokenizer.json``. Both are loaded
once per process with ``onnxruntime`` and ``tokenizers`` (the ``[model]`` extra) and shared by every plugin
instance naming the same files (and ``max_tokens``); a file changed on disk is loaded again by the next
instance built. Loading runs the model once on a short text, so a model whose inputs or outputs do not fit
is refused when the instance starts, never by a request.

The model's inputs are found by name: ``input_ids`` (required), ``attention_mask`` and ``token_type_ids``
(optional); its first output is a ``[batch, labels]`` tensor of logits (``softmax: true``, the default) or
probabilities. A text's score is the sum of the probabilities of the ``injection_labels`` indexes (Prompt
Guard 2: ``[1]``; Prompt Guard 1: ``[1, 2]``, injection and jailbreak).

Bounds: each text is read up to :data:`MAX_TEXT_CHARS` characters (head and tail) and a request up to
:data:`MAX_REQUEST_CHARS`; a text longer than ``max_tokens`` tokens is cut into windows of ``max_tokens``
overlapping by :data:`STRIDE_TOKENS` (the tokenizer's own truncation with overflow), of which the first
``max_windows - 1`` and the last are run; the text scores as its worst window. ``time_budget_ms`` is
checked before each window's run: one already started finishes (a run cannot be interrupted), so a request
overruns the budget by at most one run. A budget spent before every window ran is a failure the cascade
resolves per ``fail_mode`` (:class:`ModelTimeout`), and so are a run that fails or answers NaN
(:class:`ModelFailed`) and text the bounds left unread when what was read scored below the threshold
(:class:`ModelUnread`): an attack placed past the windows the tier runs is never waved through as read
and clean. Sessions run with one intra-op thread: the plugin server's request threads are the parallelism.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kong_plugins.core.errors import ConfigError

log = logging.getLogger(__name__)

__all__ = [
    "MAX_REQUEST_CHARS",
    "MAX_TEXT_CHARS",
    "STRIDE_TOKENS",
    "ModelFailed",
    "ModelSettings",
    "ModelTimeout",
    "ModelVerdict",
    "OperatorModel",
    "load_model",
]

MAX_TEXT_CHARS = 65536
MAX_REQUEST_CHARS = 262144
STRIDE_TOKENS = 32
MAX_LOADED = 8  # distinct models kept by the process-wide registry (one in use is never freed by eviction)
_KNOWN_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
EXTRA_MISSING = (
    "needs onnxruntime and tokenizers: install the [model] extra (pip install 'kong-ai-guard[model]')"
)


@dataclass(frozen=True)
class ModelSettings:
    """``injection.model``, compiled (``model`` is None when the tier is off)."""

    mode: str
    threshold: float
    uncertain_from: float
    time_budget_s: float
    fail_mode: str
    max_windows: int
    model: OperatorModel | None

    @property
    def enabled(self) -> bool:
        return self.mode != "off" and self.model is not None


@dataclass(frozen=True)
class ModelVerdict:
    """The highest score among the texts, and which text (its index) scored it."""

    score: float
    index: int


class ModelTimeout(Exception):
    """The time budget was spent before every window ran."""


class ModelFailed(ModelTimeout):
    """A window's run failed: onnxruntime raised (an input the one-run check at load time did not cover,
    such as a window longer than the model's positions), or the output was not finite (NaN, inf)."""


class ModelUnread(ModelTimeout):
    """Text past the bounds (``max_windows``, :data:`MAX_TEXT_CHARS`, :data:`MAX_REQUEST_CHARS`) was not
    read, and what was read scored below ``stop_at``: the tier could not answer for the whole request."""


class OperatorModel:
    """An ONNX session and its tokenizer; ``score`` is thread-safe (both libraries allow concurrent runs)."""

    def __init__(self, session: Any, tokenizer: Any, labels: Sequence[int], softmax: bool) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._labels = list(labels)
        self._softmax = softmax
        inputs = {item.name: item for item in session.get_inputs()}
        self._inputs = [name for name in _KNOWN_INPUTS if name in inputs]
        self._dtypes = {name: np.int32 if "int32" in inputs[name].type else np.int64 for name in self._inputs}
        self._output = session.get_outputs()[0].name

    def score(
        self, texts: Sequence[str], *, deadline: float, max_windows: int, stop_at: float = 1.0
    ) -> ModelVerdict | None:
        """The worst text's score (None without texts); raise :class:`ModelTimeout` when ``deadline``
        (``time.monotonic()``) passes before a window's run, :class:`ModelUnread` when the bounds left text
        unread and nothing read reached ``stop_at``. Stops at the first score >= ``stop_at``."""
        best: ModelVerdict | None = None
        budget = MAX_REQUEST_CHARS
        unread = False
        for index, text in enumerate(texts):
            if budget <= 0:
                unread = True
                break
            unread = unread or len(text) > MAX_TEXT_CHARS
            text = _bounded(text)
            budget -= len(text)
            windows, total = self._windows(text, max_windows)
            unread = unread or len(windows) < total
            for window in windows:
                if time.monotonic() > deadline:
                    raise ModelTimeout
                value = self._run(window)
                if best is None or value > best.score:
                    best = ModelVerdict(value, index)
                if value >= stop_at:
                    return best
        if unread:
            raise ModelUnread
        return best

    def _windows(self, text: str, max_windows: int) -> tuple[list[Any], int]:
        """The windows to run, and how many the text has."""
        encoding = self._tokenizer.encode(text)
        windows = [encoding, *encoding.overflowing]
        total = len(windows)
        if total > max_windows:
            windows = windows[: max_windows - 1] + windows[-1:]
        return windows, total

    def feeds(self, encoding: Any) -> dict[str, np.ndarray]:
        """The inputs of one run: the window's ids, mask and type ids, as the model declares them."""
        values = {
            "input_ids": encoding.ids,
            "attention_mask": encoding.attention_mask,
            "token_type_ids": encoding.type_ids,
        }
        return {name: np.asarray([values[name]], dtype=self._dtypes[name]) for name in self._inputs}

    def _run(self, encoding: Any) -> float:
        """One window's score; :class:`ModelFailed` when the model cannot give one (a NaN clamped into
        0-1 would read as a clean verdict)."""
        try:
            output = self._session.run([self._output], self.feeds(encoding))[0]
        except Exception as exc:  # onnxruntime's own exception types
            log.warning("[ai-input-guard] operator model run failed: %s", _first_line(exc))
            raise ModelFailed from None
        row = np.asarray(output, dtype=np.float64).reshape(-1)
        if not np.isfinite(row).all():
            log.warning("[ai-input-guard] operator model output is not finite")
            raise ModelFailed
        if self._softmax:
            shifted = np.exp(row - row.max())
            row = shifted / shifted.sum()
        return round(float(min(1.0, max(0.0, row[self._labels].sum()))), 4)


def _bounded(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return text[: MAX_TEXT_CHARS * 3 // 4] + "\n" + text[-MAX_TEXT_CHARS // 4 :]


_LOADED: OrderedDict[tuple[Any, ...], OperatorModel] = OrderedDict()
_LOCK = threading.Lock()


def load_model(
    path: str, tokenizer_path: str, *, labels: Sequence[int], max_tokens: int, softmax: bool
) -> OperatorModel:
    """The process-wide model for these files (loaded, checked with one run, then shared); raise
    :class:`ConfigError` with ``config.injection.model.<field>`` paths."""
    key = (
        _identity(path, "path"),
        _identity(tokenizer_path, "tokenizer_path"),
        tuple(labels),
        max_tokens,
        softmax,
    )
    with _LOCK:
        model = _LOADED.get(key)
        if model is not None:
            _LOADED.move_to_end(key)
            return model
        model = _load(path, tokenizer_path, labels, max_tokens, softmax)
        _LOADED[key] = model
        while len(_LOADED) > MAX_LOADED:
            _LOADED.popitem(last=False)
        return model


def _identity(path: str, name: str) -> tuple[str, int, int]:
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise _error(name, f"cannot read {path}: {exc.strerror or exc}") from None
    return os.path.realpath(path), stat.st_mtime_ns, stat.st_size


def _load(
    path: str, tokenizer_path: str, labels: Sequence[int], max_tokens: int, softmax: bool
) -> OperatorModel:
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError:
        raise _error(None, EXTRA_MISSING) from None
    try:
        tokenizer = Tokenizer.from_file(tokenizer_path)
    except Exception as exc:  # tokenizers raises plain Exceptions for unreadable files
        raise _error("tokenizer_path", f"not a tokenizers JSON file: {_first_line(exc)}") from None
    special = tokenizer.num_special_tokens_to_add(False)
    if max_tokens <= special + STRIDE_TOKENS:
        raise _error("max_tokens", f"must exceed {special + STRIDE_TOKENS} for this tokenizer")
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens, stride=STRIDE_TOKENS)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime's own exception types
        raise _error("path", f"not an ONNX model onnxruntime can run: {_first_line(exc)}") from None
    names = [item.name for item in session.get_inputs()]
    unknown = [name for name in names if name not in _KNOWN_INPUTS]
    if "input_ids" not in names or unknown:
        raise _error("path", f"model inputs must be input_ids [attention_mask, token_type_ids], not {names}")
    model = OperatorModel(session, tokenizer, labels, softmax)
    try:
        output = session.run(None, model.feeds(tokenizer.encode("hello")))[0]
    except Exception as exc:
        raise _error("path", f"the model does not run: {_first_line(exc)}") from None
    shape = np.asarray(output).shape
    if len(shape) != 2 or shape[0] != 1 or max(labels) >= shape[1]:
        raise _error(
            "injection_labels", f"the model's first output has shape {list(shape)}: labels out of range"
        )
    return model


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _error(name: str | None, message: str) -> ConfigError:
    path = "config.injection.model" + (f".{name}" if name else "")
    return ConfigError(f"invalid ai-input-guard configuration: {path}: {message}", {path: message})
