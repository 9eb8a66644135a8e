"""Tests for the Rasa backend: the HTTP client against a fake Rasa server on 127.0.0.1, and the
export of normalised training data.

The fake server replays answers recorded from a real `rasa run` (Rasa 3.6.21, see
tests/nlu/fixtures/), so these tests need neither Rasa nor TensorFlow.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from nlu.interpreter import Interpreter
from nlu.normalize import normalization_spec, normalize
from nlu.rasa.training_export import annotate, export_training_data
from nlu.rasa.training_export import main as export_main
from nlu.rasa_backend import (
    RasaIntentModel,
    RasaUnavailable,
    entities_from_payload,
    ranking_from_payload,
    rasa_training_report,
)
from nlu.training_data import (
    HELD_OUT_TEST_FILE,
    TrainingDataError,
    TrainingExample,
    parse_rasa_nlu,
    strip_entity_annotations,
)
from nlu.types import Entity, EntityKind, Intent, IntentScore

FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = json.loads((FIXTURES / "rasa_parse_response.json").read_text(encoding="utf-8"))
RECORDED_FALLBACK = json.loads((FIXTURES / "rasa_parse_fallback_response.json").read_text(encoding="utf-8"))
KNOWN_INTENTS = {intent.value for intent in Intent}


@dataclass
class FakeRasa:
    """A stand-in for `rasa run --enable-api`; the first path segment picks its behaviour."""

    url: str
    requests: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)
    release_slow: threading.Event = field(default_factory=threading.Event)
    # Set when the "server" stops: open keep-alive connections are then dropped unanswered, as a
    # stopped `rasa run` would drop them (shutting the listener down alone leaves them served).
    stopped: threading.Event = field(default_factory=threading.Event)

    def at(self, behaviour: str) -> str:
        return f"{self.url}/{behaviour}"


def _make_handler(fake: FakeRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 keeps connections open, so connection reuse by the client is observable.
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Keep pytest output clean."""

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            if fake.stopped.is_set():
                self.close_connection = True
                return
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append((self.path, request, self.client_address[1]))
            behaviour, _, rest = self.path.lstrip("/").partition("/")
            if rest != "model/parse":
                self._send(404, b'{"status": "failure"}')
                return
            if behaviour == "ok":
                self._send(200, json.dumps(RECORDED, ensure_ascii=False).encode("utf-8"))
            elif behaviour == "fallback":
                self._send(200, json.dumps(RECORDED_FALLBACK, ensure_ascii=False).encode("utf-8"))
            elif behaviour == "error500":
                self._send(500, b'{"version": "3.6.21", "status": "failure", "reason": "ParsingError"}')
            elif behaviour == "malformed":
                self._send(200, b'{"intent": {"name": "greet", "confid')
            elif behaviour == "html":
                self._send(200, "<html>网关错误</html>".encode(), "text/html")
            elif behaviour == "array":
                self._send(200, b"[]")
            elif behaviour == "slow":
                # Holds the answer until the test is over; the client must give up first.
                fake.release_slow.wait(timeout=10)
                self._send(200, json.dumps(RECORDED).encode("utf-8"))
            else:
                self._send(404, b'{"status": "failure"}')

    return Handler


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.release_slow.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: bound, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the recorded real answer -------------------------------------------------------------


def test_predict_replays_recorded_rasa_answer(fake_rasa: FakeRasa) -> None:
    with RasaIntentModel(fake_rasa.at("ok")) as model:
        ranking = model.predict(RECORDED["text"])

    assert ranking[0] == IntentScore("request_help", RECORDED["intent"]["confidence"])
    assert len(ranking) == len(RECORDED["intent_ranking"])
    assert [s.confidence for s in ranking] == sorted((s.confidence for s in ranking), reverse=True)
    assert {s.name for s in ranking} <= KNOWN_INTENTS
    path, body, _ = fake_rasa.requests[-1]
    assert path.endswith("/model/parse")
    assert body == {"text": RECORDED["text"]}


