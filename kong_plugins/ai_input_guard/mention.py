"""Use or mention: is an attack phrase the rules found an instruction to the model, or talked about?

"What does 'ignore previous instructions' mean?", "Translate: 'forget your rules'", "write a regex that
catches <|im_start|>system", a security advisory quoting a payload: the phrase is there, but the text is
about it. The rules cannot tell from the phrase alone, and blocking these was the detector's most common
false positive. A phrase rule's match counts as a *mention* when

* it sits between quotation marks (ASCII, typographic, guillemets, CJK corner brackets, backticks) on
  its line - unless they delimit an HTML attribute's value or a Markdown link's title, where instructions
  are hidden, not quoted - or
* the text around it (its sentence, or the whole text when short) says it is being discussed: asked
  about, translated, tested, quoted from a log or a story, explained as an attack (cue words in the
  12 most used languages); for chat-template tokens and role tags, also when it calls the match a
  token, tag, marker or template.

A mention is not cleared: its weight is scaled by :data:`MENTION_FACTOR`, so it no longer decides on its own
and the classifier tier (trained on such mentions as benign, and on the tricks that dress an attack up
as a translation request as attacks) has the last word. Instructions in tool results and documents are
judged the same way: an e-mail quoting a payload in a security warning is a mention; an instruction
addressed to the model is not quoted, and stays at full weight. Disguised matches (only after removing
invisible characters, look-alikes, leetspeak, spacing) are never mentions: nobody hides a phrase they
are merely asking about.

Linear: one RE2 search per matched rule and a bounded look at the characters around the match.
"""

from __future__ import annotations

from kong_plugins.ai_input_guard.linear_regex import compile_linear

__all__ = ["MENTION_FACTOR", "is_mention"]

MENTION_FACTOR = 0.3
_AROUND = 160  # bytes looked at on each side of a match for its quotation marks and its sentence
_SHORT_TEXT = 400  # bytes: below this, the whole text is the context of a match

_OPENERS = ('"', "'", "`", "\u201c", "\u2018", "\u00ab", "\u201e", "\u300c", "\u300e", "\u300a", "\u2039")
_CLOSERS = ('"', "'", "`", "\u201d", "\u2019", "\u00bb", "\u201c", "\u300d", "\u300f", "\u300b", "\u203a")

# Casefolded text. Words that say the phrase is talked about, not the topic words attacks use themselves
# ("filters", "jailbreak", "quote it"); ASCII words must stand alone (not "attacker@", "evil.example").
_ASCII_CUES = (
    r"what\s+(?:does|do)\s[^.?!\n]{0,80}\bmean|meaning|means|why\s+(?:does|do|would|did)|translat\w*"
    r"|regex\w*|regular\s+expressions?|detect\w*|unit\s+tests?|test\s+cases?|for\s+example|an\s+example"
    r"|examples?\s+of|phrases?|strings?|attackers?|(?:prompt\s+)?injections?|typed|lecture"
    r"|slides?|advisory|chatml|tokenizers?|special\s+tokens?|chat\s+templates?"
    r"|significa\w*|signifie|veut\s+dire|bedeutet|traduc\w*|tradu[isz]\w*|[uü]bersetz\w*|ataques?"
    r"|attaques?|angriff\w*|attacco|inyecci[oó]n|injektion|iniezione|inje[cç][aã]o|frase|satz"
)
_CUE = compile_linear(
    rf"(?:^|[\s(\"'\x{{201C}}\x{{00AB}}\x{{00BF}}\x{{00A1}}])(?:{_ASCII_CUES})"
    r"(?:$|[\s,;:!?)\"'\x{201D}\x{00BB}]|\.(?:\s|$))"
    r"|перевед|перевод|означает|атак|инъекц|фраз"
    r"|翻译|翻訳|訳して|번역|什么意思|意味|뜻|의미|攻击|攻撃|공격|注入|インジェクション|인젝션|这句话|この文|문장"
    r"|ترجم|تعني|معنى|هجوم|حقن|عبارة"
    r"|अनुवाद|मतलब|अर्थ|हमला|इंजेक्शन|वाक्य"
)
# A chat-template token named as one ("what is the <|im_start|> token for?") is talked about; a forgery
# does not call itself a token. Only for the role-tag rules: "token" is an attacker's word elsewhere.
_TEMPLATE_CUE = compile_linear(
    r"(?:^|[\s(\"'])(?:tokens?|jetons?|tags?|markers?|marcador\w*|marcatore|marqueur|markierung|templates?"
    r"|plantillas?|mod[eè]les?|vorlagen?|tokenizers?|chatml)(?:$|[\s,;:!?)\"'.])"
    r"|токен|метк|шаблон|标记|模板|記号|トークン|テンプレート|토큰|표시|템플릿|رمز|العلامة|قالب|टोकन|चिह्न|टेम्पलेट"
)
# Payload splitting quotes its pieces to have them joined: quoted, but used.
_JOINED_PIECES = compile_linear(
    r"\b[a-z]\w{0,8}\s*\+\s*[a-z]\w{0,8}\b|concatenat|\bcombine\b|\bjoin\s+(?:them|these)"
)
# Quotation marks that delimit a value of markup, not a quotation: an HTML attribute inside its tag
# (``<a title="...">``, ``<img alt='...'>``; not an assignment in code), a Markdown link or reference
# title (``[text](url "...")``, ``[1]: url "..."``, the ``[//]: # "..."`` comment). The model reads what
# is inside as text; instructions hide there.
_MARKUP_VALUE = compile_linear(r"(?:<[a-z][^<>]*\s[\w:-]+\s*=\s*|\]\(\s*\S+\s+|\]:\s*\S+\s+)$")
# In a tool result or retrieved document (data the model reads), quotation marks that delimit a value of
# data, not a quotation: a JSON or Python dict value (``"note": "..."``, ``{'k': '...'}``), an array's
# element (``["...", "..."]``), a CSV field (``1,"..."``). A tool that returns JSON quotes every string it
# returns; counting those as quotations made every injection in a JSON tool result a mention.
_DATA_VALUE = compile_linear(r"(?:[\"']\s*[:,]\s*|[\[{]\s*|[^\s,],)$")
_SENTENCE_END = (b".", b"!", b"?", b"\n", "\u3002".encode(), "\uff01".encode(), "\uff1f".encode())


