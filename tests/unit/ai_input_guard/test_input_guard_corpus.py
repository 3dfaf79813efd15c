"""Precision and recall of the injection detector on our labelled corpus (tests/data/prompt_injection/).

``corpus.jsonl`` was written first and used while the rules were tuned; ``heldout.jsonl`` was written
afterwards and evaluated once, rules unchanged since. The floors are the measured figures (README):
corpus P=1.000 R=0.928 (111 attacks, 97 benign), held-out P=1.000 R=0.857 (42 attacks, 42 benign).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kong_plugins.ai_input_guard.injection import CATEGORIES, InjectionDetector
from kong_plugins.ai_input_guard.view import TextSegment

DATA = Path(__file__).resolve().parents[2] / "data" / "prompt_injection"
THRESHOLD = 0.5  # the default


def load(name: str) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def evaluate(rows: list[dict[str, Any]]) -> dict[str, float]:
    detector = InjectionDetector()
    outcome: Counter[str] = Counter()
    for row in rows:
        detection = detector.scan([TextSegment("/messages/0/content", row["role"], row["text"])])
        flagged = detection is not None and detection.score >= THRESHOLD
        attack = row["label"] == "attack"
        outcome[("t" if flagged == attack else "f") + ("p" if flagged else "n")] += 1
    return {
        "precision": outcome["tp"] / (outcome["tp"] + outcome["fp"]),
        "recall": outcome["tp"] / (outcome["tp"] + outcome["fn"]),
        **{key: float(value) for key, value in outcome.items()},
    }


@pytest.mark.parametrize(
    "name",
    ["corpus.jsonl", "heldout.jsonl", "heldout4.jsonl", "heldout5.jsonl", "heldout6.jsonl", "heldout7.jsonl"],
)
def test_the_corpus_is_well_formed_and_varied(name: str) -> None:
    rows = load(name)
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert set(row) == {"id", "label", "category", "lang", "role", "text"}
        assert row["label"] in ("attack", "benign") and row["role"] in ("user", "tool") and row["text"]
    attacks = [row for row in rows if row["label"] == "attack"]
    assert {row["category"] for row in attacks} == set(CATEGORIES)
    assert len({row["lang"] for row in rows}) >= 8
    assert 0.4 <= len(attacks) / len(rows) <= 0.6


@pytest.mark.parametrize(
    ("name", "precision", "recall"),
    [("corpus.jsonl", 0.99, 0.91), ("heldout.jsonl", 0.99, 0.85)],
)
def test_precision_and_recall_at_the_default_threshold(name: str, precision: float, recall: float) -> None:
    figures = evaluate(load(name))
    assert figures["precision"] >= precision, figures
    assert figures["recall"] >= recall, figures