def test_parse_entities_maps_recorded_synonym_entity(fake_rasa: FakeRasa) -> None:
    with RasaIntentModel(fake_rasa.at("ok")) as model:
        entities = model.parse_entities(RECORDED["text"])

    raw = RECORDED["entities"][0]
    assert entities == (
        Entity(
            kind=EntityKind.TARGET_GROUP,
            value="老人",  # EntitySynonymMapper turned 長者 into the canonical value
            text="長者",
            start=raw["start"],
            end=raw["end"],
            score=raw["confidence_entity"],
        ),
    )


def test_recorded_nlu_fallback_becomes_out_of_scope(fake_rasa: FakeRasa) -> None:
    with RasaIntentModel(fake_rasa.at("fallback")) as model:
        ranking = model.predict(RECORDED_FALLBACK["text"])

    assert RECORDED_FALLBACK["intent"]["name"] == "nlu_fallback"
    assert ranking[0] == IntentScore(Intent.OUT_OF_SCOPE.value, RECORDED_FALLBACK["intent"]["confidence"])
    assert "nlu_fallback" not in {s.name for s in ranking}
    assert [s.name for s in ranking].count(Intent.OUT_OF_SCOPE.value) == 1


def test_predict_then_entities_on_same_text_costs_one_request(fake_rasa: FakeRasa) -> None:
    before = len(fake_rasa.requests)
    with RasaIntentModel(fake_rasa.at("ok")) as model:
        model.predict(RECORDED["text"])
        model.parse_entities(RECORDED["text"])
    assert len(fake_rasa.requests) == before + 1


def test_one_connection_is_reused_across_requests(fake_rasa: FakeRasa) -> None:
    before = len(fake_rasa.requests)
    with RasaIntentModel(fake_rasa.at("ok")) as model:
        for text in ("你好", "你好呀", "哈囉"):
            model.predict(text)
    client_ports = {port for _, _, port in fake_rasa.requests[before:]}
    assert len(fake_rasa.requests) == before + 3
    assert len(client_ports) == 1


def test_trailing_slash_in_url_is_ignored(fake_rasa: FakeRasa) -> None:
    with RasaIntentModel(fake_rasa.at("ok") + "/") as model:
        model.predict("你好")
    assert fake_rasa.requests[-1][0] == "/ok/model/parse"


# --- failures -----------------------------------------------------------------------------


def test_server_down_raises_unavailable(closed_port: int) -> None:
    with (
        RasaIntentModel(f"http://127.0.0.1:{closed_port}", timeout=1.0) as model,
        pytest.raises(RasaUnavailable, match="unreachable"),
    ):
        model.predict("你好")


def test_timeout_raises_unavailable(fake_rasa: FakeRasa) -> None:
    with (
        RasaIntentModel(fake_rasa.at("slow"), timeout=0.2) as model,
        pytest.raises(RasaUnavailable, match="did not answer"),
    ):
        model.predict("你好")


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ("error500", "HTTP 500"),
        ("missing", "HTTP 404"),
        ("malformed", "malformed JSON"),
        ("html", "malformed JSON"),
        ("array", "not an object"),
    ],
)
def test_bad_answers_raise_unavailable(fake_rasa: FakeRasa, behaviour: str, message: str) -> None:
    with RasaIntentModel(fake_rasa.at(behaviour)) as model, pytest.raises(RasaUnavailable, match=message):
        model.predict("你好")


def test_failed_request_is_not_cached(fake_rasa: FakeRasa) -> None:
    with RasaIntentModel(fake_rasa.at("error500")) as model:
        for _ in range(2):
            with pytest.raises(RasaUnavailable):
                model.parse_entities("你好")


