"""One red-team result per attack, and the verdicts the layers share.

A verdict is ``pass`` (refused as the suite promises), ``fail`` (it got through, or the gateway answered in a
way the suite promises it never does: a 5xx or no answer where a clear 4xx is due) or ``skip`` (the target
lacks what the attack needs, or the budget ran out; the reason says which).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kong_plugins.redteam.client import Reply

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass
class Finding:
    layer: str
    attack: str
    expected: str
    got: str
    verdict: str
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def refusal_verdict(reply: Reply) -> tuple[str, str]:
    """A request that must be refused: any 4xx passes; 2xx/3xx got through; a 5xx or silence fails too."""
    if 400 <= reply.status < 500:
        return PASS, ""
    if reply.status == 0:
        return FAIL, "no answer: a hostile request must get a clear 4xx, not a hang or a reset"
    if reply.status >= 500:
        return FAIL, "a 5xx: a hostile request must get a clear 4xx"
    return FAIL, "got through: the gateway accepted it"
