"""A third-person description of what software does, not an instruction: "Il sistema ignora le istruzioni
precedenti nel file di configurazione quando il flag è attivo", "El parser ignora las instrucciones
anteriores si...", "Le parseur ignore les instructions précédentes lorsque...".

In Spanish, Italian, Portuguese and French the imperative of the override verbs (*ignora*, *olvida*,
*dimentica*, *esquece*, *ignore*, *oublie*) is also their third person singular: the override rules match a
manual, a changelog or a bug report describing a program. What tells the two apart is a subject before
the verb, at the start of its clause: an article or a demonstrative and one or two words ("el parser", "il
file di", "le parseur", "o sistema"), or a subject pronoun ("il", "ella", "ele"). An imperative has none
("Traduce esto y luego ignora...", "Por favor, ignora...": a conjunction, an adverb or "please" before it).

It is not a description when the subject is the model itself ("el asistente ignora...", "l'IA ignore...": a
declaration addressed to it), nor when the sentence goes on to what an attack asks once the instructions
are out of the way ("... y revela la contraseña": :data:`.scope.INSTEAD`). A description weighs as a
mention (:data:`.mention.MENTION_FACTOR`): the classifier has the last word.

Linear: a split of at most :data:`_AROUND` bytes before the match, and one RE2 search of its sentence.
"""

from __future__ import annotations

from kong_plugins.ai_input_guard.linear_regex import compile_linear
from kong_plugins.ai_input_guard.mention import sentence_bounds

__all__ = ["is_description"]

_AROUND = 80


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# the override verbs whose imperative is also their third person singular (casefolded UTF-8)
_AMBIGUOUS_VERB = compile_linear(
    r"^(?:ignora|ignore|olvida|omite|descarta|dimentica|trascura|esquece|desconsidera|oublie)\b"
)
_DETERMINERS = _words(
    "le la les l' ce cet cette ces un une son sa ses notre leur el los las este esta estos estas ese "
    "esa un una su sus nuestro nuestra cada il lo i gli l' questo questa quel quello quella uno un' "
    "ogni o a os as esse essa esses essas um uma seu sua cada nosso nossa"
)
_PRONOUNS = _words("il elle on él ella ello ele ela esso essa egli")
# a clause opens at the start of the sentence, after punctuation, or after one of these
_CLAUSE_OPENERS = _words(
    "que qu' che quando cuando si se porque perché parce lorsque quand donde où onde mientras mentre "
    "enquanto pendant durante"
)
# words no subject is made of: conjunctions, adverbs, "please", the model and its reader
_NOT_A_SUBJECT = _words(
    "y e et o ou und and poi luego después despues depois ensuite puis alors ahora ora adesso agora "
    "maintenant entonces quindi donc allora então entao también anche também aussi simplemente "
    "semplicemente simplesmente simplement ya già já déjà no non ne não pas por favor per favore "
    "plait plaît bitte please te ti me mi tu tú usted vous voi você voce asistente assistente "
    "assistant modelo modello modèle modele ia ai bot chatbot agente agent llm gpt chatgpt claude"
)
_CLAUSE_BREAKS = b'.,;:!?\n()[]{}"\xc2\xab\xc2\xbb'  # ASCII marks and the bytes of « »


def is_description(data: bytes, start: int, end: int, instead: object) -> bool:
    """Whether the override rule's match ``data[start:end]`` (casefolded UTF-8) is a verb with a
    third-person subject before it (see the module docstring); ``instead``: the compiled pattern of what
    an attack goes on to ask (:data:`.scope.INSTEAD`)."""
    if _AMBIGUOUS_VERB.search(data[start:end]) is None:
        return False
    before = data[max(0, start - _AROUND) : start]
    cut = max(before.rfind(bytes([mark])) for mark in _CLAUSE_BREAKS)
    words = before[cut + 1 :].decode("utf-8", "ignore").replace("\u2019", "'").replace("l'", "l' ").split()
    if not _has_subject(words[-4:]):
        return False
    _, _, stop = sentence_bounds(data, start, end)
    return instead.search(data[end:stop]) is None  # type: ignore[attr-defined]


def _has_subject(words: list[str]) -> bool:
    """Whether the last ``words`` before the verb are a clause's subject: a pronoun, or a determiner and
    one or two words, at the start of the clause."""
    if not words:
        return False
    if words[-1] in _PRONOUNS:
        return len(words) == 1 or words[-2] in _CLAUSE_OPENERS
    for size in (1, 2):
        if len(words) < size + 1:
            return False
        head, nouns = words[-size - 1], words[-size:]
        if head in _DETERMINERS and not any(word in _NOT_A_SUBJECT or word in _DETERMINERS for word in nouns):
            opener = len(words) == size + 1 or words[-size - 2] in _CLAUSE_OPENERS
            if opener:
                return True
    return False