@pytest.mark.parametrize("url", ["127.0.0.1:5005", "ftp://127.0.0.1", ""])
def test_url_must_be_http(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        RasaIntentModel(url)


def test_injected_client_is_used_and_left_open() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json=RECORDED)

    client = httpx.Client(transport=httpx.MockTransport(answer))
    model = RasaIntentModel("http://rasa.test:5005", client=client)
    assert model.name == "rasa"
    assert model.predict("你好")[0].name == "request_help"
    model.close()
    assert seen == ["http://rasa.test:5005/model/parse"]
    assert not client.is_closed
    client.close()


# --- the interpreter falls back to the embedded model when Rasa goes away --------------------


class EmbeddedStandIn:
    """Plays the embedded fallback model; records what it was asked."""

    name = "embedded"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def predict(self, normalized: str) -> tuple[IntentScore, ...]:
        self.calls.append(normalized)
        return (IntentScore("volunteer_signup", 0.9), IntentScore("out_of_scope", 0.1))


def _no_entities(text: str, **_: Any) -> tuple[Entity, ...]:
    return ()


# Simplified, Traditional and Cantonese: the fallback answers whatever the script.
VOLUNTEER_MESSAGES = ("我想做义工", "我想做義工", "我想去做義工得唔得")


def _outage_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "nlu.rasa" and r.levelno == logging.WARNING and "unavailable" in r.getMessage()
    ]


def test_interpreter_uses_rasa_then_falls_back_once_warned_when_the_server_stops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeRasa(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fallback = EmbeddedStandIn()
    with RasaIntentModel(fake.at("ok"), timeout=2.0) as rasa:
        interpreter = Interpreter(rasa, fallback_model=fallback, extract_entities=_no_entities)
        try:
            answered = interpreter.parse(RECORDED["text"])
        finally:
            fake.stopped.set()
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        with caplog.at_level(logging.WARNING, logger="nlu.rasa"):
            after = [interpreter.parse(text) for text in VOLUNTEER_MESSAGES]

    assert (answered.backend, answered.intent) == ("rasa", "request_help")
    assert [u.backend for u in after] == ["embedded"] * len(VOLUNTEER_MESSAGES)
    assert [u.intent for u in after] == ["volunteer_signup"] * len(VOLUNTEER_MESSAGES)
    assert all("rasa_unavailable" in u.notes for u in after)
    assert fallback.calls == [normalize(text).text for text in VOLUNTEER_MESSAGES]
    (warning,) = _outage_warnings(caplog)  # one line per outage, not one per message
    assert "using embedded" in warning.getMessage()
    assert "\n" not in warning.getMessage()


def test_interpreter_falls_back_when_rasa_was_never_up(
    closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    with RasaIntentModel(f"http://127.0.0.1:{closed_port}", timeout=1.0) as rasa:
        interpreter = Interpreter(rasa, fallback_model=EmbeddedStandIn(), extract_entities=_no_entities)
        with caplog.at_level(logging.WARNING, logger="nlu.rasa"):
            results = [interpreter.parse(text) for text in VOLUNTEER_MESSAGES]

    assert {(u.backend, u.intent) for u in results} == {("embedded", "volunteer_signup")}
    (warning,) = _outage_warnings(caplog)
    assert "RasaUnavailable" in warning.getMessage()
    assert f"127.0.0.1:{closed_port}" in warning.getMessage()


# --- payload mapping ----------------------------------------------------------------------


def test_ranking_falls_back_to_intent_without_intent_ranking() -> None:
    payload = {"text": "你好", "intent": {"name": "greet", "confidence": 0.93}, "entities": []}
    assert ranking_from_payload(payload) == (IntentScore("greet", 0.93),)


def test_ranking_merges_fallback_with_out_of_scope_keeping_the_higher() -> None:
    payload = {
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "ask_policy", "confidence": 0.35},
            {"name": "out_of_scope", "confidence": 0.2},
        ],
    }
    assert ranking_from_payload(payload) == (
        IntentScore("out_of_scope", 0.4),
        IntentScore("ask_policy", 0.35),
    )


