"""``kong-ai detector train|eval`` as a user runs them: the shipped classifier is reproduced from the data in
the repository, and the detector is measured per category and language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "prompt_injection"


def kong_ai(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "kong_plugins.cli.main", *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False
    )


@pytest.mark.timeout(600)  # one training run (about 20 s of CPU), slower on a loaded machine
def test_train_reproduces_the_shipped_model_byte_for_byte(tmp_path: Path) -> None:
    """One full training run, compared byte for byte with the shipped file."""
    pytest.importorskip("sklearn")
    from kong_plugins.ai_input_guard.classifier import DEFAULT_MODEL_PATH

    out = tmp_path / "model.npz"
    result = kong_ai("detector", "train", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes() == DEFAULT_MODEL_PATH.read_bytes()


def test_train_check_says_whether_the_file_is_up_to_date(tmp_path: Path) -> None:
    """``--check`` on a small copy of the training data (seconds, not a full run): a fresh run's file is
    up to date, a changed one differs, and neither is written."""
    pytest.importorskip("sklearn")
    from kong_plugins.ai_input_guard.classifier_train import TRAINING_FILES

    data = tmp_path / "data"
    data.mkdir()
    for name in TRAINING_FILES:
        lines = (DATA / name).read_text(encoding="utf-8").splitlines()
        (data / name).write_text("\n".join(lines[:40] + lines[-40:]) + "\n", encoding="utf-8")
    out = tmp_path / "model.npz"
    assert kong_ai("detector", "train", "--data", str(data), "--out", str(out)).returncode == 0
    fresh = kong_ai("detector", "train", "--check", "--data", str(data), "--out", str(out))
    assert fresh.returncode == 0 and "up to date" in fresh.stdout
    out.write_bytes(out.read_bytes() + b"\0")
    stale = kong_ai("detector", "train", "--check", "--data", str(data), "--out", str(out))
    assert stale.returncode == 1 and "differs" in stale.stdout
    assert out.read_bytes().endswith(b"\0")  # --check writes nothing


def test_training_never_reads_the_held_out_files() -> None:
    from kong_plugins.ai_input_guard.classifier_train import DEV_FILES, HELDOUT_FILES, TRAINING_FILES

    assert not set(HELDOUT_FILES + DEV_FILES) & set(TRAINING_FILES)
    training = {json.loads(line)["text"] for name in TRAINING_FILES for line in (DATA / name).open()}
    held_out = {
        json.loads(line)["text"] for name in HELDOUT_FILES + DEV_FILES for line in (DATA / name).open()
    }
    assert not training & held_out


def test_eval_prints_figures_per_category_and_language() -> None:
    result = kong_ai("detector", "eval", str(DATA / "heldout2.jsonl"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("tier cascade on")
    header = next(line for line in lines if line.startswith("category"))
    assert header.split() == ["category", "n", "precision", "recall", "f1", "fpr"]
    assert any(line.startswith("tool_result_injection ") for line in lines)
    assert any(line.startswith("zh ") for line in lines)
    figures = json.loads(
        kong_ai("detector", "eval", str(DATA / "heldout2.jsonl"), "--json", "--tier", "rules").stdout
    )
    overall = figures["overall"]["all"]
    assert overall["n"] == 99 and 0 <= overall["precision"] <= 1 and 0 <= overall["fpr"] <= 1
    assert set(figures) == {"overall", "category", "language"}


def test_eval_of_a_missing_file_is_an_error() -> None:
    result = kong_ai("detector", "eval", "no/such/file.jsonl")
    assert result.returncode != 0 and "not found" in (result.stdout + result.stderr)


def _shingles(text: str, size: int = 8) -> set[str]:
    """The text as written (NFKC, casefolded, whitespace collapsed), not the classifier's reading of it,
    which drops URLs and encoded runs: two base64 attacks with different payloads would look alike."""
    text = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return {text[start : start + size] for start in range(max(1, len(text) - size + 1))}


def test_no_held_out_text_is_a_near_duplicate_of_a_training_text() -> None:
    """A held-out text sharing most of its character 8-grams with one training text would measure memory,
    not generalization: at most 50% of any held-out text's 8-grams may come from one training text. (The
    dev files written before this check, heldout to heldout3, have a few such pairs: their figures are
    optimistic; heldout4 to heldout6, written with it and now dev files, stay checked.)"""
    from kong_plugins.ai_input_guard.classifier_train import HELDOUT_FILES, TRAINING_FILES

    index: dict[str, set[int]] = {}
    for number, line in enumerate(line for name in TRAINING_FILES for line in (DATA / name).open()):
        for shingle in _shingles(json.loads(line)["text"]):
            index.setdefault(shingle, set()).add(number)
    too_close = []
    for name in (*HELDOUT_FILES, "heldout4.jsonl", "heldout5.jsonl", "heldout6.jsonl"):
        for line in (DATA / name).open():
            row = json.loads(line)
            shingles = _shingles(row["text"])
            shared: dict[int, int] = {}
            for shingle in shingles:
                for number in index.get(shingle, ()):
                    shared[number] = shared.get(number, 0) + 1
            if shared and max(shared.values()) > 0.5 * len(shingles):
                too_close.append(row["id"])
    assert not too_close, too_close
