"""Values written with look-alike characters are redacted as what a reader sees (:mod:`...fold`).

Full-width digits and at sign, digits of other scripts, no-break spaces and Unicode dashes as separators,
zero-width characters inside a value: the client renders a card number or an email, so the redactor must
find one, in JSON and in a stream whose halves arrive in two events.
"""

from __future__ import annotations

import pytest
from integration.ai_output_redactor.redactor_support import chat_content, mock_headers, stream_text

LOOK_ALIKES = {
    "full-width card": (" ".join(["\uff14\uff11\uff11\uff11"] + ["\uff11" * 4] * 3), "CREDIT_CARD"),
    "card with no-break spaces": ("4111\u00a01111\u00a01111\u00a01111", "CREDIT_CARD"),
    "card with zero-width spaces": ("4111\u200b1111\u200b1111\u200b1111", "CREDIT_CARD"),
    "arabic-indic card": (" ".join(["\u0664\u0661\u0661\u0661"] + ["\u0661" * 4] * 3), "CREDIT_CARD"),
    "email with a zero-width space": ("jane.doe\u200b@example.com", "EMAIL"),
    "email with a soft hyphen": ("jane\u00ad.doe@exam\u00adple.com", "EMAIL"),
    "full-width at sign": ("jane.doe\uff20example.com", "EMAIL"),
    "ssn with en dashes": ("536\u201322\u20131234", "US_SSN"),
    "phone with narrow no-break spaces": ("+44\u202f20\u202f7946\u202f0958", "PHONE"),
}


@pytest.mark.parametrize("name", sorted(LOOK_ALIKES))
def test_look_alike_values_are_redacted(redacted, name: str) -> None:
    value, kind = LOOK_ALIKES[name]
    route = redacted()
    assert chat_content(route.chat(f"Here: {value}.")) == f"Here: [REDACTED:{kind}]."
    middle = len("Here: ") + len(value) // 2
    streamed = route.chat(f"Here: {value}.", stream=True, **mock_headers(split_at=str(middle)))
    assert stream_text(streamed) == f"Here: [REDACTED:{kind}]."


def test_text_around_look_alikes_is_kept_and_allow_list_reads_folded_values(redacted) -> None:
    route = redacted({"allow_list": ["support@example.com"]})
    text = "日本語: support\uff20example.com と \uff14\uff11\uff11\uff11 の番号"
    assert chat_content(route.chat(text)) == text