def test_ranking_is_sorted_even_if_rasa_is_not() -> None:
    payload = {
        "intent_ranking": [
            {"name": "deny", "confidence": 0.1},
            {"name": "affirm", "confidence": 0.7},
            {"name": "cancel", "confidence": 0.2},
        ]
    }
    assert [s.name for s in ranking_from_payload(payload)] == ["affirm", "cancel", "deny"]


def test_nameless_intent_of_empty_message_is_out_of_scope_with_zero_confidence() -> None:
    payload = {"text": "", "intent": {"name": None, "confidence": 0.0}, "intent_ranking": []}
    assert ranking_from_payload(payload) == (IntentScore("out_of_scope", 0.0),)


@pytest.mark.parametrize(
    "payload",
    [
        {"entities": []},
        {"intent_ranking": ["greet"]},
        {"intent": {"name": 3, "confidence": 0.5}},
        {"intent": {"name": "greet", "confidence": "high"}},
        {"intent": {"name": "greet", "confidence": float("nan")}},
        {"intent": {"name": "greet", "confidence": True}},
    ],
)
def test_ranking_rejects_malformed_payloads(payload: dict[str, Any]) -> None:
    with pytest.raises(RasaUnavailable):
        ranking_from_payload(payload)


@pytest.mark.parametrize(
    ("text", "start", "end", "value", "span"),
    [
        ("家里老人没人照顾", 2, 4, "老人", "老人"),  # Simplified
        ("家裡長者沒人照顧", 2, 4, "老人", "長者"),  # Traditional, synonym-mapped
        ("屋企長者冇人照顧", 2, 4, "老人", "長者"),  # Cantonese
        ("我係[長者]", 3, 5, "老人", "長者"),  # brackets in the text do not shift offsets
    ],
)
def test_entities_take_span_from_normalized_text(
    text: str, start: int, end: int, value: str, span: str
) -> None:
    payload = {
        "entities": [
            {
                "entity": "target_group",
                "start": start,
                "end": end,
                "confidence_entity": 0.97,
                "value": value,
                "extractor": "DIETClassifier",
            }
        ]
    }
    assert entities_from_payload(payload, text) == (
        Entity(EntityKind.TARGET_GROUP, value, span, start, end, 0.97),
    )


def test_entities_of_unknown_kind_or_bad_span_are_dropped_and_sorted() -> None:
    text = "南山区老人想做義工"
    payload = {
        "entities": [
            {
                "entity": "target_group",
                "start": 3,
                "end": 5,
                "value": "老人",
                "extractor": "RegexEntityExtractor",
            },
            {"entity": "activity", "start": 6, "end": 9, "value": "义工", "confidence_entity": 0.9},
            {"entity": "district", "start": 0, "end": 3, "value": "南山区", "confidence_entity": 0.8},
            {"entity": "district", "start": 7, "end": 40, "value": "越界"},
            {"entity": "district", "value": "没有位置"},
        ]
    }
    assert entities_from_payload(payload, text) == (
        Entity(EntityKind.DISTRICT, "南山区", "南山区", 0, 3, 0.8),
        Entity(EntityKind.TARGET_GROUP, "老人", "老人", 3, 5, 1.0),
    )


@pytest.mark.parametrize("payload", [{"entities": {"entity": "district"}}, {"entities": ["district"]}])
def test_entities_reject_malformed_payloads(payload: dict[str, Any]) -> None:
    with pytest.raises(RasaUnavailable):
        entities_from_payload(payload, "南山区")


# --- training report ----------------------------------------------------------------------


def test_training_report_reads_numbers_and_strings(tmp_path: Path) -> None:
    (tmp_path / "train_report.json").write_text(
        json.dumps(
            {
                "train_seconds": 123,
                "peak_rss_mb": 1519.6,
                "rasa_version": "3.6.21",
                "trained_at": "2026-11-23T10:47:09+00:00",
                "flag": True,
                "nested": {"x": 1},
            }
        ),
        encoding="utf-8",
    )
    assert rasa_training_report(tmp_path) == {
        "train_seconds": 123.0,
        "peak_rss_mb": 1519.6,
        "rasa_version": "3.6.21",
        "trained_at": "2026-11-23T10:47:09+00:00",
    }


