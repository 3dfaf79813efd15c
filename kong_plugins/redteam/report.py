"""The red-team report: a table for a person, JSON for a pipeline; the exit code says whether all held."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from kong_plugins.redteam.findings import FAIL, Finding

COLUMNS = (("layer", 9), ("attack", 52), ("expected", 34), ("got", 40), ("verdict", 7))


def _cell(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def table(findings: Sequence[Finding], target: str, sent: int) -> str:
    lines = [f"kong-ai redteam {target}: {sent} requests sent"]
    lines.append("  ".join(name.ljust(width) for name, width in COLUMNS))
    lines.append("  ".join("-" * width for _, width in COLUMNS))
    for finding in findings:
        row = finding.as_dict()
        cells = [_cell(str(row[name]), width).ljust(width) for name, width in COLUMNS]
        lines.append("  ".join(cells).rstrip())
        if finding.reason:
            lines.append(" " * (COLUMNS[0][1] + 2) + "  " + _cell(finding.reason, 140))
    counts = summary(findings)
    lines.append(
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped"
        + (f"; failed layers: {', '.join(failed_layers(findings))}" if counts["fail"] else "")
    )
    return "\n".join(lines)


def as_json(findings: Sequence[Finding], target: str, sent: int) -> str:
    document = {
        "target": target,
        "requests_sent": sent,
        "summary": summary(findings),
        "failed_layers": failed_layers(findings),
        "results": [finding.as_dict() for finding in findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    counts = Counter(finding.verdict for finding in findings)
    return {verdict: counts.get(verdict, 0) for verdict in ("pass", "fail", "skip")}


def failed_layers(findings: Sequence[Finding]) -> list[str]:
    return list(dict.fromkeys(f.layer for f in findings if f.verdict == FAIL))
