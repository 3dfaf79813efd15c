#!/usr/bin/env python3
"""ai-input-guard: how often the prompt-injection detector flags ordinary text (code, licenses, READMEs).

The classifier's dev split is curated prompts; a developer pasting a module or a RAG tool returning a
license is neither. This script reads local files at run time (nothing of their text is committed or
trained on: third-party text) and prints the false-positive rate of the classifier alone and of the cascade
(rules, then the classifier), per source, in chunks of 1 KB and 4 KB.

Sources are split in two:

* **tuning** (the classifier's threshold may be checked against them): CPython's stdlib ``*.py`` and
  ``/usr/share/common-licenses``;
* **held-out** (measured, never tuned on): the ``*.py`` of a few installed libraries (numpy, jsonschema,
  redis, httpx when present) and ``/usr/share/doc/*/README*``, ``changelog*``, ``*.md`` (gzip included).

Files are sampled with a fixed seed; each file gives up to ``--chunks-per-file`` consecutive chunks from its
start. Every chunk is benign, so a flagged chunk is a false positive.

Usage: ``python bench/ordinary_text.py [--model FILE] [--threshold T] [--role user|tool] [--json out.json]``
(about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import random
import sys
import sysconfig
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench_report import render_table, write_json

from kong_plugins.ai_input_guard.classifier import DEFAULT_MODEL_PATH, DEFAULT_THRESHOLD, Classifier
from kong_plugins.ai_input_guard.injection import InjectionDetector
from kong_plugins.ai_input_guard.view import TextSegment

CHUNK_SIZES = (1024, 4096)
LIBRARIES = ("numpy", "jsonschema", "redis", "httpx")
DOC_PATTERNS = ("README*", "changelog*", "*.md", "*.md.gz")
MAX_FILE_BYTES = 4 << 20


def _stdlib() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    return sorted(path for path in root.glob("*.py") if path.is_file())


def _licenses() -> list[Path]:
    root = Path("/usr/share/common-licenses")
    return sorted(path for path in root.iterdir() if path.is_file()) if root.is_dir() else []


def _libraries() -> list[Path]:
    files: list[Path] = []
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        files += sorted(p for p in Path(spec.origin).parent.rglob("*.py") if "tests" not in p.parts)
    return files


def _docs() -> list[Path]:
    root = Path("/usr/share/doc")
    files: set[Path] = set()
    if root.is_dir():
        for pattern in DOC_PATTERNS:
            files.update(p for p in root.glob(f"*/{pattern}") if p.is_file() and not p.is_symlink())
    return sorted(files)


SOURCES: dict[str, tuple[str, Callable[[], list[Path]]]] = {
    "stdlib_py": ("tuning", _stdlib),
    "licenses": ("tuning", _licenses),
    "library_py": ("held-out", _libraries),
    "doc_readme_changelog": ("held-out", _docs),
}


def read_text(path: Path) -> str:
    """The file's text (gunzipped for ``.gz``), undecodable bytes replaced; empty if unreadable."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return ""
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile):
        return ""
    return raw.decode("utf-8", errors="replace")


def chunks(paths: list[Path], size: int, files: int, per_file: int, seed: int) -> Iterator[str]:
    """Up to ``per_file`` consecutive ``size``-character chunks from the start of ``files`` sampled files
    (a last chunk shorter than half ``size`` is dropped)."""
    chooser = random.Random(seed)
    picked = chooser.sample(paths, min(files, len(paths)))
    for path in picked:
        text = read_text(path)
        for number in range(per_file):
            piece = text[number * size : (number + 1) * size]
            if len(piece) < size // 2 or not piece.strip():
                break
            yield piece


def measure(args: argparse.Namespace) -> dict[str, Any]:
    model = Classifier.load(args.model or DEFAULT_MODEL_PATH)
    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    detector = InjectionDetector()
    tool = args.role == "tool"
    results: dict[str, Any] = {"threshold": threshold, "role": args.role, "sources": {}}
    for name, (split, finder) in SOURCES.items():
        paths = finder()
        for size in CHUNK_SIZES:
            texts = list(chunks(paths, size, args.files, args.chunks_per_file, args.seed))
            classifier_hits = cascade_hits = 0
            for text in texts:
                by_model = model.probability(text, tool=tool) >= threshold
                detection = detector.scan([TextSegment("/messages/0/content", args.role, text, 0)], 0.5)
                by_rules = detection is not None and detection.score >= 0.5
                classifier_hits += by_model
                cascade_hits += by_model or by_rules
            n = len(texts)
            results["sources"][f"{name}/{size // 1024}KB"] = {
                "split": split,
                "files": min(args.files, len(paths)),
                "chunks": n,
                "classifier_fpr": round(classifier_hits / n, 3) if n else None,
                "cascade_fpr": round(cascade_hits / n, 3) if n else None,
            }
    for split in ("tuning", "held-out"):
        rows = [item for item in results["sources"].values() if item["split"] == split and item["chunks"]]
        total = sum(item["chunks"] for item in rows)
        for tier in ("classifier", "cascade"):
            hits = sum(round(item[f"{tier}_fpr"] * item["chunks"]) for item in rows)
            results[f"{split}_{tier}_fpr"] = round(hits / total, 3) if total else None
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the package's)")
    parser.add_argument("--threshold", type=float, default=None, help="default: the plugin's default")
    parser.add_argument("--role", choices=["user", "tool"], default="user")
    parser.add_argument("--files", type=int, default=60, help="files sampled per source")
    parser.add_argument("--chunks-per-file", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    results = measure(args)
    print(f"threshold {results['threshold']}, role {results['role']}")
    rows = [
        [
            name,
            item["split"],
            str(item["files"]),
            str(item["chunks"]),
            str(item["classifier_fpr"]),
            str(item["cascade_fpr"]),
        ]
        for name, item in results["sources"].items()
    ]
    print(render_table(["source", "split", "files", "chunks", "classifier", "cascade"], rows))
    for split in ("tuning", "held-out"):
        print(
            f"{split}: classifier FPR {results[f'{split}_classifier_fpr']}, "
            f"cascade FPR {results[f'{split}_cascade_fpr']}"
        )
    if args.json:
        write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
