"""``kong-ai detector train|eval``: the ai-input-guard prompt-injection classifier, reproduced and measured.

* ``train [--data DIR] [--out FILE] [--check]``: trains the shipped model from the training files of
  ``DIR`` (``tests/data/prompt_injection``: ``TRAINING_FILES`` of
  :mod:`~kong_plugins.ai_input_guard.classifier_train`; dev and held-out files are never read) and writes
  it (by default over the package's file). Deterministic: ``--check`` writes nothing and exits 1 when a
  fresh run differs from the file. Needs scikit-learn (``pip install kong-ai-guard[train]``).
* ``eval DATA... [--tier cascade|rules|classifier] [--json]``: precision, recall, F1 and false-positive
  rate overall, per category and per language of labelled JSON lines, with the default thresholds (rules
  0.5, classifier ``DEFAULT_THRESHOLD`` of :mod:`~kong_plugins.ai_input_guard.classifier`, or
  ``--threshold``); ``cascade`` is rules then the classifier where the rules did not decide, with the
  classifier in ``block`` mode; ``--in-prose`` puts each text inside ordinary prose first (how a text scores
  inside a long document). Needs numpy only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from kong_plugins.cli.main import EXIT_FAILED, EXIT_OK, CliError

__all__ = ["register"]

DEFAULT_DATA = Path("tests/data/prompt_injection")


def register(subparsers: Any) -> None:
    """Add the ``detector`` command group."""
    parser = subparsers.add_parser(
        "detector",
        help="train and evaluate ai-input-guard's prompt-injection classifier",
        description="Reproduce the shipped classifier from the labelled data, or measure the detector.",
    )
    commands = parser.add_subparsers(dest="detector_command", required=True)
    train = commands.add_parser("train", help="train the shipped classifier (needs the [train] extra)")
    train.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"data directory (default {DEFAULT_DATA})"
    )
    train.add_argument("--out", type=Path, default=None, help="model file (default: the package's)")
    train.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file differs")
    train.set_defaults(handler=_train)
    evaluate = commands.add_parser("eval", help="precision/recall/F1/FPR per category and language")
    evaluate.add_argument("data", type=Path, nargs="+", help="labelled JSON lines files")
    evaluate.add_argument("--tier", choices=["cascade", "rules", "classifier"], default="cascade")
    evaluate.add_argument("--model", type=Path, default=None, help="model file (default: the package's)")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.add_argument(
        "--threshold", type=float, default=None, help="classifier threshold (default: the plugin's default)"
    )
    evaluate.add_argument(
        "--in-prose",
        action="store_true",
        help="put each text inside about 600 characters of ordinary prose (long-document behaviour)",
    )
    evaluate.set_defaults(handler=_eval)


def _train(args: argparse.Namespace) -> int:
    from kong_plugins.ai_input_guard.classifier import DEFAULT_MODEL_PATH
    from kong_plugins.ai_input_guard.classifier_train import (
        PLANTED_FILES,
        TRAINING_FILES,
        WINDOWED_FILES,
        benign_windows,
        data_digest,
        load_rows,
        planted_lines,
        train,
        write_model,
    )

    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise CliError("training needs scikit-learn: pip install 'kong-ai-guard[train]'") from None
    paths = [args.data / name for name in TRAINING_FILES]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise CliError(f"training data not found: {', '.join(missing)}")
    rows = load_rows(paths)
    rows += benign_windows(load_rows(path for path in paths if path.name in WINDOWED_FILES))
    rows += planted_lines(load_rows(path for path in paths if path.name in PLANTED_FILES))
    weights, bias, facts = train(rows)
    facts["data_sha256"] = data_digest(paths)
    target = args.out or DEFAULT_MODEL_PATH
    if args.check:
        with tempfile.TemporaryDirectory() as scratch:
            fresh = Path(scratch) / "model.npz"
            write_model(fresh, weights, bias, facts)
            same = target.is_file() and fresh.read_bytes() == target.read_bytes()
        print(f"{target}: {'up to date' if same else 'differs from a fresh training run'}")
        return EXIT_OK if same else EXIT_FAILED
    write_model(target, weights, bias, facts)
    print(
        f"{target}: {facts['rows']} texts ({facts['attacks']} attacks), C={facts['C']}, "
        f"cross-validated F1 {facts['cv_f1']}"
    )
    return EXIT_OK


def _eval(args: argparse.Namespace) -> int:
    from kong_plugins.ai_input_guard.classifier import DEFAULT_MODEL_PATH, DEFAULT_THRESHOLD, Classifier
    from kong_plugins.ai_input_guard.classifier_train import Row, evaluate, in_prose, load_rows
    from kong_plugins.ai_input_guard.injection import TOOL_ROLES, InjectionDetector
    from kong_plugins.ai_input_guard.view import TextSegment

    missing = [str(path) for path in args.data if not path.is_file()]
    if missing:
        raise CliError(f"not found: {', '.join(missing)}")
    rows = load_rows(args.data)
    if args.in_prose:
        rows = in_prose(rows)
    if args.threshold is None:
        args.threshold = DEFAULT_THRESHOLD
    detector = InjectionDetector()
    model = Classifier.load(args.model or DEFAULT_MODEL_PATH) if args.tier != "rules" else None

    def rules(row: Row) -> bool:
        detection = detector.scan([TextSegment("/messages/0/content", row.role, row.text, 0)], threshold=0.5)
        return detection is not None and detection.score >= 0.5

    def classifier(row: Row) -> bool:
        assert model is not None
        return model.probability(row.text, tool=row.role in TOOL_ROLES) >= args.threshold

    flag = {"rules": rules, "classifier": classifier, "cascade": lambda r: rules(r) or classifier(r)}[
        args.tier
    ]
    figures = evaluate(rows, flag)
    if args.json:
        json.dump(figures, sys.stdout, indent=2, sort_keys=True)
        print()
        return EXIT_OK
    names = ", ".join(str(path) for path in args.data)
    print(f"tier {args.tier} on {names}")
    for section in ("overall", "category", "language"):
        print(f"\n{section:<22} {'n':>5} {'precision':>9} {'recall':>7} {'f1':>6} {'fpr':>6}")
        for name, item in figures[section].items():
            cells = [_cell(item[key]) for key in ("precision", "recall", "f1", "fpr")]
            print(f"{name:<22} {item['n']:>5} {cells[0]:>9} {cells[1]:>7} {cells[2]:>6} {cells[3]:>6}")
    return EXIT_OK


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
