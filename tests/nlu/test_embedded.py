"""The embedded intent model: classification across registers, calibration, caching."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import numpy as np
import pytest

from nlu.embedded import EmbeddedIntentModel, cache_key, expected_calibration_error
from nlu.features import FeatureExtractor, TfidfVocabulary, shared_tokenizer
from nlu.normalize import normalization_spec, normalize
from nlu.training_data import load_training_data
from nlu.types import Intent

# The model's own word list, so these tests reuse its tokenizer instead of loading jieba again.
DOMAIN_WORDS = tuple(normalization_spec().domain_words)


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedIntentModel:
    # Shared on disk with the other nlu test modules: the first one trains, the rest load the pickle.
    return EmbeddedIntentModel.load_or_train(cache_dir=tmp_path_factory.getbasetemp() / "nlu-model-cache")


REPRESENTATIVE = [
    # greet
    ("你好啊", "greet"),
    ("喂，有冇人呀", "greet"),
    ("hello", "greet"),
    # thanks_bye
    ("好的，谢谢你们", "thanks_bye"),
    ("唔該晒，拜拜", "thanks_bye"),
    # ask_policy
    ("低保怎么申请要什么材料", "ask_policy"),
    ("那个示范点资助多少钱啊", "ask_policy"),
    ("長者飯堂點樣收費", "ask_policy"),
    # find_demand_category
    ("我们想帮外卖小哥维权，该申报哪一类", "find_demand_category"),
    ("我哋機構想做青少年預防犯罪，報邊一類", "find_demand_category"),
    # check_eligibility
    ("我们社区能不能申请示范点", "check_eligibility"),
    ("我哋機構符唔符合資格", "check_eligibility"),
    # request_help
    ("我家老人腿脚不好想找人上门护理", "request_help"),
    ("嗯我一个人住买菜都不方便想找人帮忙", "request_help"),
    ("我屋企阿爺冇人照顧", "request_help"),
    # volunteer_signup
    ("周末有空想做义工", "volunteer_signup"),
    ("我想報名做義工", "volunteer_signup"),
    ("想当自愿者", "volunteer_signup"),
    # check_case_status
    ("我的求助处理得怎么样了", "check_case_status"),
    ("HR-20261123-0001", "check_case_status"),
    ("進度點呀", "check_case_status"),
    ("查询进渡", "check_case_status"),
    # human_handoff
    ("转人工", "human_handoff"),
    ("我要同真人講", "human_handoff"),
    # crisis (the model alone, without the rules)
    ("我不想活了", "crisis"),
    ("有人在打我", "crisis"),
    # out_of_scope
    ("今天天气怎么样", "out_of_scope"),
    ("講個笑話", "out_of_scope"),
    # form control
    ("是的", "affirm"),
    ("不是", "deny"),
    ("取消", "cancel"),
    ("13800138000", "inform"),
    ("我叫王芳", "inform"),
]


@pytest.mark.parametrize(("raw", "intent"), REPRESENTATIVE)
def test_representative_messages_are_classified(model: EmbeddedIntentModel, raw: str, intent: str) -> None:
    assert model.predict(normalize(raw).text)[0].name == intent


def test_ranking_is_a_sorted_distribution_over_every_intent(model: EmbeddedIntentModel) -> None:
    ranking = model.predict("低保怎么申请")
    confidences = [score.confidence for score in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert {score.name for score in ranking} == {intent.value for intent in Intent}


@pytest.mark.parametrize("text", ["", " ", "😊", "zzzzzz", "的" * 2000])
def test_odd_input_still_gets_a_ranking(model: EmbeddedIntentModel, text: str) -> None:
    ranking = model.predict(text)
    assert len(ranking) == len(Intent)
    assert all(0.0 <= score.confidence <= 1.0 for score in ranking)


def test_temperature_improves_out_of_fold_calibration(model: EmbeddedIntentModel) -> None:
    validation = model.validation
    assert validation is not None
    assert model.temperature > 0

    def ece(temperature: float | None) -> float:
        probabilities = validation.probabilities(temperature)
        correct = (probabilities.argmax(axis=1) == validation.y_true).astype(float)
        return expected_calibration_error(probabilities.max(axis=1), correct)

    assert ece(None) < ece(1.0)
    assert ece(None) < 0.1


def test_training_matrix_and_inference_rows_agree() -> None:
    """Training vectorises in bulk and inference row by row: the weights must be identical."""
    extractor = FeatureExtractor(shared_tokenizer(DOMAIN_WORDS))
    documents = [extractor.features(t) for t in ("低保怎么申请", "进度?", "hi 你好", "", "HR-20261123-0001")]
    vocabulary = TfidfVocabulary.fit(documents[:3])
    matrix = vocabulary.matrix([*documents, ["c:未见过"]]).toarray()
    for i, document in enumerate([*documents, ["c:未见过"]]):
        row = vocabulary.row(document)
        dense = np.zeros(len(vocabulary))
        dense[row.indices] = row.values
        assert np.allclose(dense, matrix[i])


def test_features_fold_digits_and_mark_boundaries() -> None:
    features = FeatureExtractor(shared_tokenizer(DOMAIN_WORDS)).features("进度 HR-20261123-0001")
    assert "c:^进度" in features
    assert "c:00$" in features
    assert not any(ch in f for f in features if not f.startswith("len:") for ch in "123456789")


def test_expected_calibration_error_of_perfect_and_awful_models() -> None:
    assert expected_calibration_error(np.array([1.0, 1.0]), np.array([1.0, 1.0])) == 0.0
    assert expected_calibration_error(np.array([1.0, 1.0]), np.array([0.0, 0.0])) == 1.0
    assert expected_calibration_error(np.array([]), np.array([])) == 0.0


def test_pickle_round_trip_predicts_the_same(model: EmbeddedIntentModel) -> None:
    restored = pickle.loads(pickle.dumps(model))
    assert restored.predict("我想做义工") == model.predict("我想做义工")


@pytest.mark.parametrize("classifier", ["linear_svm", "logreg"])
def test_both_classifiers_train(tiny_data: Path, classifier: str) -> None:
    trained = EmbeddedIntentModel.train(load_training_data([tiny_data]), classifier=classifier)
    assert trained.predict("你好呀")[0].name == "greet"


def test_unknown_classifier_is_rejected(tiny_data: Path) -> None:
    with pytest.raises(ValueError, match="unknown classifier"):
        EmbeddedIntentModel.train(load_training_data([tiny_data]), classifier="forest")


def test_training_without_examples_is_an_error() -> None:
    with pytest.raises(ValueError):
        EmbeddedIntentModel.train([])


def test_two_intents_work_too(tmp_path: Path) -> None:
    data = tmp_path / "two.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n'
        "- intent: greet\n  examples: |\n    - 你好\n    - 您好\n    - hello\n"
        "- intent: deny\n  examples: |\n    - 不是\n    - 不对\n    - no\n",
        encoding="utf-8",
    )
    trained = EmbeddedIntentModel.train(load_training_data([data]), folds=0)
    assert trained.predict("你好")[0].name == "greet"
    assert trained.predict("不是")[0].name == "deny"
    assert trained.validation is None


# --- caching ---------------------------------------------------------------------------------

TINY = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
    - 您好
    - 早上好
    - 哈囉
    - hello
    - hi
- intent: thanks_bye
  examples: |
    - 谢谢
    - 多谢
    - 再见
    - 唔該晒
    - 拜拜
    - thanks
- intent: cancel
  examples: |
    - 取消
    - 算了
    - 不弄了
    - 退出
    - 唔搞喇
    - stop
"""


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yml"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_cache_hit_does_not_retrain(tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = EmbeddedIntentModel.load_or_train([tiny_data], cache_dir=cache)
    assert len(list(cache.glob("embedded-*.pkl"))) == 1

    def fail(*args: object, **kwargs: object) -> EmbeddedIntentModel:
        raise AssertionError("retrained although the cache was current")

    monkeypatch.setattr(EmbeddedIntentModel, "train", fail)
    second = EmbeddedIntentModel.load_or_train([tiny_data], cache_dir=cache)
    assert second.key == first.key
    assert second.predict("你好") == first.predict("你好")


