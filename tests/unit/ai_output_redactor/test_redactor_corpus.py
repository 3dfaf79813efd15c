"""Precision and recall on the labelled corpus (tests/data/pii_redaction), and the same result whether a
text arrives as text, inside a JSON answer, or as an SSE stream cut into small pieces."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from kong_plugins.ai_output_redactor.engine import Tally
from kong_plugins.ai_output_redactor.json_body import redact_document
from kong_plugins.ai_output_redactor.sse import redact_stream

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "data" / "pii_redaction"))
import evaluate

REDACTOR = evaluate.default_redactor()


def _rates(part: str) -> dict[str, tuple[float, float]]:
    table = evaluate.score(evaluate.load(part), REDACTOR)
    return {
        name: (evaluate.ratio(c["tp"], c["tp"] + c["fp"]), evaluate.ratio(c["tp"], c["tp"] + c["fn"]))
        for name, c in table.items()
    }


def test_tuning_part_every_detector() -> None:
    for name, (precision, recall) in _rates("tuning.jsonl").items():
        assert precision >= 0.95 and recall >= 0.95, (name, precision, recall)


def test_heldout_part_as_reported_in_the_readme() -> None:
    rates = _rates("heldout.jsonl")
    for name, (precision, recall) in rates.items():
        # the only misses: 40-character random keys labelled high_entropy, found as aws_secret_key
        floor = (0.8, 0.75) if name in ("aws_secret_key", "high_entropy") else (1.0, 1.0)
        assert precision >= floor[0] and recall >= floor[1], (name, precision, recall)


@pytest.mark.parametrize("part", evaluate.PARTS)
def test_every_labelled_value_is_redacted_by_some_detector(part: str) -> None:
    for record in evaluate.load(part):
        findings = REDACTOR.find(record["text"])
        for span in record["spans"]:
            assert any(f.start <= span["start"] and span["end"] <= f.end for f in findings), record["id"]


def _stream(text: str, size: int) -> str:
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    chunks = [{"choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
    return "".join("data: " + json.dumps(c) + "\n\n" for c in chunks) + "data: [DONE]\n\n"


def _joined(stream: str) -> str:
    out = []
    for block in stream.split("\n\n"):
        if block.startswith("data: {"):
            out.append(json.loads(block[6:])["choices"][0]["delta"]["content"])
    return "".join(out)


@pytest.mark.parametrize("part", evaluate.PARTS)
def test_json_and_sse_redact_as_text_does(part: str) -> None:
    for record in evaluate.load(part):
        text = record["text"]
        expected = REDACTOR.redact(text, Tally(), lambda: "")
        answer = {
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
        }
        in_json = redact_document(answer, REDACTOR, Tally(), lambda: "")["choices"][0]["message"]["content"]
        if record["format"] == "json":  # JSON inside a string is redacted as JSON and re-serialized compactly
            assert json.loads(in_json) == json.loads(expected), record["id"]
        else:
            assert in_json == expected, record["id"]
        for size in (1, 3):
            assert _joined(redact_stream(_stream(text, size), REDACTOR, Tally(), lambda: "").text) == expected
