"""Crisis detection: many phrasings in every register must fire; everyday hyperbole must not."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from nlu.crisis import CrisisDetector, CrisisSignal, CrisisSpec, detect_crisis
from nlu.normalize import normalize
from nlu.training_data import HELD_OUT_TEST_FILE, load_training_data
from nlu.types import Intent


def _detect(raw: str) -> CrisisSignal | None:
    return detect_crisis(normalize(raw).text)


CRISES: list[tuple[str, str]] = [
    # suicide, Simplified
    ("我不想活了", "suicide"),
    ("活着没意思", "suicide"),
    ("我觉得活着真没意思", "suicide"),
    ("我想死", "suicide"),
    ("好想去死", "suicide"),
    ("我有轻生的念头", "suicide"),
    ("我想了结自己", "suicide"),
    ("我吃了很多安眠药", "suicide"),
    ("刚刚吞了一整瓶安眠药", "suicide"),
    ("我想跳楼", "suicide"),
    ("我现在站在楼顶", "suicide"),
    ("想从天台跳下去", "suicide"),
    ("我写好遗书了", "suicide"),
    ("我想一了百了", "suicide"),
    ("生不如死", "suicide"),
    ("我想自杀", "suicide"),
    ("活不下去了", "suicide"),
    ("我喝了农药", "suicide"),
    # suicide, Traditional / Cantonese / voice / typos / English
    ("我唔想再活落去", "suicide"),
    ("唔想活喇", "suicide"),
    ("我想死咗算", "suicide"),
    ("我食咗好多安眠藥", "suicide"),
    ("我想跳樓", "suicide"),
    ("我真係想自殺", "suicide"),
    ("活著冇意思", "suicide"),
    ("那个我就是不想活了", "suicide"),
    ("嗯 我 想 死", "suicide"),
    ("我想跳搂", "suicide"),
    ("我想自沙", "suicide"),
    ("I want to die", "suicide"),
    ("i want to kill myself", "suicide"),
    # self-harm
    ("我割腕了", "self_harm"),
    ("忍不住想自残", "self_harm"),
    ("我用刀片割自己", "self_harm"),
    ("我又傷害自己了", "self_harm"),
    ("I cut myself again", "self_harm"),
    # violence
    ("有人在打我", "violence"),
    ("他在打我", "violence"),
    ("我老公又打我了", "violence"),
    ("我被家暴了", "violence"),
    ("有人拿刀", "violence"),
    ("他拿着菜刀追我", "violence"),
    ("我继父喝醉了打我妈", "violence"),
    ("他说要杀了我", "violence"),
    ("他掐我脖子", "violence"),
    ("佢打緊我", "violence"),
    ("我老公成日打我", "violence"),
    ("有人拎住把刀", "violence"),
    ("屋企有人斬人", "violence"),
    ("被老公打到住院", "violence"),
    ("someone is hitting me", "violence"),
    # medical emergencies
    ("老人摔倒了不省人事", "medical_emergency"),
    ("我爸晕倒了", "medical_emergency"),
    ("我妈喘不上气", "medical_emergency"),
    ("爷爷突然没有呼吸了", "medical_emergency"),
    ("孩子噎住了", "medical_emergency"),
    ("外婆摔倒了起不来", "medical_emergency"),
    ("他胸口好痛", "medical_emergency"),
    ("老伴好像中风了", "medical_emergency"),
    ("阿爺暈低咗", "medical_emergency"),
    ("阿嫲跌低咗冇反應", "medical_emergency"),
    ("阿媽透唔到氣", "medical_emergency"),
    ("快叫救护车", "medical_emergency"),
    ("孩子掉进水里了", "medical_emergency"),
    # fire
    ("家里着火了", "fire"),
    ("屋企著火呀", "fire"),
    ("厨房起火了", "fire"),
    ("火燭呀", "fire"),
    ("闻到很大的煤气泄漏的味道", "fire"),
    ("楼道里好多浓烟", "fire"),
    # generic emergencies
    ("救命", "emergency"),
    ("救命啊", "emergency"),
    ("救救我", "emergency"),
    ("🆘", "emergency"),
    ("SOS", "emergency"),
    ("快帮我报警", "emergency"),
    ("我被困在电梯里", "emergency"),
    ("有人打电话说要杀了我", "violence"),
    # threats and "不想生存" that only the model used to catch
    ("有人要打我", "violence"),
    ("有人要打我們", "violence"),
    ("佢話要打我", "violence"),
    ("他说要打死我", "violence"),
    ("有人想殺我", "violence"),
    ("佢要斬我", "violence"),
    ("有人拎刀", "violence"),
    ("我唔想生存落去", "suicide"),
    ("我唔想再生存", "suicide"),
    ("我不想生存下去了", "suicide"),
    ("我真的生存不下去了", "suicide"),
    ("我活唔落去喇", "suicide"),
    ("我想結束自己", "suicide"),
]


@pytest.mark.parametrize(("raw", "kind"), CRISES)
def test_crisis_phrasings_are_detected(raw: str, kind: str) -> None:
    signal = _detect(raw)
    assert signal is not None, raw
    assert signal.kind == kind
    assert signal.phrase


def test_there_are_many_crisis_phrasings() -> None:
    assert len(CRISES) >= 60


NOT_CRISES = [
    "笑死我了",
    "手机死机了",
    "今天热死了",
    "饿死了，去吃饭",
    "累死了",
    "想死你了",
    "我们想做自杀预防讲座",
    "想申请预防自杀的心理项目",
    "我们想做反家暴宣传",
    "我哋想做反家暴宣傳",
    "给独居老人装一键报警器",
    "跳楼价大甩卖",
    "请打我电话",
    "他打我电话没人接",
    "我不想活动了，太累",
    "想办社区急救培训",
    "小区做消防演练",
    "火灾隐患排查项目",
    "想加入社区应急救援志愿队",
    "我们想做防跌倒的长者项目",
    "火烧眉毛了，申请什么时候截止",
    "家里老人摔倒过，想找人照顾",
    "我爸中风后需要康复护理",
    "救命稻草",
    "我想死磕这个项目",
    "经常被人打扰",
    "她总是打我主意",
    "带刀片的剃须刀",
    "楼下烧烤冒烟好大",
    "我要报警器",
    "压力大到喘不过气",
    "打死我也不信",
    "我老公在打工",
    "我妈在打麻将",
    "有人要打我电话吗",
    "你们会打我电话吗",
    "护士要打我针",
    "我要打疫苗",
    "被平台扣钱了",
    "楼上漏水好几个月了物业不管",
    "最近压力很大睡不着",
    "最近壓力好大瞓唔着",
    "火星基地",
    "低保怎么申请",
    "你好",
    "",
]


@pytest.mark.parametrize("raw", NOT_CRISES)
def test_everyday_language_is_not_a_crisis(raw: str) -> None:
    assert _detect(raw) is None


def test_no_non_crisis_example_of_the_shipped_data_fires() -> None:
    examples = (*load_training_data(), *load_training_data([HELD_OUT_TEST_FILE]))
    fired = [
        (e.intent, e.text)
        for e in examples
        if e.intent != Intent.CRISIS.value and _detect(e.text) is not None
    ]
    assert fired == []


def test_guard_only_hides_the_overlapping_match() -> None:
    # 笑死 is hyperbole, but the 不想活 later in the same message is not.
    signal = _detect("笑死,算了我真的不想活了")
    assert signal is not None
    assert signal.kind == "suicide"


def test_signal_is_frozen() -> None:
    signal = CrisisSignal("fire", "着火")
    with pytest.raises(dataclasses.FrozenInstanceError):
        signal.kind = "other"  # type: ignore[misc]


def test_detector_works_from_a_spec() -> None:
    spec = CrisisSpec.model_validate(
        {
            "version": 1,
            "kinds": {"danger": {"phrases": ["危险"], "patterns": ["快.跑"]}},
            "guards": ["不危险"],
        }
    )
    detector = CrisisDetector(spec)
    assert detector.detect("快逃跑") == CrisisSignal("danger", "快逃跑")
    assert detector.detect("这里危险") == CrisisSignal("danger", "危险")
    assert detector.detect("这里不危险") is None


@pytest.mark.parametrize(
    "kinds",
    [
        {},
        {"x": {}},
        {"x": {"patterns": ["(unclosed"]}},
        {"x": {"patterns": ["a*"]}},
        {"x": {"phrases": [" "]}},
    ],
)
def test_invalid_specs_are_rejected(kinds: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CrisisSpec.model_validate({"version": 1, "kinds": kinds})