def is_mention(
    data: bytes, start: int, end: int, *, template_token: bool = False, in_data: bool = False
) -> bool:
    """Whether the match ``data[start:end]`` (casefolded UTF-8) is quoted or discussed, not used;
    ``template_token``: the match is a chat-template token or role tag; ``in_data``: the text is a tool
    result or document, where the quotation marks delimiting a JSON/CSV value are not a quotation."""
    if _JOINED_PIECES.search(data) is not None:
        return False
    if _quoted(data, start, end, in_data):
        return True
    context = _context(data, start, end)
    return _CUE.search(context) is not None or (template_token and _TEMPLATE_CUE.search(context) is not None)


def _quoted(data: bytes, start: int, end: int, in_data: bool = False) -> bool:
    before = data[max(0, start - _AROUND) : start].decode("utf-8", "ignore").rsplit("\n", 1)[-1]
    after = data[end : end + _AROUND].decode("utf-8", "ignore").split("\n", 1)[0]
    opened = max((before.rfind(mark) for mark in _OPENERS if _opens(before, mark)), default=-1)
    if opened < 0 or _MARKUP_VALUE.search(before[:opened]) is not None:
        return False
    if in_data and before[opened] in "\"'" and _DATA_VALUE.search(before[:opened]) is not None:
        return False
    closed_before = max(
        (_last_closer(before, mark) for mark in _CLOSERS if mark != before[opened]), default=-1
    )
    return closed_before <= opened and any(mark in after for mark in _CLOSERS)


def _last_closer(before: str, mark: str) -> int:
    """Where ``mark`` last closes a quotation in ``before``: an apostrophe between two letters is an elision
    (« … qu'on t'a données … », l\u2019utente), not the end of the quotation it sits in."""
    at = before.rfind(mark)
    if mark not in ("'", "\u2019"):
        return at
    while 0 < at < len(before) - 1 and before[at - 1].isalnum() and before[at + 1].isalnum():
        at = before.rfind(mark, 0, at)
    return at


def _opens(before: str, mark: str) -> bool:
    """An apostrophe opens a quotation only after a space or punctuation, not inside a word (l'utente)."""
    at = before.rfind(mark)
    if at < 0:
        return False
    return mark != "'" or at == 0 or not before[at - 1].isalnum()


def _context(data: bytes, start: int, end: int) -> bytes:
    if len(data) <= _SHORT_TEXT:
        return data
    left = data[max(0, start - _AROUND) : start]
    right = data[end : end + _AROUND]
    cut = max(left.rfind(mark) for mark in _SENTENCE_END)
    left = left[cut + 1 :] if cut >= 0 else left
    stops = [at for at in (right.find(mark) for mark in _SENTENCE_END) if at >= 0]
    right = right[: min(stops)] if stops else right
    return left + data[start:end] + right
