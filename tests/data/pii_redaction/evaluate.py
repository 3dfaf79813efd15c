"""Precision and recall of ai-output-redactor's detectors on this corpus, per detector and part.

``python tests/data/pii_redaction/evaluate.py [tuning.jsonl|heldout.jsonl]`` prints the table the README
quotes. A gold span counts as found when a finding **of the same detector** overlaps it; a finding that
overlaps no gold span of its detector is a false positive (so a value found by the wrong detector costs
one of each). Default configuration, ``phone_regions: ["US"]``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PARTS = ("tuning.jsonl", "heldout.jsonl")


def load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line]


def default_redactor() -> Any:
    from kong_plugins.ai_output_redactor.schema import SCHEMA
    from kong_plugins.ai_output_redactor.settings import build_settings
    from kong_plugins.core.schema import ensure_valid_config

    return build_settings(ensure_valid_config(SCHEMA.config, {})).redactor


def score(records: list[dict[str, Any]], redactor: Any) -> dict[str, Counter[str]]:
    """``{detector: Counter(tp=, fp=, fn=)}``; also lists the false positives under ``examples``."""
    table: dict[str, Counter[str]] = {}
    for record in records:
        findings = redactor.find(record["text"])
        gold = record["spans"]
        for span in gold:
            hit = any(
                f.detector == span["kind"] and f.start < span["end"] and span["start"] < f.end
                for f in findings
            )
            table.setdefault(span["kind"], Counter())["tp" if hit else "fn"] += 1
        for finding in findings:
            if not any(
                g["kind"] == finding.detector and finding.start < g["end"] and g["start"] < finding.end
                for g in gold
            ):
                table.setdefault(finding.detector, Counter())["fp"] += 1
    return table


def ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def main(parts: list[str]) -> int:
    redactor = default_redactor()
    for part in parts or PARTS:
        records = load(part)
        table = score(records, redactor)
        print(f"{part}: {len(records)} texts, {sum(len(r['spans']) for r in records)} labelled values")
        print("| detector | values | precision | recall | FP |")
        print("|---|---|---|---|---|")
        for name in sorted(table):
            c = table[name]
            print(
                f"| {name} | {c['tp'] + c['fn']} | {ratio(c['tp'], c['tp'] + c['fp']):.2f} | "
                f"{ratio(c['tp'], c['tp'] + c['fn']):.2f} | {c['fp']} |"
            )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[2]))
    sys.exit(main(sys.argv[1:]))
