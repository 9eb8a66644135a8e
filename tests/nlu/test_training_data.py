"""The Rasa NLU YAML loader, and the shipped training and held-out files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nlu.normalize import detect_script, normalize
from nlu.training_data import (
    DEFAULT_TRAINING_FILES,
    HELD_OUT_TEST_FILE,
    AnnotatedEntity,
    TrainingDataError,
    TrainingExample,
    load_training_data,
    parse_rasa_nlu,
    strip_entity_annotations,
)
from nlu.types import CONTRACT_INTENTS, Intent, Script

FORM_INTENTS = (Intent.AFFIRM, Intent.DENY, Intent.CANCEL, Intent.INFORM)


@pytest.mark.parametrize(
    ("line", "text", "entities"),
    [
        (
            "我家[独居老人](target_group)没人管",
            "我家独居老人没人管",
            (AnnotatedEntity("target_group", "独居老人", 2, 6),),
        ),
        ("住在[福田](district:福田区)", "住在福田", (AnnotatedEntity("district", "福田区", 2, 4),)),
        (
            '帮[外卖小哥]{"entity": "target_group", "value": "新就业群体", "role": "beneficiary"}维权',
            "帮外卖小哥维权",
            (AnnotatedEntity("target_group", "新就业群体", 1, 5, "beneficiary"),),
        ),
        (
            "[長者](target_group)同[殘疾人士](target_group)",
            "長者同殘疾人士",
            (
                AnnotatedEntity("target_group", "長者", 0, 2),
                AnnotatedEntity("target_group", "殘疾人士", 3, 7),
            ),
        ),
        ("没有标注 [方括号] 也没事", "没有标注 [方括号] 也没事", ()),
    ],
)
def test_entity_annotations_are_stripped(line: str, text: str, entities: tuple[AnnotatedEntity, ...]) -> None:
    stripped, found = strip_entity_annotations(line)
    assert stripped == text
    assert found == entities
    for entity in found:
        assert stripped[entity.start : entity.end] in line


def test_bad_json_annotation_is_an_error() -> None:
    with pytest.raises(TrainingDataError):
        strip_entity_annotations('[老人]{"value": "x"}')


DOC = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
    # a comment line
    - [長者](target_group)早晨

- synonym: 长者
  examples: |
    - 老人家
- lookup: target_group
  examples: |
    - 独居老人
- regex: case_ref
  examples: |
    - HR-\\d{8}-\\d{4}
- intent: deny
  examples:
  - text: |
      不是
  - text: 唔係
    metadata:
      register: cantonese
"""


def test_parse_rasa_nlu_reads_intents_and_skips_other_items() -> None:
    examples = parse_rasa_nlu(DOC, source="doc")
    assert [(e.intent, e.text) for e in examples] == [
        ("greet", "你好"),
        ("greet", "長者早晨"),
        ("deny", "不是"),
        ("deny", "唔係"),
    ]
    assert examples[1].entities == (AnnotatedEntity("target_group", "長者", 0, 2),)
    assert all(e.source == "doc" for e in examples)


@pytest.mark.parametrize(
    "content",
    [
        'version: "2.0"\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n',
        'version: "3.1"\nnlu:\n- intent: not_an_intent\n  examples: |\n    - 你好\n',
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    你好\n',
        'version: "3.1"\nnlu:\n- examples: |\n    - 你好\n',
        'version: "3.1"\nnlu:\n- intent: greet\n  synonym: x\n  examples: ""\n',
        "nlu: [unclosed",
    ],
)
def test_invalid_files_are_rejected(content: str) -> None:
    with pytest.raises(TrainingDataError):
        parse_rasa_nlu(content)


def test_unknown_intents_are_allowed_when_asked() -> None:
    content = 'version: "3.1"\nnlu:\n- intent: custom\n  examples: |\n    - 你好\n'
    assert parse_rasa_nlu(content, known_intents=None)[0].intent == "custom"


def test_load_training_data_reads_several_files(tmp_path: Path) -> None:
    first = tmp_path / "a.yml"
    second = tmp_path / "b.yml"
    first.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n', encoding="utf-8")
    second.write_text('version: "3.1"\nnlu:\n- intent: deny\n  examples: |\n    - 不是\n', encoding="utf-8")
    examples = load_training_data([first, second])
    assert [e.intent for e in examples] == ["greet", "deny"]
    assert examples[0].source == str(first)


# --- the shipped data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def training() -> tuple[TrainingExample, ...]:
    return load_training_data()


@pytest.fixture(scope="module")
def held_out() -> tuple[TrainingExample, ...]:
    return load_training_data([HELD_OUT_TEST_FILE])


def test_training_file_is_rasa_3_format() -> None:
    assert DEFAULT_TRAINING_FILES[0].read_text(encoding="utf-8").count('version: "3.1"') == 1
    assert HELD_OUT_TEST_FILE not in DEFAULT_TRAINING_FILES


def test_every_contract_intent_has_at_least_60_training_examples(
    training: tuple[TrainingExample, ...],
) -> None:
    counts = Counter(e.intent for e in training)
    for intent in (*CONTRACT_INTENTS, *FORM_INTENTS):
        assert counts[intent.value] >= 60, intent


def test_every_contract_intent_has_at_least_20_held_out_examples(
    held_out: tuple[TrainingExample, ...],
) -> None:
    counts = Counter(e.intent for e in held_out)
    for intent in CONTRACT_INTENTS:
        assert counts[intent.value] >= 20, intent


def test_held_out_lines_never_appear_in_training(
    training: tuple[TrainingExample, ...], held_out: tuple[TrainingExample, ...]
) -> None:
    trained = {normalize(e.text).text for e in training}
    leaked = [e.text for e in held_out if normalize(e.text).text in trained]
    assert leaked == []


def test_no_training_text_has_two_intents(training: tuple[TrainingExample, ...]) -> None:
    seen: dict[str, str] = {}
    conflicts = []
    for example in training:
        key = normalize(example.text).text
        if seen.setdefault(key, example.intent) != example.intent:
            conflicts.append((example.text, seen[key], example.intent))
    assert conflicts == []


def test_annotations_are_present_and_stripped(training: tuple[TrainingExample, ...]) -> None:
    annotated = [e for e in training if e.entities]
    assert len(annotated) >= 20
    assert all(entity.entity == "target_group" for e in annotated for entity in e.entities)
    assert not any("](" in e.text for e in training)


@pytest.mark.parametrize("intent", [i.value for i in CONTRACT_INTENTS])
def test_each_intent_has_traditional_examples_in_both_files(
    intent: str, training: tuple[TrainingExample, ...], held_out: tuple[TrainingExample, ...]
) -> None:
    for examples in (training, held_out):
        assert any(e.intent == intent and detect_script(e.text) is Script.TRADITIONAL for e in examples)
