"""The interpreter: crisis first, model with fallback, threshold, entities, script."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime

import pytest

from nlu.__main__ import main as nlu_main
from nlu.embedded import EmbeddedIntentModel
from nlu.interpreter import (
    CRISIS_BACKEND,
    DEFAULT_CRISIS_FLOOR,
    DEFAULT_THRESHOLD,
    NO_MODEL_BACKEND,
    Interpreter,
    build_interpreter,
)
from nlu.rasa_backend import RasaUnavailable
from nlu.replies_script import to_script
from nlu.types import Entity, EntityKind, IntentScore, Script


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedIntentModel:
    # Shared on disk with the other nlu test modules: the first one trains, the rest load the pickle.
    return EmbeddedIntentModel.load_or_train(cache_dir=tmp_path_factory.getbasetemp() / "nlu-model-cache")


class FakeModel:
    """Answers a fixed ranking and records what it was asked."""

    def __init__(self, name: str, ranking: tuple[IntentScore, ...]) -> None:
        self.name = name
        self.ranking = ranking
        self.calls: list[str] = []

    def predict(self, normalized: str) -> tuple[IntentScore, ...]:
        self.calls.append(normalized)
        return self.ranking


class FlakyModel:
    """A Rasa stand-in that raises while `down` is set."""

    name = "rasa"

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.down = True

    def predict(self, normalized: str) -> tuple[IntentScore, ...]:
        if self.down:
            raise self.error
        return (IntentScore("greet", 0.9), IntentScore("out_of_scope", 0.1))


def no_entities(text: str, *, now: datetime | None = None) -> tuple[Entity, ...]:
    return ()


ASK = (IntentScore("ask_policy", 0.8), IntentScore("out_of_scope", 0.2))
FALLBACK = FakeModel("embedded", ASK)


@pytest.mark.parametrize(
    "error", [RasaUnavailable("server down"), ConnectionError("refused"), TimeoutError()]
)
def test_failing_model_falls_back_and_says_so(error: Exception) -> None:
    interpreter = Interpreter(FlakyModel(error), fallback_model=FALLBACK, extract_entities=no_entities)
    result = interpreter.parse("低保怎么申请")
    assert result.intent == "ask_policy"
    assert result.backend == "embedded"
    assert "rasa_unavailable" in result.notes


def test_one_warning_per_outage(caplog: pytest.LogCaptureFixture) -> None:
    rasa = FlakyModel(RasaUnavailable("server down"))
    interpreter = Interpreter(rasa, fallback_model=FALLBACK, extract_entities=no_entities)
    with caplog.at_level(logging.WARNING, logger="nlu.rasa"):
        for _ in range(3):
            interpreter.parse("你好")
        outage_warnings = [r for r in caplog.records if r.name == "nlu.rasa" and "unavailable" in r.message]
        assert len(outage_warnings) == 1
        assert "using embedded" in outage_warnings[0].message

        rasa.down = False
        assert interpreter.parse("你好").backend == "rasa"
        rasa.down = True
        interpreter.parse("你好")
    outage_warnings = [r for r in caplog.records if r.name == "nlu.rasa" and "unavailable" in r.message]
    assert len(outage_warnings) == 2


def test_failure_without_fallback_is_out_of_scope_not_an_exception() -> None:
    interpreter = Interpreter(FlakyModel(RasaUnavailable("down")), extract_entities=no_entities)
    result = interpreter.parse("低保怎么申请")
    assert result.intent == "out_of_scope"
    assert result.backend == NO_MODEL_BACKEND
    assert result.ranking == ()


def test_crisis_rules_answer_before_any_model() -> None:
    model = FakeModel("embedded", ASK)
    result = Interpreter(model, extract_entities=no_entities).parse("我唔想再活落去")
    assert result.intent == "crisis"
    assert result.confidence == 1.0
    assert result.backend == CRISIS_BACKEND
    assert "crisis:suicide" in result.notes
    assert model.calls == []


def test_crisis_rules_work_while_the_model_is_down() -> None:
    interpreter = Interpreter(FlakyModel(RasaUnavailable("down")), extract_entities=no_entities)
    assert interpreter.parse("救命").intent == "crisis"


def test_below_threshold_is_out_of_scope() -> None:
    unsure = FakeModel("embedded", (IntentScore("ask_policy", 0.15), IntentScore("greet", 0.1)))
    result = Interpreter(unsure, extract_entities=no_entities, threshold=0.3).parse("嗯")
    assert result.intent == "out_of_scope"
    assert result.confidence == pytest.approx(0.85)
    assert "below_threshold:ask_policy" in result.notes
    assert result.ranking == unsure.ranking


def test_a_sure_crisis_from_the_model_alone_is_a_crisis() -> None:
    sure = FakeModel("embedded", (IntentScore("crisis", 0.9), IntentScore("request_help", 0.05)))
    result = Interpreter(sure, extract_entities=no_entities).parse("我好辛苦撑不住")
    assert (result.intent, result.confidence, result.backend) == ("crisis", 0.9, "embedded")


@pytest.mark.parametrize(
    ("ranking", "intent", "confidence"),
    [
        # below the floor: the next guess answers...
        ((IntentScore("crisis", 0.55), IntentScore("request_help", 0.3)), "request_help", 0.3),
        # ...or out of scope when that guess is below the threshold too
        ((IntentScore("crisis", 0.23), IntentScore("inform", 0.16)), "out_of_scope", 0.84),
        ((IntentScore("crisis", 0.6),), "out_of_scope", 1.0),
    ],
)
def test_an_unsure_model_only_crisis_is_not_believed(
    ranking: tuple[IntentScore, ...], intent: str, confidence: float
) -> None:
    result = Interpreter(FakeModel("embedded", ranking), extract_entities=no_entities).parse("最近压力很大")
    assert (result.intent, result.confidence) == (intent, pytest.approx(confidence))
    assert f"crisis_below_floor:{ranking[0].confidence:.2f}" in result.notes
    assert result.ranking == ranking


def test_the_crisis_floor_is_configurable_and_checked() -> None:
    unsure = FakeModel("embedded", (IntentScore("crisis", 0.3), IntentScore("greet", 0.2)))
    assert Interpreter(unsure, extract_entities=no_entities, crisis_floor=0.25).parse("x").intent == "crisis"
    assert DEFAULT_CRISIS_FLOOR > DEFAULT_THRESHOLD
    with pytest.raises(ValueError, match="crisis_floor"):
        Interpreter(unsure, crisis_floor=1.5)


def test_model_out_of_scope_keeps_its_confidence() -> None:
    oos = FakeModel("embedded", (IntentScore("out_of_scope", 0.7), IntentScore("greet", 0.3)))
    result = Interpreter(oos, extract_entities=no_entities).parse("今天天气好")
    assert (result.intent, result.confidence) == ("out_of_scope", 0.7)


def test_threshold_must_be_a_probability() -> None:
    with pytest.raises(ValueError):
        Interpreter(FALLBACK, extract_entities=no_entities, threshold=1.5)


def test_understanding_carries_original_normalised_and_script() -> None:
    result = Interpreter(FALLBACK, extract_entities=no_entities).parse("點樣申請低寶？")
    assert result.text == "點樣申請低寶？"
    assert result.normalized == "怎么申请低保?"
    assert result.script is Script.TRADITIONAL
    assert FALLBACK.calls[-1] == "怎么申请低保?"


def test_entities_come_from_the_normalised_text_with_now() -> None:
    seen: list[tuple[str, datetime | None]] = []
    phone = Entity(EntityKind.PHONE, "+8613800138000", "13800138000", 2, 13)

    def extract(text: str, *, now: datetime | None = None) -> tuple[Entity, ...]:
        seen.append((text, now))
        return (phone,)

    moment = datetime(2026, 11, 23, 10, 0)
    result = Interpreter(FALLBACK, extract_entities=extract).parse("電話１３８００１３８０００", now=moment)
    assert seen == [("电话13800138000", moment)]
    assert result.entities == (phone,)
    assert result.first(EntityKind.PHONE) == phone


def test_failing_entity_extractor_does_not_lose_the_intent(caplog: pytest.LogCaptureFixture) -> None:
    def broken(text: str, *, now: datetime | None = None) -> tuple[Entity, ...]:
        raise RuntimeError("bug")

    with caplog.at_level(logging.ERROR, logger="nlu.interpreter"):
        result = Interpreter(FALLBACK, extract_entities=broken).parse("低保怎么申请")
    assert result.intent == "ask_policy"
    assert result.entities == ()
    assert "entity extraction failed" in caplog.text


def test_missing_entity_module_is_tolerated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nlu.entities", None)  # makes `import nlu.entities` fail
    result = Interpreter(FALLBACK).parse("13800138000")
    assert result.entities == ()


@pytest.mark.parametrize("raw", ["", "   ", "\x00", "\u200b"])
def test_empty_messages_are_out_of_scope(raw: str) -> None:
    model = FakeModel("embedded", ASK)
    result = Interpreter(model, extract_entities=no_entities).parse(raw)
    assert result.intent == "out_of_scope"
    assert model.calls == []


# --- with the real model -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "intent", "script"),
    [
        ("點樣申請低保", "ask_policy", Script.TRADITIONAL),
        ("低保怎么申请", "ask_policy", Script.SIMPLIFIED),
        ("嗯那个我想问一下那个示范点资助多少钱", "ask_policy", Script.SIMPLIFIED),
        ("我唔想再活落去", "crisis", Script.SIMPLIFIED),
        ("屋企著火呀", "crisis", Script.TRADITIONAL),
        ("轉人工", "human_handoff", Script.TRADITIONAL),
        ("进度?", "check_case_status", Script.SIMPLIFIED),
        ("hi", "greet", Script.SIMPLIFIED),
        ("救命", "crisis", Script.SIMPLIFIED),
        ("人工", "human_handoff", Script.SIMPLIFIED),
    ],
)
def test_real_model_end_to_end(model: EmbeddedIntentModel, raw: str, intent: str, script: Script) -> None:
    result = Interpreter(model, extract_entities=no_entities).parse(raw)
    assert (result.intent, result.script) == (intent, script)


def test_traditional_message_gets_a_traditional_reply(model: EmbeddedIntentModel) -> None:
    result = Interpreter(model, extract_entities=no_entities).parse("我想搵人幫手照顧阿媽")
    assert result.script is Script.TRADITIONAL
    reply = "您的求助已经登记，社工会尽快联系您。"
    assert to_script(reply, result.script) == "您的求助已經登記，社工會盡快聯繫您。"
    assert to_script(reply, Script.SIMPLIFIED) == reply


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [
        ("为您服务", "為您服務"),  # Hong Kong 為, not OpenCC's 爲
        ("群众", "羣眾"),
        ("卫生服务站", "衞生服務站"),
        ("请回复数字选择", "請回覆數字選擇"),  # not OpenCC's 回複
        ("不会重复登记", "不會重複登記"),
        ("说说你们的项目", "說說你們的項目"),  # not 説
        ("", ""),
    ],
)
def test_to_script_uses_hong_kong_forms(simplified: str, traditional: str) -> None:
    assert to_script(simplified, Script.TRADITIONAL) == traditional


def test_build_interpreter_embedded_uses_the_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = tmp_path_factory.getbasetemp() / "nlu-model-cache"
    interpreter = build_interpreter(cache_dir=cache)
    assert interpreter.threshold == DEFAULT_THRESHOLD
    assert interpreter.parse("你好").backend == "embedded"


def test_build_interpreter_rasa_falls_back_when_unreachable(
    tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path_factory.getbasetemp() / "nlu-model-cache"
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    interpreter = build_interpreter("rasa", rasa_url="http://127.0.0.1:9", cache_dir=cache, threshold=0.4)
    assert interpreter.threshold == 0.4
    with caplog.at_level(logging.WARNING, logger="nlu.rasa"):
        result = interpreter.parse("低保怎么申请")
    assert result.backend == "embedded"
    assert result.intent == "ask_policy"
    assert any(r.name == "nlu.rasa" for r in caplog.records)


def test_build_interpreter_rejects_unknown_backends(tmp_path_factory: pytest.TempPathFactory) -> None:
    with pytest.raises(ValueError, match="unknown NLU backend"):
        build_interpreter("spacy", cache_dir=tmp_path_factory.getbasetemp() / "nlu-model-cache")


def test_command_line_prints_one_json_line_per_message(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path_factory.getbasetemp() / "nlu-model-cache"
    assert nlu_main(["--cache-dir", str(cache), "點樣申請低保", "救命"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["intent"], line["script"]) for line in lines] == [
        ("ask_policy", "zh-Hant"),
        ("crisis", "zh-Hans"),
    ]


# --- findings of the conversation QA pass ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "intent"),
    [
        # everyday hardship and complaints: a need, not an emergency
        ("被平台扣钱了", "request_help"),
        ("被平台扣錢了", "request_help"),
        ("俾平台扣咗錢", "request_help"),
        ("楼上漏水好几个月了物业不管", "request_help"),
        ("樓上漏水好幾個月了物業不管", "request_help"),
        ("樓上漏水好耐管理處都唔理", "request_help"),
        ("最近压力很大睡不着", "request_help"),
        ("最近壓力很大睡不著", "request_help"),
        ("最近壓力好大瞓唔着", "request_help"),
        ("火星基地", "out_of_scope"),
        # one long statement with a phone and a community is a help request, not a form answer
        ("我家老人摔倒了，腿很痛，我电话13912345678，住莲花北社区", "request_help"),
        ("我家老人摔倒了，腿很痛，我電話13912345678，住蓮花北社區", "request_help"),
        ("我屋企老人跌倒咗，隻腳好痛，我電話13912345678，住蓮花北社區", "request_help"),
        # new-employment rights
        ("外卖被平台扣钱了怎么办", "request_help"),
        ("外賣被平台扣錢了怎麼辦", "request_help"),
        ("送外賣俾平台扣錢點算", "request_help"),
        # an organisation with an idea looks for a category
        ("我们是社工机构想做个项目", "find_demand_category"),
        ("我們是社工機構想做個項目", "find_demand_category"),
        ("我哋係社工機構想做個項目", "find_demand_category"),
    ],
)
def test_qa_findings_are_routed(model: EmbeddedIntentModel, raw: str, intent: str) -> None:
    result = Interpreter(model, extract_entities=no_entities).parse(raw)
    assert result.intent == intent, (raw, result.ranking[:3])


@pytest.mark.parametrize(
    "raw",
    [
        "为什么要我的电话",
        "為什麼要我的電話",
        "點解要我電話",
        "你们会把我的信息给谁看",
        "你們會把我的資訊給誰看",
        "你哋會將我啲資料俾邊個睇",
    ],
)
def test_privacy_questions_are_not_case_status(model: EmbeddedIntentModel, raw: str) -> None:
    result = Interpreter(model, extract_entities=no_entities).parse(raw)
    assert result.intent not in {"check_case_status", "crisis"}, (raw, result.ranking[:3])


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("有人要打我", "violence"), ("有人要打我們", "violence"), ("我唔想生存落去", "suicide")],
)
def test_threats_are_caught_by_the_rules_not_the_model(
    model: EmbeddedIntentModel, raw: str, kind: str
) -> None:
    result = Interpreter(model, extract_entities=no_entities).parse(raw)
    assert (result.intent, result.backend) == ("crisis", CRISIS_BACKEND)
    assert f"crisis:{kind}" in result.notes


@pytest.mark.parametrize(
    ("raw", "span"),
    [
        ("我电话幺三九幺二三四五六七八", "幺三九幺二三四五六七八"),
        ("我電話係一三九一二三四五六七八", "一三九一二三四五六七八"),
        ("电话139一二三四5678", "139一二三四5678"),
    ],
)
def test_dictated_phone_numbers_are_entities(raw: str, span: str) -> None:
    result = Interpreter(FakeModel("embedded", ASK)).parse(raw)
    (phone,) = result.all(EntityKind.PHONE)
    assert (phone.value, phone.text) == ("+8613912345678", span)
