"""The cascade's later tiers without Kong: the guardrail client's contract, cache and failures (a fake
poster), the operator model's loading errors, and the configuration checks made when an instance starts."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fixtures.tiny_onnx import build

from kong_plugins.ai_input_guard.guardrail import (
    MAX_SENT_CHARS,
    GuardrailClient,
    GuardrailFailure,
    GuardrailSettings,
)
from kong_plugins.ai_input_guard.operator_model import ModelTimeout, ModelUnread, load_model
from kong_plugins.ai_input_guard.schema import SCHEMA
from kong_plugins.ai_input_guard.settings import build_settings
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.http_post import HttpAnswer, HttpFailure
from kong_plugins.core.schema import ensure_valid_config

ROOT = Path(__file__).resolve().parents[3]


def settings(**extra: Any) -> GuardrailSettings:
    base: dict[str, Any] = {
        "mode": "block",
        "url": "http://user:pw@guard.example:8080/check?key=k",
        "adapter": "generic",
        "timeout_s": 0.5,
        "fail_mode": "open",
        "uncertain_from": 0.0,
        "cache_size": 100,
        "cache_ttl_s": 60,
    }
    return GuardrailSettings(**{**base, **extra})


class Poster:
    def __init__(self, *answers: HttpAnswer | HttpFailure) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, url: str, payload: Any, **kwargs: Any) -> HttpAnswer:
        self.calls.append({"url": url, "payload": payload, **kwargs})
        answer = self.answers.pop(0)
        if isinstance(answer, HttpFailure):
            raise answer
        return answer


def ok(body: Any) -> HttpAnswer:
    return HttpAnswer(200, json.dumps(body).encode())


def test_generic_contract_sends_only_uncached_texts_once() -> None:
    poster = Poster(
        ok({"results": [{"injection": False}, {"injection": True, "score": 0.9, "category": "prompt_leak"}]}),
        ok({"results": [{"injection": True, "category": "made_up_category"}]}),
    )
    client = GuardrailClient(settings(), poster)
    first = client.check([("a", "user"), ("b", "tool"), ("a", "user")], "acme")
    assert [(v.injection, v.score, v.category, v.source) for v in first] == [  # aligned with the texts
        (False, 0.0, None, "service"),
        (True, 0.9, "prompt_leak", "service"),
        (False, 0.0, None, "service"),
    ]
    assert poster.calls[0]["payload"] == {"texts": ["a", "b"], "roles": ["user", "tool"], "tenant": "acme"}
    second = client.check([("b", "tool"), ("c", "user")], "acme")
    assert [(v.source, v.category) for v in second] == [("cache", "prompt_leak"), ("service", None)]
    assert poster.calls[1]["payload"]["texts"] == ["c"]  # unknown categories never reach the client


@pytest.mark.parametrize(
    "answer",
    [
        HttpAnswer(502, b"{}"),
        HttpAnswer(200, b"not json"),
        ok({"results": [{"injection": "yes"}]}),
        ok({"results": [{"injection": True, "score": 7}]}),
        ok({"results": []}),
        ok([1, 2]),
        HttpFailure("timeout"),
        HttpFailure("too_large"),
    ],
)
def test_anything_but_a_well_formed_answer_is_a_failure_and_never_cached(answer: Any) -> None:
    poster = Poster(answer, ok({"results": [{"injection": False}]}))
    client = GuardrailClient(settings(), poster)
    with pytest.raises(GuardrailFailure):
        client.check([("text", "user")], None)
    assert client.check([("text", "user")], None)[0].source == "service"


def test_llm_guard_adapter_and_the_api_key_stays_out_of_logs(caplog: pytest.LogCaptureFixture) -> None:
    poster = Poster(
        ok(
            {
                "is_valid": False,
                "scanners": {"PromptInjection": 0.98, "Toxicity": -1.0},
                "sanitized_prompt": "x",
            }
        ),
        HttpAnswer(500, b""),
    )
    client = GuardrailClient(settings(adapter="llm-guard", api_key="sk-secret-123"), poster)
    [verdict] = client.check([("one", "user"), ("two", "user")], "acme")
    assert (verdict.injection, verdict.score) == (True, 0.98)
    assert poster.calls[0]["payload"] == {"prompt": "one\n\ntwo"}
    assert poster.calls[0]["headers"] == {"Authorization": "Bearer sk-secret-123"}
    with pytest.raises(GuardrailFailure):
        client.check([("three", "user")], None)
    logged = caplog.text
    assert "status_500" in logged and "http://guard.example:8080/check" in logged
    assert "sk-secret" not in logged and "pw@" not in logged and "key=k" not in logged
    assert "sk-secret" not in repr(client.settings)


def test_what_is_sent_is_bounded_and_what_is_left_unsent_is_not_vouched_for() -> None:
    texts = [("x" * (MAX_SENT_CHARS - 10), "user"), ("y" * 100, "user"), ("z", "user")]
    poster = Poster(ok({"results": [{"injection": False}, {"injection": False}]}))
    client = GuardrailClient(settings(), poster)
    with pytest.raises(GuardrailFailure) as failure:  # clean as far as it was read: fail_mode decides
        client.check(texts, None)
    assert failure.value.reason == "unscanned"
    sent = poster.calls[0]["payload"]["texts"]
    assert sum(map(len, sent)) == MAX_SENT_CHARS and len(sent) == 2
    flagged = Poster(ok({"results": [{"injection": True}, {"injection": False}]}))
    verdicts = GuardrailClient(settings(), flagged).check(texts, None)  # an injection among those read
    assert [verdict.injection for verdict in verdicts] == [True, False]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build(tmp_path_factory.mktemp("onnx"))


def test_the_model_is_loaded_once_per_process_and_scores_its_windows(tiny: tuple[Path, Path]) -> None:
    model = load_model(str(tiny[0]), str(tiny[1]), labels=[1], max_tokens=64, softmax=True)
    assert load_model(str(tiny[0]), str(tiny[1]), labels=[1], max_tokens=64, softmax=True) is model
    verdict = model.score(
        ["apple river", "zorblax quexium vandrel"], deadline=time.monotonic() + 60, max_windows=4
    )
    assert verdict is not None and verdict.index == 1 and verdict.score > 0.9
    with pytest.raises(ModelTimeout):
        model.score(["apple"], deadline=time.monotonic() - 1, max_windows=4)
    long = "apple river " * 100 + "zorblax quexium vandrel " * 8 + "apple river " * 100  # 14 windows
    with pytest.raises(ModelUnread):  # the attack is in a window left out: not read, not vouched for
        model.score([long], deadline=time.monotonic() + 60, max_windows=4)
    whole = model.score([long], deadline=time.monotonic() + 60, max_windows=64)
    assert whole is not None and whole.score > 0.5


def guard_config(**injection: Any) -> dict[str, Any]:
    return ensure_valid_config(SCHEMA.config, {"injection": injection})


@pytest.mark.parametrize(
    ("injection", "field", "message"),
    [
        (
            {"classifier": {"mode": "block", "uncertain_from": 0.5}},
            "config.injection.classifier.uncertain_from",
            "must be below injection.threshold (0.5): the tier would never run",
        ),
        (
            {
                "classifier": {"mode": "block", "threshold": 0.6},
                "guardrail": {"mode": "block", "url": "http://g/", "uncertain_from": 0.6},
            },
            "config.injection.guardrail.uncertain_from",
            "must be below injection.classifier.threshold (0.6): the tier would never run",
        ),
    ],
)
def test_thresholds_out_of_order_are_refused(injection: dict, field: str, message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        build_settings(guard_config(**injection))
    assert refused.value.fields == {field: message}


def test_a_shadow_tier_does_not_gate_the_next_one() -> None:
    injection = {
        "classifier": {"mode": "shadow", "threshold": 0.3},
        "guardrail": {"mode": "block", "url": "http://g/", "uncertain_from": 0.4},
    }
    assert build_settings(guard_config(**injection)).guardrail.enabled


def test_model_files_that_cannot_serve_are_refused(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model")
    for model, field in (
        ({"path": str(tmp_path / "absent.onnx"), "tokenizer_path": str(tiny[1])}, "path"),
        ({"path": str(tiny[0]), "tokenizer_path": str(garbage)}, "tokenizer_path"),
        ({"path": str(garbage), "tokenizer_path": str(tiny[1])}, "path"),
        ({"path": str(tiny[0]), "tokenizer_path": str(tiny[1]), "injection_labels": [2]}, "injection_labels"),
    ):
        with pytest.raises(ConfigError) as refused:
            build_settings(guard_config(model={"mode": "block", **model}))
        assert list(refused.value.fields) == [f"config.injection.model.{field}"]


def test_without_the_model_extra_the_error_says_what_to_install(tiny: tuple[Path, Path]) -> None:
    script = f"""
import sys
sys.modules["onnxruntime"] = None  # as if the [model] extra were not installed
from kong_plugins.ai_input_guard.schema import SCHEMA
from kong_plugins.ai_input_guard.settings import build_settings
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.schema import ensure_valid_config
model = {{"mode": "block", "path": {str(tiny[0])!r}, "tokenizer_path": {str(tiny[1])!r}}}
config = {{"injection": {{"model": model}}}}
try:
    build_settings(ensure_valid_config(SCHEMA.config, config))
except ConfigError as exc:
    print(exc)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert (
        "config.injection.model: needs onnxruntime and tokenizers: install the [model] extra" in done.stdout
    ), done.stdout + done.stderr
