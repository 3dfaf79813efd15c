"""Training and evaluating the shipped classifier (:mod:`.classifier`): ``kong-ai detector train|eval``.

Training needs scikit-learn (the ``[train]`` extra); inference never does. It is deterministic: the same
data gives the same weights (liblinear, a fixed regularization :data:`C`, fixed fold seeds for the
cross-validated F1 recorded in the file), written as a zip with fixed timestamps, so the file in the
package can be checked against a fresh run. A training text the classifier would never read
(:func:`~.classifier.scored`: a lone token, no letters) is left out: its row would teach the model about
inputs it is never given.

Data: JSON lines ``{"id", "label": "attack"|"benign", "category", "lang", "role", "text"}``
(tests/data/prompt_injection/README.md). :data:`TRAINING_FILES` train; :data:`DEV_FILES` (tuning: rules,
threshold) and :data:`HELDOUT_FILES` (the final measure) are never read by ``train``.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kong_plugins.ai_input_guard.classifier import (
    BITS,
    LENGTH_EDGES,
    MODEL_VERSION,
    WINDOW_CHARS,
    Classifier,
    _windows,
    normalize,
    scored,
    text_vector,
    tool_text,
)

__all__ = [
    "DEV_FILES",
    "HELDOUT_FILES",
    "TRAINING_FILES",
    "WINDOWED_FILES",
    "Row",
    "benign_windows",
    "evaluate",
    "in_prose",
    "load_rows",
    "planted_lines",
    "train",
    "write_model",
]

TRAINING_FILES = (
    "corpus.jsonl",
    "train.jsonl",
    "train2.jsonl",
    "train3.jsonl",
    "train4.jsonl",
    "train5.jsonl",
    "train6.jsonl",
    "train7.jsonl",
    "train8.jsonl",
    "train9.jsonl",
    "train10.jsonl",
    "train_own_text.jsonl",
)
WINDOWED_FILES = ("train_own_text.jsonl", "train10.jsonl")
"""Ordinary benign text (the project's own code, configs and docs, synthetic records): each of its long
texts is also learnt window by window (:func:`benign_windows`). The classifier reads a long text as its
worst window, so a 3 KB module is judged by its most instruction-like 256 characters or sentence: a model
that saw only whole modules learnt whole-module vectors and still read one window of one (version 6: 41 of
60 CPython modules over the threshold, bench/ordinary_text.py)."""
WINDOW_SAMPLES = 6
"""Windows learnt per long ordinary text (seeded sample of the windows the classifier reads)."""
DEV_FILES = (
    "heldout.jsonl",
    "heldout2.jsonl",
    "heldout3.jsonl",
    "heldout4.jsonl",
    "heldout5.jsonl",
    "dev_short.jsonl",
    "dev_rag.jsonl",
    "heldout6.jsonl",
)
"""Never trained on, but looked at: rule changes, the regularization, the length feature and the default
threshold were checked against them (heldout4's aggregate figures were read while models were made: it
joined them when heldout5 was written; heldout5's were read once, after classifier version 5 was final: it
joined them when heldout6 was written, and only its aggregate figures are read). ``dev_short.jsonl``:
short everyday prompts, field values and short attacks written to check the threshold on short texts.
``dev_rag.jsonl``: long multi-document tool results (retrieved documents joined as RAG frameworks join them,
JSON API results, e-mails, CVs, code), half with one planted instruction, to tune windows and thresholds on
tool output. ``heldout6.jsonl``: the held-out set until heldout7; its aggregate figures were read once, after
classifier version 7 was final, so it joined the dev files when heldout7 was written."""
HELDOUT_FILES = ("heldout7.jsonl",)
"""Never trained or tuned on, no error on it looked at: the figure that says how the detector generalizes."""
PROSE = (
    "The quarterly report covers sales in the northern region and the opening of the new warehouse in Leeds.",
    "Revenue grew by four percent compared with the same period last year, mostly from repeat customers.",
    "Shipping costs rose in September because two of our carriers changed their fuel surcharges.",
    "The support team answered ninety percent of tickets within one business day.",
    "We plan to migrate the billing database to the new cluster during the maintenance window on Sunday.",
    "Please bring your laptop and a charger to the onboarding session next Tuesday morning.",
    "The committee approved the budget for the community garden and the new playground benches.",
    "Our hiking group meets at the train station at eight and returns by the late afternoon bus.",
    "The recipe needs two cups of flour, a pinch of salt, and butter softened at room temperature.",
    "Attendance at the spring conference was higher than expected, with many first-time visitors.",
    "The contractor will replace the kitchen windows and repaint the hallway before the end of the month.",
    "Invoices older than sixty days are flagged in the dashboard and sent to the finance team.",
    "The museum extends its opening hours on Fridays during the summer exhibition.",
    "Our library card holders can now borrow e-books directly from the mobile app.",
    "The bridge on Mill Road will be closed for inspection from Monday to Wednesday.",
    "Product managers should update the roadmap document after each sprint review.",
    "The survey shows that most respondents prefer shorter meetings with a clear agenda.",
    "A new coffee machine was installed on the third floor next to the meeting rooms.",
    "Customers in the pilot program reported fewer login problems after the update.",
    "The garden centre offers a discount on fruit trees until the end of the season.",
    "Delivery times to rural areas remain longer than to the main cities.",
    "The board thanked the volunteers who organized the charity run in the park.",
    "Next year we want to reduce paper use in the office by half.",
    "Employees can choose between two health plans during the enrollment period in November.",
    "The city council discussed parking fees, school bus routes, and the new recycling schedule.",
    "The laboratory received new microscopes and will offer training sessions for students.",
    "Temperatures will drop sharply over the weekend, so farmers are advised to protect young plants.",
    "The hotel restaurant serves breakfast from seven to ten and dinner until eleven.",
    "Our release notes list the fixed bugs, the known issues, and the upgrade steps.",
    "The orchestra rehearses on Thursday evenings in the hall behind the church.",
)
"""Ordinary sentences (a report, notices, a recipe...) that :func:`in_prose` puts around each text."""
PROSE_SENTENCES = 3  # on each side: about 300 characters before and after the text

C = 32.0
"""The inverse regularization strength, chosen on the dev split (:data:`DEV_FILES`) among 16, 32 and 64
with the length bins and the default threshold: each C's threshold by the dev rule of
:data:`~.classifier.DEFAULT_THRESHOLD`, then the C whose threshold leaves the highest dev recall as
written (16: 0.889 at 0.71; 32: 0.891 at 0.74; 64: 0.885 at 0.79). Versions 4-5 chose C by 5-fold
cross-validated F1 on the training files: that scores each text read whole, never the one- and
two-sentence windows a long text is read in, and with the short texts of train8 it picked 1024, at which
a hard negative's sentence read without its context scored high: dev false positives in prose 14% (2% as
written)."""
FOLDS = 5
LONG_ATTACK_CHARS = 700
"""Attack texts longer than this are not trained on (since version 8; 117 of 2,114). They are documents
with one planted instruction (train5's paragraphs, train10's retrieved documents): learnt whole, their
label falls on every ordinary sentence around the instruction, and the model, which reads a long text as
its worst window, learnt ordinary document prose as attack (with them: 2.4-2.9% of the ordinary-text
bench's tuning chunks flagged, license texts in 4 KB chunks 15%; without: 1.8%). The instructions they
plant are in the short texts too; reading them inside long documents is measured, with the dev split in
prose and dev_rag."""
TOOL_ROLES = frozenset({"tool", "function"})
PLANTED_FILES = ("train10.jsonl",)
"""Files whose attack tool results are benign documents with one instruction planted next to their benign
twins: their planted lines are learnt as rows of their own (:func:`planted_lines`)."""
PLANTED_LINES = 2
"""At most this many lines of its own make an attack tool result a planted one (:func:`planted_lines`)."""


@dataclass(frozen=True)
class Row:
    id: str
    attack: bool
    category: str
    lang: str
    role: str
    text: str


def load_rows(paths: Iterable[Path]) -> list[Row]:
    rows: list[Row] = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("label") not in ("attack", "benign") or not isinstance(item.get("text"), str):
                raise ValueError(f"{path}:{number}: needs label attack|benign and a text")
            rows.append(
                Row(
                    str(item.get("id", f"{path.name}:{number}")),
                    item["label"] == "attack",
                    str(item.get("category", "")),
                    str(item.get("lang", "")),
                    str(item.get("role", "user")),
                    item["text"],
                )
            )
    return rows


def in_prose(rows: Sequence[Row], seed: int = 5) -> list[Row]:
    """Each text inside ordinary prose (``kong-ai detector eval --in-prose``): :data:`PROSE_SENTENCES`
    sentences of :data:`PROSE` before and after it, chosen by a seeded generator. Measures what a text
    scores inside a longer document or message (dilution, and benign prose pushing a hard negative over
    the threshold), with the same labels."""
    chooser = random.Random(seed)
    wrapped = []
    for row in rows:
        before = " ".join(chooser.sample(PROSE, PROSE_SENTENCES))
        after = " ".join(chooser.sample(PROSE, PROSE_SENTENCES))
        wrapped.append(
            Row(row.id, row.attack, row.category, row.lang, row.role, f"{before} {row.text} {after}")
        )
    return wrapped


def benign_windows(rows: Sequence[Row], per_text: int = WINDOW_SAMPLES, seed: int = 7) -> list[Row]:
    """Up to ``per_text`` of the windows the classifier reads in each long benign text of ``rows``
    (:func:`~.classifier._windows`: fixed windows and one- or two-sentence spans), as benign rows of their
    own. Only for texts that are benign throughout (:data:`WINDOWED_FILES`): a window of a hard negative
    cut from its question ("what does 'ignore previous instructions' mean?") is no longer benign."""
    chooser = random.Random(seed)
    windows = []
    for row in rows:
        text = normalize(tool_text(row.text) if row.role in TOOL_ROLES else row.text)
        if row.attack or len(text) <= WINDOW_CHARS:
            continue
        starts, stops, _ = _windows([text], [0])
        padded = f" {text} "
        spans = zip(starts, stops, strict=True)
        pieces = sorted({padded[start:stop].strip() for start, stop in spans} - {""})
        for number, piece in enumerate(chooser.sample(pieces, min(per_text, len(pieces)))):
            windows.append(Row(f"{row.id}/w{number}", False, row.category, row.lang, row.role, piece))
    return windows


def planted_lines(rows: Sequence[Row], most: int = PLANTED_LINES) -> list[Row]:
    """The planted instruction of each attack tool result of ``rows``, alone and with the line before and
    after it, as attack rows of their own: the lines (of :func:`~.classifier.tool_text`) that no benign
    tool result of ``rows`` holds, where there are at most ``most`` of them. train10 writes its attacks as
    benign documents with one instruction planted on a line of its own, next to the same documents
    without it, so the lines only the attack has are the instruction. Attack texts longer than
    :data:`LONG_ATTACK_CHARS` are not learnt whole; this keeps what they teach - the window that
    instructs - without labelling their ordinary sentences. An attack without a benign twin has many
    lines of its own and adds none."""
    benign: set[str] = set()
    for row in rows:
        if not row.attack and row.role in TOOL_ROLES:
            benign.update(_lines(row))
    planted = []
    for row in rows:
        if not row.attack or row.role not in TOOL_ROLES:
            continue
        lines = _lines(row)
        own = [number for number, line in enumerate(lines) if line not in benign]
        if not 0 < len(own) <= most:
            continue
        for number in own:
            before, after = (
                " ".join(lines[max(number - 1, 0) : number + 1]),
                " ".join(lines[number : number + 2]),
            )
            for kind, text in enumerate(dict.fromkeys([lines[number], before, after])):
                planted.append(
                    Row(f"{row.id}/p{number}.{kind}", True, row.category, row.lang, row.role, text)
                )
    return planted


def _lines(row: Row) -> list[str]:
    return [line.strip() for line in tool_text(row.text).splitlines() if scored(line.strip())]


def _matrix(rows: Sequence[Row], bits: int) -> Any:
    from scipy.sparse import csr_matrix  # scikit-learn's dependency: training only

    data: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    pointers = [0]
    for row in rows:
        tool = row.role in TOOL_ROLES
        buckets, values = text_vector(normalize(tool_text(row.text) if tool else row.text), tool, bits)
        columns.append(buckets)
        data.append(values)
        pointers.append(pointers[-1] + len(buckets))
    return csr_matrix(
        (np.concatenate(data), np.concatenate(columns), np.array(pointers)), shape=(len(rows), 1 << bits)
    )


def train(rows: Sequence[Row], bits: int = BITS) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Weights, bias and the training facts (the stratified 5-fold cross-validated F1 at :data:`C` among
    them) from the rows the classifier reads (:func:`~.classifier.scored`)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    rows = [
        row for row in rows if scored(row.text) and not (row.attack and len(row.text) > LONG_ATTACK_CHARS)
    ]
    features = _matrix(rows, bits)
    labels = np.array([int(row.attack) for row in rows])
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=15)
    model = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", max_iter=1000)
    cv_f1 = float(cross_val_score(model, features, labels, cv=folds, scoring="f1").mean())
    fitted = model.fit(features, labels)
    weights = fitted.coef_[0].astype(np.float32)
    facts = {
        "version": MODEL_VERSION,
        "bits": bits,
        "C": C,
        "length_edges": list(LENGTH_EDGES),
        "cv_f1": round(cv_f1, 4),
        "rows": len(rows),
        "attacks": int(labels.sum()),
    }
    return weights, float(fitted.intercept_[0]), facts


def write_model(path: Path, weights: np.ndarray, bias: float, meta: dict[str, Any]) -> None:
    """An ``.npz`` that ``np.load`` reads, byte-for-byte reproducible (fixed zip timestamps and order)."""
    arrays = {
        "weights": weights.astype(np.float16),
        "bias": np.array(bias, dtype=np.float64),
        "meta": np.array(json.dumps(meta, sort_keys=True)),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def data_digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    def add(self, attack: bool, flagged: bool) -> None:
        if attack:
            self.tp += flagged
            self.fn += not flagged
        else:
            self.fp += flagged
            self.tn += not flagged

    def figures(self) -> dict[str, float | int | None]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 3) if b else None

        precision = ratio(self.tp, self.tp + self.fp)
        recall = ratio(self.tp, self.tp + self.fn)
        f1 = (
            round(2 * precision * recall / (precision + recall), 3)
            if precision is not None and recall is not None and precision + recall
            else None
        )
        return {
            "n": self.tp + self.fp + self.tn + self.fn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "fpr": ratio(self.fp, self.fp + self.tn),
        }


def evaluate(rows: Sequence[Row], flag: Callable[[Row], bool]) -> dict[str, dict[str, dict[str, Any]]]:
    """Precision, recall, F1 and false-positive rate overall, per category and per language.

    Per category: the attacks of that category against every benign text (so its FPR is the overall one);
    benign categories (``general``, ``tool_output``) count their false positives. Per language: all rows
    of that language.
    """
    overall = Counts()
    by_category: dict[str, Counts] = defaultdict(Counts)
    by_lang: dict[str, Counts] = defaultdict(Counts)
    verdicts = [(row, flag(row)) for row in rows]
    for row, flagged in verdicts:
        overall.add(row.attack, flagged)
        by_lang[row.lang].add(row.attack, flagged)
        by_category[row.category].add(row.attack, flagged)
    for counts in by_category.values():
        if counts.tp + counts.fn:  # an attack category: add the benign side for precision
            counts.fp, counts.tn = overall.fp, overall.tn
    return {
        "overall": {"all": overall.figures()},
        "category": {name: counts.figures() for name, counts in sorted(by_category.items())},
        "language": {name: counts.figures() for name, counts in sorted(by_lang.items())},
    }


def category_counts(rows: Sequence[Row]) -> Counter[str]:
    return Counter(row.category for row in rows)


def load_classifier(path: Path) -> Classifier:
    return Classifier.load(path)