@pytest.mark.parametrize("content", [None, "{not json", "[1, 2]", b"\xff\xfe"])
def test_training_report_missing_or_unreadable_is_none(tmp_path: Path, content: str | bytes | None) -> None:
    path = tmp_path / "train_report.json"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    assert rasa_training_report(tmp_path) is None


# --- training export (nlu/rasa/training_export.py) -----------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "家里[老人](target_group)没人照顾",  # Simplified
        "家裡[長者](target_group)沒人照顧",  # Traditional
        "屋企[長者](target_group)冇人照顧",  # Cantonese
        '我哋係[長者]{"entity": "target_group", "value": "老人"}',  # Cantonese, explicit value
        "[独居老人](target_group)和[儿童](target_group)都需要",  # two entities
    ],
)
def test_export_annotations_land_on_normalized_text(line: str) -> None:
    raw_text, raw_entities = strip_entity_annotations(line)
    exported, kept, dropped = annotate(TrainingExample(raw_text, "request_help", raw_entities))

    text, entities = strip_entity_annotations(exported)
    assert text == normalize(raw_text).text
    assert (kept, dropped) == (len(raw_entities), 0)
    for raw, entity in zip(raw_entities, entities, strict=True):
        raw_surface = raw_text[raw.start : raw.end]
        assert text[entity.start : entity.end] == normalize(raw_surface).text
        assert entity.entity == raw.entity
        expected_value = raw.value if raw.value != raw_surface else normalize(raw_surface).text
        assert entity.value == expected_value


def test_export_drops_annotation_whose_surface_is_normalised_away() -> None:
    raw_text, raw_entities = strip_entity_annotations("[嗯](target_group)你好")
    exported, kept, dropped = annotate(TrainingExample(raw_text, "greet", raw_entities))
    assert exported == normalize(raw_text).text
    assert "[" not in exported
    assert (kept, dropped) == (0, 1)


NLU_SAMPLE = """\
version: "3.1"
nlu:
- intent: request_help
  examples: |
    - 家里[老人](target_group)没人照顾
    - 家裡[老人](target_group)沒人照顧
    - 屋企[長者](target_group)冇人照顧
- intent: volunteer_signup
  examples: |
    - 点样做义工
    - 點樣做義工
    - 怎么做义工
- intent: inform
  examples: |
    - 怎么做义工
- synonym: 老人
  examples: |
    - 長者
    - 长者
    - 老人
- regex: case_ref
  examples: |
    - HR-\\d{8}-\\d{4}
- lookup: district
  examples: |
    - 南山區
    - 南山区
"""


def test_export_writes_normalised_deduplicated_rasa_yaml(tmp_path: Path) -> None:
    source = tmp_path / "nlu.yml"
    source.write_text(NLU_SAMPLE, encoding="utf-8")
    out = tmp_path / "build"

    summary = export_training_data(source, out)

    exported = (out / "nlu.yml").read_text(encoding="utf-8")
    examples = parse_rasa_nlu(exported)
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, []).append(example.text)
    # Simplified and Traditional spellings of one sentence collapse into one example.
    assert by_intent["request_help"] == [
        normalize("家里老人没人照顾").text,
        normalize("屋企長者冇人照顧").text,
    ]
    assert by_intent["volunteer_signup"] == [normalize("怎么做义工").text]
    assert summary.examples_in == 7
    assert summary.examples_out == len(examples) == 4
    assert summary.duplicates_dropped == 3
    assert summary.conflicts == (normalize("怎么做义工").text,)
    assert summary.entities_kept == 2

    document = yaml.safe_load(exported)
    assert document["version"] == "3.1"
    aux = {next(k for k in item if k != "examples"): item for item in document["nlu"] if "intent" not in item}
    assert aux["synonym"] == {"synonym": "老人", "examples": "- 长者\n"}
    assert aux["regex"]["examples"] == "- HR-\\d{8}-\\d{4}\n"
    assert aux["lookup"]["examples"] == "- 南山区\n"

    jieba_words = (out / "jieba" / "domain_words.txt").read_text(encoding="utf-8").splitlines()
    domain_words = list(dict.fromkeys(normalization_spec().domain_words))
    # The domain words first, then the entity surfaces (annotated, synonym, lookup) not among them.
    assert jieba_words[: len(domain_words)] == domain_words
    entity_words = [normalize(w).text for w in ("老人", "長者", "长者", "南山區")]
    assert set(jieba_words[len(domain_words) :]) == set(entity_words) - set(domain_words)
    assert summary.entity_words == len(jieba_words) - len(domain_words)
    assert json.loads((out / "export_summary.json").read_text(encoding="utf-8"))["examples_out"] == 4


