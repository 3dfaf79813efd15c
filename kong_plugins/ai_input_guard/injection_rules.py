"""The prompt-injection detector's rules: what injection attempts actually write, as RE2 patterns.

Each rule has a category and a weight (its evidence on its own, between 0 and 1; the detector combines
the weights of the rules a text triggers). Patterns run on casefolded text (and its de-obfuscated variants,
see :mod:`.text_variants`), so they are written in lower case. Words are separated by ``[^\\pL\\pN]+`` (any
run of non-alphanumerics: spaces, punctuation, line breaks), so ``ignore, all previous...`` still matches.

Weights were set so that one unambiguous attack phrase is enough to reach the default threshold (0.5) and
weaker signals (``from now on you will...``, a mention of a jailbreak, a markdown ``### System`` header)
need company; they were checked against the labelled corpus in ``tests/data/prompt_injection/``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATEGORIES", "GLUED_RULES", "LONE_RULES", "PHRASE_RULES", "TAG_RULES", "TOOL_RULES", "Rule"]

CATEGORIES = (
    "instruction_override",
    "jailbreak_persona",
    "prompt_leak",
    "role_tag_forgery",
    "hidden_characters",
    "obfuscation",
    "encoded_payload",
    "tool_result_injection",
)


@dataclass(frozen=True)
class Rule:
    """One detector rule (``name`` appears in logs, never in responses)."""

    name: str
    category: str
    weight: float
    pattern: str


_SEP = r"[^a-z0-9]+"  # ASCII: these rules are English; small classes keep the automata small
_GAP = r"[^.!?\n\x{3002}\x{FF01}\x{FF1F}]*"  # the rest of the sentence (line breaks and . ! ? end it)
_VERBS_EN = r"(?:ignore|disregard|forget|bypass|override|overlook|skip|drop|abandon|discard|neglect)"
_ADJ_EN = (
    r"(?:previous|prior|above|earlier|preceding|foregoing|former|initial|original|system|developer|safety"
    r"|existing|old|current|given|default|hidden|all\s+other)"
)
_NOUN_EN = (
    r"(?:instructions?|prompts?|rules|directions|directives|guidelines|guidance|context|commands?|constraints"
    r"|guardrails|programming|polic(?:y|ies)|restrictions|messages?|orders|conditioning|training)"
)
_DET_EN = r"(?:all|any|every|each|of|about|the|your|these|those|such)"
_AI = r"(?:ai|assistant|chatbot|language\s+model|llm|gpt|chatgpt|claude|model|agent|copilot|bot)"

_OVERRIDE = "instruction_override"
_JAILBREAK = "jailbreak_persona"
_LEAK = "prompt_leak"
_TAGS = "role_tag_forgery"
_ENCODED = "encoded_payload"
_TOOL = "tool_result_injection"

PHRASE_RULES: tuple[Rule, ...] = (
    # -- English instruction overrides --------------------------------------------------------------------
    Rule(
        "override_en_adjective",
        _OVERRIDE,
        0.85,
        rf"\b{_VERBS_EN}(?:{_SEP}(?:then|now|also|simply|just))?(?:{_SEP}{_DET_EN})*{_SEP}(?:{_ADJ_EN}{_SEP})+{_NOUN_EN}\b",
    ),
    Rule(
        "override_en_determiner",
        _OVERRIDE,
        0.75,
        rf"\b{_VERBS_EN}{_SEP}(?:all|any|every|your)(?:{_SEP}(?:of|the|your|these|those))*{_SEP}{_NOUN_EN}\b",
    ),
    Rule(
        "override_en_everything",
        _OVERRIDE,
        0.8,
        rf"\b(?:ignore|disregard|forget){_SEP}(?:all{_SEP}|about{_SEP})?(?:everything|anything|all)"
        rf"{_SEP}(?:you(?:'ve|{_SEP}have|{_SEP}were){_SEP}(?:been{_SEP})?(?:told|given|taught)|above|before"
        rf"|(?:said|written){_SEP}(?:before|above|earlier)|previously|so{_SEP}far)",
    ),
    Rule(
        "new_instructions",
        _OVERRIDE,
        0.45,
        r"\b(?:new|updated|real|actual|true|revised)\s+(?:system\s+)?instructions?\s*:",
    ),
    Rule(
        "your_real_task",
        _OVERRIDE,
        0.55,
        r"\byour\s+(?:new|real|actual|true|only)\s+(?:instructions|task|goal|purpose|objective|job)\s+(?:is|are|will\s+be)\b",
    ),
    Rule(
        "from_now_on",
        _OVERRIDE,
        0.35,
        r"\bfrom\s+now\s+on\b" + _GAP + r"\byou\s+(?:will|must|shall|are|should|only|can)\b",
    ),
    Rule(
        "no_longer_bound",
        _OVERRIDE,
        0.75,
        r"\byou\s+are\s+no\s+longer\s+(?:bound|restricted|limited|constrained|an?\s+ai|an?\s+assistant|chatgpt|claude"
        r"|required\s+to\s+follow)",
    ),
    Rule(
        "stop_being",
        _OVERRIDE,
        0.5,
        r"\b(?:stop|quit)\s+being\s+(?:an?\s+)?(?:ai|assistant|chatgpt|claude|ethical|safe)\b",
    ),
    # -- other languages ----------------------------------------------------------------------------------
    Rule(
        "override_fr",
        _OVERRIDE,
        0.85,
        r"\b(?:ignore[rz]?|oublie[rz]?|ne\s+tiens\s+pas\s+compte\s+d[e']|ne\s+tenez\s+pas\s+compte\s+d[e'])\s*"
        r"(?:(?:ensuite|alors|maintenant|donc|simplement|aussi|d[eé]sormais)\s+)?(?:de\s+)?(?:toutes\s+|tous\s+)?(?:les|tes|vos|ces)\s+(?:instructions|consignes|r[eè]gles|directives)"
        r"(?:\s+(?:pr[eé]c[eé]dentes|ant[eé]rieures|ci-dessus|initiales|d'origine))",
    ),
    Rule(
        "override_fr_all",
        _OVERRIDE,
        0.75,
        r"\b(?:ignore[rz]?|oublie[rz]?)\s+(?:toutes\s+)?(?:tes|vos)\s+(?:instructions|consignes|r[eè]gles)\b",
    ),
    Rule(
        "override_es",
        _OVERRIDE,
        0.85,
        # "your" rules, or "the" rules said to be the earlier ones: not "ignora las reglas de ortografía"
        r"\b(?:ignora|ignore|ignoren|olvida|olvide|olviden|descarta|omite)\s+"
        r"(?:(?:luego|despu[eé]s|ahora|entonces|simplemente|tambi[eé]n)\s+)?(?:todas\s+)?(?:(?:tus|sus)\s+"
        r"(?:instrucciones|reglas|indicaciones|directrices|[oó]rdenes)\b|las\s+(?:instrucciones|reglas|indicaciones"
        r"|directrices|[oó]rdenes)\s+(?:anteriores|previas|de\s+arriba|iniciales))",
    ),
    Rule(
        "override_pt",
        _OVERRIDE,
        0.85,
        r"\b(?:ignore|ignora|esque[cç]a|esque[cç]am|desconsidere)\s+"
        r"(?:(?:depois|ent[aã]o|agora|tamb[eé]m|simplesmente|logo)\s+)?(?:todas\s+)?(?:suas\s+(?:instru[cç][oõ]es|regras"
        r"|orienta[cç][oõ]es)\b|as\s+(?:instru[cç][oõ]es|regras|orienta[cç][oõ]es)\s+(?:anteriores|pr[eé]vias|acima|iniciais))",
    ),
    Rule(
        "override_it",
        _OVERRIDE,
        0.85,
        r"\b(?:ignora|ignorate|dimentica|dimenticate|trascura)\s+"
        r"(?:(?:poi|dopo|ora|adesso|anche|semplicemente|quindi)\s+)?(?:tutte\s+)?(?:(?:le\s+)?(?:tue|sue)\s+(?:istruzioni"
        r"|regole|indicazioni)\b|(?:le\s+)?(?:istruzioni|regole|indicazioni)\s+(?:precedenti|sopra|iniziali))",
    ),
    Rule(
        "override_de",
        _OVERRIDE,
        0.85,
        r"\b(?:ignoriere|ignorier|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte|missachten\s+sie)\s+"
        r"(?:(?:danach|dann|anschlie[sß]end|jetzt|nun|sofort|einfach|bitte|auch)\s+)?(?:alle\s+)?(?:vorherigen|vorigen|bisherigen|obigen|fr[uü]heren|deine|ihre|die\s+vorherigen)\s+"
        r"(?:vorherigen\s+|bisherigen\s+)?(?:anweisungen|instruktionen|regeln|befehle|vorgaben|richtlinien)",
    ),
    Rule(
        "override_nl",
        _OVERRIDE,
        0.85,
        r"\b(?:negeer|vergeet)\s+(?:alle\s+)?(?:vorige|eerdere|voorgaande|bovenstaande|je|jouw)\s+"
        r"(?:instructies|regels|opdrachten)",
    ),
    Rule(
        "override_pl",
        _OVERRIDE,
        0.85,
        r"\b(?:zignoruj|ignoruj|zapomnij)\s+(?:o\s+)?(?:wszystkie\s+|wszystkich\s+)?(?:poprzednie|poprzednich"
        r"|wcze[sś]niejsze|swoje|twoje)\s+(?:instrukcje|instrukcjach|polecenia|poleceniach|zasady)",
    ),
    Rule(
        "override_tr",
        _OVERRIDE,
        0.85,
        r"(?:[oö]nceki|t[uü]m|b[uü]t[uü]n)\s+(?:talimatlar[iı]|kurallar[iı]|komutlar[iı])\s*(?:n[iı]\s+)?"  # noqa: RUF001
        r"(?:yok\s+say|g[oö]rmezden\s+gel|unut)",
    ),
    Rule(
        "override_id",
        _OVERRIDE,
        0.85,
        r"\b(?:abaikan|lupakan)\s+(?:semua\s+)?(?:instruksi|perintah|aturan)\s+(?:sebelumnya|di\s+atas)",
    ),
    Rule(
        "override_ru",
        _OVERRIDE,
        0.85,
        r"(?:игнорируй|игнорируйте|проигнорируй|проигнорируйте|забудь|забудьте|не\s+обращай\s+внимания\s+на)\s+"
        r"(?:все\s+|всё\s+)?(?:предыдущие|прежние|свои|твои|ваши|вышеуказанные|данные\s+ранее)\s+"
        r"(?:инструкции|указания|правила|команды)",
    ),
    Rule(
        "override_uk",
        _OVERRIDE,
        0.85,
        r"(?:ігноруй|ігноруйте|забудь|забудьте)\s+(?:усі\s+|всі\s+)?(?:попередні|свої|твої)\s+"  # noqa: RUF001
        r"(?:інструкції|вказівки|правила)",
    ),
    Rule(
        "override_zh",
        _OVERRIDE,
        0.85,
        r"(?:忽略|忽視|忽视|无视|無視|忘记|忘記|忘掉|不要理会|不要理會|不要遵守)掉?\s*(?:你|之前|以上|上面|前面|先前|此前|所有|全部|一切|的)+"
        r"(?:指令|指示|说明|說明|规则|規則|提示|要求|设定|設定)",
    ),
    Rule(
        "override_ja",
        _OVERRIDE,
        0.85,
        r"(?:以前|前|上記|これまで|先|今まで)の(?:すべての|全ての)?(?:指示|命令|ルール|指令|設定)を?(?:すべて|全て)?"
        r"(?:無視|忘れ)",
    ),
    Rule(
        "override_ko",
        _OVERRIDE,
        0.85,
        r"(?:이전|앞의|위의|모든|기존)\s*(?:의\s*)?(?:지시|지침|명령|규칙|지시사항)(?:사항)?(?:을|를|은|는)?\s*(?:모두\s*)?"
        r"(?:무시|잊어)",
    ),
    Rule(
        "override_ar",
        _OVERRIDE,
        0.85,
        r"(?:تجاهل|تجاهلي|تجاهلوا|انس|انسى|إنس)\s+(?:جميع\s+|كل\s+)?(?:التعليمات|الأوامر|التوجيهات|القواعد)",
    ),
    Rule(
        "override_hi",
        _OVERRIDE,
        0.85,
        r"(?:पिछले|पहले\s+के|सभी|पिछली)\s+(?:सभी\s+)?(?:निर्देशों|निर्देश|नियमों|आदेशों)\s+(?:को\s+)?"
        r"(?:अनदेखा|नजरअंदाज|नज़रअंदाज़|भूल)",
    ),
    # -- jailbreak personas -------------------------------------------------------------------------------
    Rule("do_anything_now", _JAILBREAK, 0.8, r"\bdo\s+anything\s+now\b"),
    Rule(
        "unrestricted_persona",
        _JAILBREAK,
        0.75,
        r"\b(?:you\s+are|you're|act\s+as|pretend\s+to\s+be|pretend\s+you\s+are|roleplay\s+as|become)\s+(?:now\s+)?"
        r"(?:dan|stan|dude|evil\s*bot|an?\s+unrestricted|an?\s+uncensored|an?\s+unfiltered|an?\s+jailbroken"
        r"|an?\s+evil)\b",
    ),
    Rule(
        "special_mode_on",
        _JAILBREAK,
        0.75,
        r"\b(?:developer|god|dan|jailbreak|unrestricted|sudo|unfiltered)\s+mode\b"
        + _GAP
        + r"\b(?:enabled|activated"
        r"|engaged|unlocked|is\s+now\s+on)\b",
    ),
    Rule(
        "enable_special_mode",
        _JAILBREAK,
        0.75,
        r"\b(?:enable|activate|enter|switch\s+to|turn\s+on|go\s+into|you\s+are\s+(?:now\s+)?in|you're\s+(?:now\s+)?in)"
        r"\s+(?:the\s+)?(?:god|dan|jailbreak|unrestricted|sudo|unfiltered|evil)\s+mode\b",
    ),
    Rule(
        "answer_without_limits",
        _JAILBREAK,
        0.55,
        r"\b(?:respond|answer|reply|act|behave|talk|speak|write|generate|continue)\b"
        + _GAP
        + r"\b(?:without|with\s+no)"
        r"\s+(?:any\s+)?(?:restrictions|filters|filtering|limitations|censorship|guidelines|rules|morals|ethics"
        r"|ethical\s+(?:guidelines|constraints)|safety\s+(?:guidelines|measures|filters))\b",
    ),
    Rule(
        "limits_then_answer",
        _JAILBREAK,
        0.55,
        r"\b(?:without|with\s+no|free\s+(?:of|from))\s+(?:any\s+)?(?:restrictions|filters|censorship|limitations|rules"
        r"|ethics)\b" + _GAP + r"\b(?:respond|answer|reply|tell|explain|write|generate)\b",
    ),
    Rule(
        "disable_safety",
        _JAILBREAK,
        0.7,
        r"\b(?:bypass|disable|turn\s+off|circumvent|deactivate|ignore|override|remove)\s+(?:all\s+)?(?:of\s+)?"
        r"(?:your|the|its|any)\s+(?:safety|content|security|ethical|moderation)\s+(?:filters?|guardrails?"
        r"|restrictions|safeguards|policies|guidelines|protocols)\b",
    ),
    Rule(
        "disable_your_rules",
        _JAILBREAK,
        0.7,
        r"\b(?:bypass|disable|circumvent|deactivate|break\s+free\s+of)\s+(?:all\s+)?your\s+(?:filters?|guardrails?"
        r"|restrictions|safeguards|rules|programming)\b",
    ),
    Rule("jailbreak_mention", _JAILBREAK, 0.3, r"\bjailbr(?:eak|oken|eaking)\b"),
    # -- system prompt extraction -------------------------------------------------------------------------
    Rule(
        "reveal_prompt",
        _LEAK,
        0.7,
        r"\b(?:reveal|show|print|output|display|repeat|tell|give|leak|dump|disclose|write\s+out|spell\s+out|paste"
        r"|recite)\b" + _GAP + r"\b(?:(?:your|the|its|this)\s+(?:(?:full|entire|complete|exact|whole)\s+)*"
        r"(?:original|hidden|secret|initial|confidential|internal|developer|system)[\s-]+(?:prompt|message"
        r"|instructions?)|your\s+(?:(?:full|entire|complete|exact|whole|original|hidden|secret|initial)\s+)*"
        r"(?:system\s+)?(?:prompt|instructions|rules|guidelines|directives|configuration))\b",
    ),
    Rule(
        "repeat_text_above",
        _LEAK,
        0.55,
        r"\b(?:repeat|print|output|echo|copy|write\s+out)\b"
        + _GAP
        + r"\b(?:the\s+)?(?:words|text|everything|content"
        r"|lines?)\s+(?:above|before\s+this|preceding|prior\s+to\s+this)",
    ),
    Rule(
        "what_is_your_prompt",
        _LEAK,
        0.55,
        r"\bwhat\s+(?:is|was|are|were)\s+your\s+(?:system\s+prompt|initial\s+(?:prompt|instructions)|original"
        r"\s+instructions|hidden\s+instructions|instructions)\b",
    ),
    Rule(
        "reveal_prompt_multilingual",
        _LEAK,
        0.65,
        r"(?:montre|affiche|r[eé]v[eè]le|donne|muestra|revela|imprime|dime|zeige|gib|verrate|mostra|rivela|dimmi"
        r"|mostre|покажи|выведи|раскрой|скажи|显示|顯示|告诉我|告訴我|输出|輸出|打印|見せて|表示して|教えて|보여|알려)"
        + _GAP
        + r"(?:prompt\s+(?:syst[eè]me|del\s+sistema|do\s+sistema|di\s+sistema)|system\s*-?prompt"
        r"|systemanweisung|системн\pL*\s+(?:промпт\pL*|инструкци\pL*|подсказк\pL*)|系统提示|系統提示|系统指令"
        r"|システムプロンプト|시스템\s*프롬프트)",
    ),
    Rule(
        "prompt_then_reveal",
        _LEAK,
        0.65,
        # the prompt as the verb's object, not "…の書き方を教えて" (how to write one)
        r"(?:システムプロンプト|系统提示词?|系統提示詞?|시스템\s*프롬프트)\s*(?:を|를|을)?\s*"
        r"(?:そのまま|全部|すべて|全文|그대로|전부|完整地?|全部)?\s*(?:見せて|表示|教えて|出力|보여|알려|출력)",
    ),
    Rule(
        "decode_and_follow",
        _ENCODED,
        0.6,
        r"\b(?:decode|decipher|translate|convert)\b"
        + _GAP
        + r"\b(?:base64|base-64|hex|rot13|binary|morse)\b"
        + _GAP
        + r"\b(?:follow|execute|obey|do\s+(?:it|what|as)|carry\s+out|run|perform|act\s+on)\b",
    ),
    Rule(
        "follow_encoded",
        _ENCODED,
        0.55,
        r"\b(?:follow|execute|obey|run)\s+(?:the\s+)?(?:base64|encoded|hex|hidden|obfuscated)[\s-]+(?:encoded\s+)?"
        r"(?:instructions?|commands?|text|message|payload)\b",
    ),
)

TAG_RULES: tuple[Rule, ...] = (
    Rule(
        "chat_template_token",
        _TAGS,
        0.75,
        r"<\|\s*(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id"
        r"|begin_of_text|eom_id|endofprompt|fim_prefix|fim_middle|fim_suffix)\s*\|>",
    ),
    Rule("llama_inst_open", _TAGS, 0.35, r"\[inst\]"),
    Rule("llama_inst_close", _TAGS, 0.35, r"\[/inst\]"),
    Rule("llama_sys", _TAGS, 0.7, r"<</?sys>>"),
    Rule("gemma_turn", _TAGS, 0.65, r"<(?:start|end)_of_turn>"),
    Rule("system_xml_tag", _TAGS, 0.45, r"</?(?:system|sys|system_prompt|admin|developer)>"),
    Rule(
        "closed_turn_then_system",
        _TAGS,
        0.7,
        r"</(?:user|human|assistant|input)>\s*<(?:system|admin|developer)\b",
    ),
    Rule(
        "markdown_system_header",
        _TAGS,
        0.4,
        r"(?m)^[ \t>]*#{1,6}[ \t]*(?:system|admin|developer)(?:[ \t]+(?:prompt|message|override))?"
        r"[ \t]*:?[ \t]*$",
    ),
    Rule(
        "markdown_instruction_header",
        _TAGS,
        0.2,
        r"(?m)^[ \t>]*#{1,6}[ \t]*(?:new[ \t]+)?instructions?[ \t]*:?[ \t]*$",
    ),
    Rule(
        "role_label_line",
        _TAGS,
        0.3,
        r"(?m)^[ \t>]*(?:system|admin|administrator|developer|root)[ \t]*(?:prompt|message|override|note)?"
        r"[ \t]*:[ \t]*\S",
    ),
    Rule(
        "markdown_role_turns",
        _TAGS,
        0.6,
        r"(?m)^[ \t>]*#{1,6}[ \t]*(?:system|admin|developer)\b[\s\S]*"
        r"^[ \t>]*#{1,6}[ \t]*(?:user|human|assistant)\b",
    ),
    Rule(
        "forged_transcript",
        _TAGS,
        0.4,
        r"(?m)^[ \t]*(?:human|user)[ \t]*:[^\n]*\n+[ \t]*(?:assistant|ai)[ \t]*:",
    ),
    # a chat message forged as JSON: the system/developer role *with* the message's content. A "role" of
    # "developer" or "system" alone is a person's job or an event's source in any directory or log a tool
    # returns ({"name": "Alice", "role": "developer"}); it was refused once quotation marks were paired
    Rule(
        "json_system_role",
        _TAGS,
        0.55,
        r"[{,]\s*\"role\"\s*:\s*\"(?:system|developer)\"\s*,\s*\"(?:content|parts)\"\s*:"
        r"|\"content\"\s*:\s*\"(?:[^\"\\\n]|\\.)*\"\s*,\s*\"role\"\s*:\s*\"(?:system|developer)\"",
    ),
    Rule(
        "bracket_system",
        _TAGS,
        0.45,
        r"\[(?:system|admin|developer)(?:\s+(?:message|note|prompt))?\]",
    ),
    Rule("bracket_system_override", _TAGS, 0.65, r"\[(?:system|admin|developer)(?:\s+|\]\s*:?\s*)override\b"),
    Rule(
        "end_of_system_prompt",
        _TAGS,
        0.5,
        r"\b(?:end|begin)\s+of\s+(?:the\s+)?system\s+(?:prompt|message|instructions)\b",
    ),
)

TOOL_RULES: tuple[Rule, ...] = (
    Rule(
        "addresses_the_ai",
        _TOOL,
        0.6,
        rf"(?:^|[\s\[(*#>]){_AI}\s*[,:]\s*(?:please\s+)?(?:you\s+(?:must|should|need\s+to|have\s+to|will)|ignore"
        r"|disregard|forget|now|stop|do\s+not|don't|send|forward|email|reply|respond|tell|reveal|call|execute|run"
        r"|delete|visit|open)\b",
    ),
    Rule(
        "message_for_the_ai",
        _TOOL,
        0.7,
        rf"\b(?:important|urgent|attention|note|notice|warning)\b{_GAP}\b(?:instructions?|message|notice"
        rf"|information)\s+(?:for|to)\s+(?:the\s+|any\s+|all\s+)?{_AI}s?\b",
    ),
    Rule(
        "hide_from_user",
        _TOOL,
        0.7,
        r"\b(?:do\s+not|don't|never)\s+(?:tell|inform|mention|reveal|show|let|alert|notify)\s+(?:this\s+)?(?:to\s+)?"
        r"(?:the\s+)?user\b",
    ),
    Rule(
        "behind_users_back",
        _TOOL,
        0.65,
        r"\bwithout\s+(?:telling|informing|notifying|alerting|asking)\s+(?:the\s+)?user\b",
    ),
    Rule(
        "exfiltrate",
        _TOOL,
        0.45,
        r"\b(?:send|forward|email|e-mail|post|upload|transmit|leak|exfiltrate)\b"
        + _GAP
        + r"\b(?:conversation"
        r"|chat\s+history|history|messages|credentials|passwords?|api[\s_-]*keys?|tokens?|secrets?|personal\s+"
        r"(?:data|information)|contacts)\b" + _GAP + r"\b(?:to|at|into)\b",
    ),
    Rule(
        "markdown_image_beacon",
        _TOOL,
        0.45,
        r"!\[[^\]\n]*\]\(\s*https?://[^)\s]+[?&][^)\s=]+=",
    ),
    Rule(
        "when_you_read_this",
        _TOOL,
        0.5,
        r"\b(?:when|once|if|after)\s+(?:you|the\s+(?:ai|assistant|model|agent|llm|bot))\s+(?:reads?|sees?"
        r"|process(?:es)?|summari[sz]es?|parses?|encounters?)\s+this\b",
    ),
    Rule(
        "instead_do",
        _TOOL,
        0.35,
        r"\binstead\s*,?\s+(?:you\s+(?:must|should|will)|respond|reply|say|output|write)\b",
    ),
)

# -- glued spellings ----------------------------------------------------------------------------------------
# The strongest English phrases with the separators between their words optional and no word boundaries,
# for text written without spaces or in camelCase ("ignoreallpreviousinstructions",
# "ignoreAllPreviousInstructions" once casefolded). Each bears the name of the phrase rule it glues, so that
# a phrase the plain text already matched (used, or mentioned and discounted) is never counted twice. A
# function word is required inside the phrase ("all", "your", "the"...): squashed prose keeps them, code
# identifiers drop them (``overrideSystemPrompt``, ``ignorePreviousErrors`` are not glued phrases), and so is
# an adjective for an override (``ignoreAllRules`` is a plausible flag name; ``ignoreAllPreviousRules`` not).
_OPT = r"[^a-z0-9]*"
_GLUED_DET = r"(?:all|any|every|your|the|these|those)"
_GLUED_ADJ = (
    r"(?:previous|prior|above|earlier|preceding|foregoing|former|initial|original|system|developer|safety)"
)
_GLUED_NOUN = (
    r"(?:instructions?|prompts?|rules|directions|directives|guidelines|guardrails|programming|restrictions"
    r"|constraints)"
)
# The exception: with no function word, an override is still a phrase, not a code name, when what it sets
# aside is the earlier instructions themselves: ``IgnorePreviousInstructions``, ``disregardPriorDirectives``
# (a lone token the classifier does not read; its snake_case and kebab-case spellings were refused
# already), where ``ignorePreviousErrors``, ``overrideSystemPrompt`` and ``ignorePreviousRules`` stay names.
_GLUED_EARLIER = r"(?:previous|prior|above|earlier|preceding|foregoing)"
_GLUED_INSTRUCTIONS = r"(?:instructions?|prompts?|directions|directives|guidelines)"
GLUED_RULES: tuple[Rule, ...] = (
    Rule(
        "override_en_adjective",
        _OVERRIDE,
        0.85,
        rf"(?:ignore|disregard|forget|bypass|override){_OPT}(?:of{_OPT})?(?:{_GLUED_DET}{_OPT}(?:(?:of|the){_OPT})?"
        rf"(?:{_GLUED_ADJ}{_OPT})+{_GLUED_NOUN}|{_GLUED_EARLIER}{_OPT}{_GLUED_INSTRUCTIONS})",
    ),
    Rule(  # ForgetEverythingAbove: a lone token, refused spelled forget-everything-above
        "override_en_everything",
        _OVERRIDE,
        0.8,
        rf"(?:ignore|disregard|forget){_OPT}(?:all{_OPT})?(?:everything|anything){_OPT}"
        rf"(?:above|before|previously|so{_OPT}far)",
    ),
    Rule(
        "reveal_prompt",
        _LEAK,
        0.7,
        rf"(?:reveal|show|print|output|display|repeat|leak|dump|disclose|recite){_OPT}(?:me{_OPT})?(?:your|the)"
        rf"{_OPT}(?:(?:full|entire|complete|exact|whole|original|hidden|secret|initial|internal){_OPT})*"
        rf"system{_OPT}(?:prompt|instructions)",
    ),
    Rule(
        "do_anything_now",
        _JAILBREAK,
        0.8,
        rf"do{_OPT}anything{_OPT}now",
    ),
    Rule(
        "enable_special_mode",
        _JAILBREAK,
        0.75,
        rf"(?:enable|activate|enter){_OPT}(?:the{_OPT})?(?:god|jailbreak|unrestricted|sudo|unfiltered)"
        rf"{_OPT}mode",
    ),
    Rule(
        "no_longer_bound",
        _OVERRIDE,
        0.75,
        rf"you{_OPT}(?:are|re){_OPT}no{_OPT}longer{_OPT}(?:bound|restricted|limited|constrained)",
    ),
)

# -- lone tokens ---------------------------------------------------------------------------------------------
# A line that is nothing but one glued, snake_case or kebab-case phrase (``bypass-safety-filters``,
# ``RevealSystemPrompt``, ``ignore_all_rules`` sent as a whole message) is an instruction with its spaces
# taken out, not a name in code: a name stands in a statement, a call, a list or a sentence. On a line of
# its own the function word the glued rules require is not needed. Matched on the glued reading (casefolded:
# camelCase is lower case there); each bears the name of the phrase rule it spells, so a phrase found
# already is not counted twice. Anchored at a line start with no indentation and bounded words: linear.
_LONE = r"[_\-]?"
_LONE_DET = rf"(?:(?:all|any|every|your|the){_LONE})?"
LONE_RULES: tuple[Rule, ...] = (
    Rule(
        "disable_safety",
        _JAILBREAK,
        0.7,
        rf"(?m)^(?:bypass|disable|circumvent|deactivate|ignore|override|remove|turn{_LONE}off){_LONE}{_LONE_DET}"
        rf"(?:safety|content|security|ethical|moderation){_LONE}(?:filters?|guardrails?|restrictions|safeguards"
        rf"|policies|guidelines|protocols|checks){_LONE}[ \t]*$",
    ),
    Rule(
        "reveal_prompt",
        _LEAK,
        0.7,
        rf"(?m)^(?:reveal|show|leak|dump|disclose|recite|expose){_LONE}(?:me{_LONE})?(?:(?:your|the){_LONE})?"
        rf"(?:(?:full|entire|complete|exact|whole|original|hidden|secret|initial|internal){_LONE})?"
        rf"system{_LONE}(?:prompt|instructions|message){_LONE}[ \t]*$",
    ),
    Rule(
        "override_en_determiner",
        _OVERRIDE,
        0.75,
        rf"(?m)^(?:ignore|disregard|forget|bypass){_LONE}(?:(?:all|any|every|your|the){_LONE}(?:{_GLUED_ADJ}{_LONE})?"
        rf"|{_GLUED_ADJ}{_LONE}){_GLUED_NOUN}{_LONE}[ \t]*$",
    ),
)
