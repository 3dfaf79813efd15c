# ruff: noqa: RUF001  (Cyrillic letters and full-width punctuation in the templates are the point)
"""Generate the labelled PII/secret corpus of ai-output-redactor (deterministic: fixed seeds).

Run ``python tests/data/pii_redaction/generate.py`` to rewrite ``tuning.jsonl`` and ``heldout.jsonl``.
The two parts use **different templates and seeds**: the tuning part was looked at while writing the
detectors; the held-out part (its own templates, in more languages and formats) was written afterwards and
evaluated once, without changing a detector because of it. Values are synthetic (test card numbers are
Luhn-valid but random, IBANs get valid check digits for random account numbers, keys are random strings of
the right shape, phone numbers come from libphonenumber's example numbers with their last digits varied).
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
import sys
from collections.abc import Callable
from pathlib import Path

import phonenumbers

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------------------------- values


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for check in string.digits:
        digits = body + check
        total = 0
        for index, ch in enumerate(reversed(digits)):
            value = int(ch) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return digits
    raise AssertionError


def card(rng: random.Random) -> str:
    prefix, length = rng.choice(
        [("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16)]
    )
    digits = _luhn_complete(prefix, length, rng)
    style = rng.choice(["plain", "space", "dash"])
    if style == "plain":
        return digits
    sep = " " if style == "space" else "-"
    if length == 15:
        return sep.join([digits[:4], digits[4:10], digits[10:]])
    return sep.join(digits[i : i + 4] for i in range(0, 16, 4))


def ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


IBAN_SHAPES = {
    "DE": "n18",
    "GB": "a4n14",
    "FR": "n23",
    "ES": "n20",
    "NL": "a4n10",
    "IT": "a1n22",
    "BE": "n12",
}


def iban(rng: random.Random) -> str:
    country = rng.choice(sorted(IBAN_SHAPES))
    bban = ""
    for kind, count in re.findall(r"([an])(\d+)", IBAN_SHAPES[country]):
        alphabet = string.ascii_uppercase if kind == "a" else string.digits
        bban += "".join(rng.choice(alphabet) for _ in range(int(count)))
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    raw = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))
    return raw


PHONE_REGIONS = ["US", "GB", "DE", "FR", "ES", "IT", "JP", "IN", "BR", "AU", "CA", "NL", "MX", "SE", "CH"]


def phone(rng: random.Random) -> str:
    for _ in range(50):
        region = rng.choice(PHONE_REGIONS)
        kind = rng.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            continue
        national = str(example.national_number)
        varied = national[:-2] + f"{rng.randint(0, 99):02d}"
        number = phonenumbers.parse("+" + str(example.country_code) + varied, None)
        if not phonenumbers.is_valid_number(number):
            continue
        style = rng.choice(["intl", "intl", "e164", "national_us"])
        if style == "national_us" and region == "US":
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if style == "e164":
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    raise AssertionError


FIRST = [
    "jane",
    "li.wei",
    "maria",
    "o.connor",
    "hans-peter",
    "yuki",
    "ahmed",
    "sofia",
    "j.smith",
    "ana_lucia",
    "élodie",
    "müller",
]
DOMAINS = [
    "example.com",
    "mail.example.org",
    "corp.example.net",
    "beispiel.de",
    "exemple.fr",
    "ejemplo.es",
    "example.co.jp",
]


def email(rng: random.Random) -> str:
    suffix = rng.choice(["", str(rng.randint(1, 99)), "+news"])
    return f"{rng.choice(FIRST)}{suffix}@{rng.choice(DOMAINS)}"


def ipv4(rng: random.Random) -> str:
    return ".".join(
        str(x)
        for x in [
            rng.choice([23, 45, 81, 104, 151, 185, 198, 203]),
            rng.randint(0, 255),
            rng.randint(0, 255),
            rng.randint(1, 254),
        ]
    )


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    groups[0] = "2001"
    groups[1] = "db8"
    if rng.random() < 0.5:
        return ":".join(groups[:3]) + "::" + ":".join(groups[6:])
    return ":".join(groups)


def _chars(rng: random.Random, alphabet: str, count: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


ALNUM = string.ascii_letters + string.digits
UPPER_NUM = string.ascii_uppercase + string.digits
B64 = string.ascii_letters + string.digits + "/+"


def aws_access_key(rng: random.Random) -> str:
    return rng.choice(["AKIA", "ASIA"]) + _chars(rng, UPPER_NUM, 16)


def aws_secret_key(rng: random.Random) -> str:
    while True:
        value = _chars(rng, B64, 40)
        if (
            any(c.isdigit() for c in value)
            and any(c.isupper() for c in value)
            and any(c.islower() for c in value)
        ):
            return value


def github_token(rng: random.Random) -> str:
    return rng.choice(["ghp_", "gho_", "ghs_"]) + _chars(rng, ALNUM, 36)


def gitlab_token(rng: random.Random) -> str:
    return "glpat-" + _chars(rng, ALNUM + "_-", 20)


def slack_token(rng: random.Random) -> str:
    return (
        rng.choice(["xoxb-", "xoxp-"])
        + f"{rng.randint(10**10, 10**11)}-{rng.randint(10**10, 10**11)}-"
        + _chars(rng, ALNUM, 24)
    )


def stripe_key(rng: random.Random) -> str:
    return rng.choice(["sk_live_", "rk_live_", "sk_test_"]) + _chars(rng, ALNUM, 24)


def private_key(rng: random.Random) -> str:
    kind = rng.choice(["RSA ", "EC ", "", "OPENSSH "])
    lines = [_chars(rng, B64, 64) for _ in range(rng.randint(2, 5))]
    return f"-----BEGIN {kind}PRIVATE KEY-----\n" + "\n".join(lines) + f"\n-----END {kind}PRIVATE KEY-----"


def _b64url(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


def jwt(rng: random.Random) -> str:
    header = _b64url({"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"})
    payload = _b64url({"sub": str(rng.randint(1, 10**9)), "iat": 1700000000 + rng.randint(0, 10**6)})
    return f"{header}.{payload}.{_chars(rng, ALNUM + '-_', 43)}"


def high_entropy(rng: random.Random) -> str:
    while True:
        value = _chars(rng, ALNUM, rng.randint(28, 48))
        if sum(c.isdigit() for c in value) >= 3:
            return value


def url_credentials(rng: random.Random) -> tuple[str, str]:
    user = rng.choice(["admin", "svc_app", "deploy", "root", "reporting"])
    password = _chars(rng, ALNUM + "!$%*", rng.randint(8, 16))
    scheme = rng.choice(["postgres", "mysql", "https", "redis", "mongodb+srv", "amqp"])
    host = rng.choice(["db.internal", "10.0.3.7", "cache.example.net", "mq.example.com"])
    return f"{scheme}://{user}:{password}@{host}/app", f"{user}:{password}"


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "email": email,
    "phone": phone,
    "credit_card": card,
    "us_ssn": ssn,
    "iban": iban,
    "ipv4": ipv4,
    "ipv6": ipv6,
    "aws_access_key": aws_access_key,
    "github_token": github_token,
    "gitlab_token": gitlab_token,
    "slack_token": slack_token,
    "stripe_key": stripe_key,
    "private_key": private_key,
    "jwt": jwt,
    "high_entropy": high_entropy,
}

# ------------------------------------------------------------------------------------------ negatives


def negative(rng: random.Random) -> str:
    """A value that looks like PII or a secret and is not."""
    choices: list[Callable[[], str]] = [
        lambda: f"{rng.randint(2019, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        lambda: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        lambda: f"v{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}",
        lambda: f"order {rng.randint(10**9, 10**12)}",
        lambda: f"${rng.randint(1, 999)},{rng.randint(100, 999)}.{rng.randint(10, 99)}",
        lambda: "978-3-16-148410-0",
        lambda: "-".join(_chars(rng, "0123456789abcdef", n) for n in (8, 4, 4, 4, 12)),
        lambda: _chars(rng, "0123456789abcdef", 40),
        lambda: _chars(rng, "0123456789abcdef", 64),
        lambda: "/usr/local/lib/python3.11/site-packages/requests/adapters.py",
        lambda: "https://docs.example.com/guide/getting-started?lang=en",
        lambda: "std::vector<int>",
        lambda: ":".join(_chars(rng, "0123456789ABCDEF", 2) for _ in range(6)),
        lambda: _luhn_complete("4", 16, rng)[:-1] + str((int(_luhn_complete("4", 16, rng)[-1]) + 1) % 10),
        lambda: "1Z999AA10123456784",
        lambda: f"{rng.randint(100, 999)}-{rng.randint(10, 99)}",
        lambda: "internationalization_and_localization_settings",
        lambda: f"room {rng.randint(100, 999)}, floor {rng.randint(1, 30)}",
        lambda: f"{rng.randint(1, 99)}.{rng.randint(1, 99)} kg",
        lambda: "000-00-0000",
        lambda: "user at example dot com",
    ]
    return rng.choice(choices)()


# ------------------------------------------------------------------------------------------ templates

TUNING_TEMPLATES = {
    "en": [
        "Sure! You can reach the account owner at {v}.",
        "The record shows {v} as the primary value.",
        "I found this in the logs: {v}. Please rotate it.",
    ],
    "de": ["Die Kundin ist unter {v} erreichbar.", "Im Datensatz steht {v} als Hauptwert."],
    "fr": ["Vous pouvez contacter le client à {v}.", "La valeur enregistrée est {v}, merci de vérifier."],
    "es": ["El cliente aparece con {v} en la ficha.", "Aquí está el dato solicitado: {v}."],
    "ja": ["お客様の連絡先は {v} です。", "ログに次の値がありました: {v}"],
}
TUNING_FORMATS = {
    "prose": "{t}",
    "json": '{{"result": "{t}"}}',
    "log": "2025-03-01T12:00:00Z INFO handler: {t}",
}
HELDOUT_TEMPLATES = {
    "en": [
        "Here is what the ticket says — {v} — nothing else was attached.",
        "Customer notes: prefers contact via {v} after 5pm.",
    ],
    "pt": ["O cadastro do cliente contém {v} como referência.", "Segue o valor solicitado: {v}."],
    "it": ["Il cliente ha indicato {v} come riferimento principale.", "Nel file di configurazione c'è {v}."],
    "ru": ["В карточке клиента указано: {v}.", "Значение из конфигурации: {v}"],
    "zh": ["客户资料中记录的是 {v}。", "配置文件里有这个值：{v}"],
    "nl": ["De klant gaf {v} op als referentie.", "In het bestand staat {v}."],
    "ar": ["بيانات العميل تتضمن {v} كمرجع.", "القيمة المطلوبة هي {v}"],
}
HELDOUT_FORMATS = {
    "markdown": "| field | value |\n|---|---|\n| data | {t} |",
    "csv": 'id,comment\n{n},"{t}"',
    "code": "config = {{\n    'note': '{t}',\n}}",
    "prose": "{t}",
}


def build(templates: dict, formats: dict, seed: int, per_kind: int, negatives: int) -> list[dict]:
    rng = random.Random(seed)
    records: list[dict] = []

    def add(template: str, value: str, kind: str | None, redacted_part: str | None = None) -> None:
        lang = next(k for k, v in templates.items() if template in v)
        fmt = rng.choice(sorted(formats))
        sentence = template.replace("{v}", "\x00")
        wrapper = formats[fmt].replace("{n}", str(len(records) + 1))
        if fmt == "json":
            prefix, suffix = sentence.split("\x00")
            text = wrapper.format(t=prefix.replace('"', "'") + "\x00" + suffix.replace('"', "'"))
        else:
            text = wrapper.format(t=sentence)
        start = text.index("\x00")
        text = text.replace("\x00", value)
        spans = []
        if kind is not None:
            part = redacted_part or value
            offset = start + value.index(part)
            spans.append({"start": offset, "end": offset + len(part), "kind": kind})
        records.append(
            {"id": f"{seed}-{len(records) + 1}", "lang": lang, "format": fmt, "text": text, "spans": spans}
        )

    all_templates = [t for group in templates.values() for t in group]
    for kind, generate in GENERATORS.items():
        for _ in range(per_kind):
            add(rng.choice(all_templates), generate(rng), kind)
    for _ in range(per_kind):
        value, part = url_credentials(rng)
        add(rng.choice(all_templates), value, "url_credentials", part)
        host = value.split("@", 1)[1].split("/", 1)[0]
        if host[0].isdigit():  # an address as the host is an IPv4 value of its own
            record = records[-1]
            start = record["text"].index("@" + host) + 1
            record["spans"].append({"start": start, "end": start + len(host), "kind": "ipv4"})
    for _ in range(per_kind):
        secret = aws_secret_key(rng)
        name = rng.choice(["aws_secret_access_key=", "AWS_SECRET_ACCESS_KEY: ", "aws secret key ", ""])
        add(rng.choice(all_templates), name + secret, "aws_secret_key", secret)
    for _ in range(negatives):
        add(rng.choice(all_templates), negative(rng), None)
    rng.shuffle(records)
    return records


def main() -> int:
    parts = {
        "tuning.jsonl": build(TUNING_TEMPLATES, TUNING_FORMATS, seed=1301, per_kind=20, negatives=160),
        "heldout.jsonl": build(HELDOUT_TEMPLATES, HELDOUT_FORMATS, seed=7919, per_kind=12, negatives=120),
    }
    for name, records in parts.items():
        with open(HERE / name, "w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"{name}: {len(records)} texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