def test_data_change_retrains_and_replaces_the_cache(tiny_data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = EmbeddedIntentModel.load_or_train([tiny_data], cache_dir=cache)
    old_files = set(cache.glob("embedded-*.pkl"))

    tiny_data.write_text(TINY + "    - 唔做喇\n", encoding="utf-8")
    second = EmbeddedIntentModel.load_or_train([tiny_data], cache_dir=cache)
    assert second.key != first.key
    assert second.n_examples == first.n_examples + 1
    new_files = set(cache.glob("embedded-*.pkl"))
    assert len(new_files) == 1
    assert new_files.isdisjoint(old_files)


def test_cache_key_depends_on_content_not_time(tiny_data: Path) -> None:
    key = cache_key([tiny_data])
    tiny_data.write_text(TINY, encoding="utf-8")
    assert cache_key([tiny_data]) == key


def test_corrupt_cache_is_replaced(tiny_data: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = tmp_path / "cache"
    EmbeddedIntentModel.load_or_train([tiny_data], cache_dir=cache)
    (pickled,) = cache.glob("embedded-*.pkl")
    pickled.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="nlu.embedded"):
        model = EmbeddedIntentModel.load_or_train([tiny_data], cache_dir=cache)
    assert model.predict("谢谢")[0].name == "thanks_bye"
    assert "unreadable" in caplog.text
    with pickled.open("rb") as handle:
        assert isinstance(pickle.load(handle), EmbeddedIntentModel)


def test_unwritable_cache_dir_still_gives_a_model(
    tiny_data: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nlu.embedded"):
        model = EmbeddedIntentModel.load_or_train([tiny_data], cache_dir=blocker / "cache")
    assert model.predict("取消")[0].name == "cancel"
    assert "could not cache" in caplog.text