# Sentences where jieba, without help, cuts through the entity (给/快递/员建, 帮新来/港/人士, 帮听障/人士)
# and Rasa warns "Misaligned entity annotation"; Simplified, Traditional, Cantonese.
MISALIGNING = (
    "我们想给[快递员](target_group)建个休息驿站",
    "我們想幫[新來港人士](target_group)融入社區",
    "我識手語,可以幫[聽障人士](target_group)嗎",
)


@dataclass(frozen=True)
class MisaligningExport:
    build: Path
    entities_by_text: dict[str, tuple[Any, ...]]
    tokenizer: Any  # jieba.Tokenizer with the exported dictionary loaded


@pytest.fixture(scope="module")
def misaligning_export(tmp_path_factory: pytest.TempPathFactory) -> MisaligningExport:
    import jieba

    out = tmp_path_factory.mktemp("misaligning")
    source = out / "nlu.yml"
    lines = "".join(f"    - {line}\n" for line in MISALIGNING)
    source.write_text(
        f'version: "3.1"\nnlu:\n- intent: find_demand_category\n  examples: |\n{lines}', encoding="utf-8"
    )
    build = out / "build"
    export_training_data(source, build)
    # What Rasa's JiebaTokenizer does with the folder: load every file as a user dictionary.
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(build / "jieba" / "domain_words.txt"))
    entities_by_text = dict(
        strip_entity_annotations(line) for line in parse_rasa_nlu_lines(build / "nlu.yml")
    )
    return MisaligningExport(build, entities_by_text, tokenizer)


@pytest.mark.parametrize("line", MISALIGNING)
def test_export_dictionary_keeps_entities_whole_for_jieba(
    misaligning_export: MisaligningExport, line: str
) -> None:
    raw_text, _ = strip_entity_annotations(line)
    text = normalize(raw_text).text
    (entity,) = misaligning_export.entities_by_text[text]
    tokens = misaligning_export.tokenizer.tokenize(text)
    boundaries = {position for _, start, end in tokens for position in (start, end)}
    assert {entity.start, entity.end} <= boundaries
    words = (misaligning_export.build / "jieba" / "domain_words.txt").read_text(encoding="utf-8")
    assert text[entity.start : entity.end] in words.splitlines()


def parse_rasa_nlu_lines(path: Path) -> list[str]:
    """The annotated example lines of an exported Rasa NLU file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        line[2:]
        for item in document["nlu"]
        if "intent" in item
        for line in item["examples"].splitlines()
        if line.startswith("- ")
    ]


def test_export_refuses_the_held_out_test_set(tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match="held-out"):
        export_training_data(HELD_OUT_TEST_FILE, tmp_path)


def test_export_cli_reports_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "nlu.yml"
    source.write_text(
        'version: "3.1"\nnlu:\n- intent: no_such_intent\n  examples: |\n    - 你好\n', encoding="utf-8"
    )
    assert export_main([str(source), "--out", str(tmp_path / "build")]) == 1
    assert "no_such_intent" in capsys.readouterr().err
