"""Normalisation: script conversion, width, fillers, typos, Cantonese, hostile input."""

from __future__ import annotations

import pytest

from nlu.normalize import PhraseTable, detect_script, normalization_spec, normalize
from nlu.types import Script


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("點樣申請低保", "怎么申请低保"),
        ("社區服務中心要配幾個社工", "社区服务中心要配几个社工"),
        ("示範點資助幾多錢", "示范点资助几多钱".replace("几多", "多少")),
        ("我想做義工", "我想做义工"),
        ("衞生服務", "卫生服务"),  # Hong Kong glyph variant, handled by hk2s
        ("低保怎么申请", "低保怎么申请"),  # Simplified stays as it is
    ],
)
def test_traditional_becomes_simplified(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "script"),
    [
        ("點樣申請低保", Script.TRADITIONAL),
        ("我想問一下", Script.TRADITIONAL),
        ("唔該晒", Script.TRADITIONAL),
        ("低保怎么申请", Script.SIMPLIFIED),
        ("我想做义工", Script.SIMPLIFIED),
        ("hi 👋", Script.SIMPLIFIED),
        ("", Script.SIMPLIFIED),
        ("我冇工作", Script.SIMPLIFIED),  # Cantonese in shared characters is not Traditional
        ("你好，我叫王麗，想申请低保，请帮帮我", Script.SIMPLIFIED),  # a Traditional name is outvoted
        ("我叫王麗", Script.TRADITIONAL),
        ("好唔該晒，我哋得閒再傾", Script.TRADITIONAL),
    ],
)
def test_script_is_detected_from_the_original(raw: str, script: Script) -> None:
    assert normalize(raw).script is script
    assert detect_script(raw) is script


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＨＲ－２０２６１１２３－０００１", "HR-20261123-0001"),
        ("１３８００１３８０００", "13800138000"),
        ("进度？", "进度?"),
        ("ｈｅｌｌｏ　你好", "hello 你好"),
        ("我想问，低保！", "我想问,低保!"),
    ],
)
def test_full_width_becomes_half_width_but_chinese_stays(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("嗯那个就是我想问一下那个低保怎么申请", "低保怎么申请"),
        ("那个那个我家老人腿脚不好", "我家老人腿脚不好"),
        ("呃，就是，进度怎么样了", "进度怎么样了"),
        ("救命啊", "救命"),
        ("嗯 那个 你好", "你好"),
        ("嗯嗯", "嗯嗯"),  # a message made only of fillers is an answer: keep it
        ("资助金额是多少", "资助金额是多少"),  # 额 is never treated as a filler
        ("额度有多少", "额度有多少"),
        ("这就是我的地址", "这就是我的地址"),  # 就是 in running text carries meaning
        ("我想问那个项目", "我想问那个项目"),
    ],
)
def test_fillers_are_removed_conservatively(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("低宝怎么申请", "低保怎么申请"),
        ("低寶點樣申請", "低保怎么申请"),
        ("我想当自愿者", "我想当志愿者"),
        ("我想做意工", "我想做义工"),
        ("我想求主", "我想求助"),
        ("查询进渡", "查询进度"),
        ("心里咨询收费吗", "心理咨询收费吗"),
        ("自愿报名", "自愿报名"),  # the real word 自愿 stays
        ("求主保佑", "求主保佑"),  # protected phrase
    ],
)
def test_homophone_typos_are_fixed(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我想搵人幫手", "我想找人帮忙"),
        ("點樣申請", "怎么申请"),
        ("唔該", "谢谢"),
        ("唔該晒", "多谢"),
        ("唔該幫我轉人工", "请帮我转人工"),
        ("我冇錢", "我没有钱"),
        ("係咪要交材料", "是不是要交材料"),
        ("佢係我阿媽", "他是我阿妈"),
        ("我哋嘅社區", "我们的社区"),
        ("申請咗", "申请了"),
        ("邊度可以報名", "哪里可以报名"),
        ("乜嘢係示範點", "什么是示范点"),
        ("我唔想再活落去", "我不想再活下去"),
        ("我系陈生", "我是陈生"),  # Cantonese typed in Simplified characters
        ("系咪免费", "是不是免费"),
        ("沒關係", "没关系"),  # 係 inside 關係 is not 是
        ("联系电话", "联系电话"),  # 系 inside 联系 is not 是
        ("唔好意思", "不好意思"),
        ("得唔得閒", "有没有空"),
    ],
)
def test_cantonese_phrases_map_to_mandarin(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("👋", "你好"),
        ("🆘", "救命"),
        ("好的👍", "好的好的"),
        ("❤️谢谢", "❤谢谢"),  # the variation selector goes, the heart stays
        ("哈哈😂", "哈哈😂"),  # unmapped emoji are kept
    ],
)
def test_emoji_are_kept_or_mapped_harmlessly(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u200b你\u200d好\x07", "你好"),
        ("低保\x00怎么\ufeff申请", "低保怎么申请"),
        ("\ud800低保\udfff", "低保"),  # lone surrogates from a broken client
        ("我 想 问 一 下", "我想问一下"),  # voice input spaces between Chinese characters
        ("call  me\n\tlater", "call me later"),
        ("进度？？？", "进度?"),
        ("\ue000私用区", "私用区"),
    ],
)
def test_invisible_characters_and_whitespace(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize("raw", ["", " ", "\n\t", "\x00\x01", "\u200b\u200b", "嗯", "?"])
def test_degenerate_input_returns_something_sane(raw: str) -> None:
    result = normalize(raw)
    assert result.original == raw
    assert isinstance(result.text, str)
    assert "\x00" not in result.text


def test_huge_input_is_truncated_not_fatal() -> None:
    raw = "我想申请低保" * 20_000  # 120,000 characters, about 360 kB of UTF-8
    result = normalize(raw)
    assert len(result.text) <= normalization_spec().max_model_chars
    assert "truncated" in result.notes
    assert result.original == raw


def test_huge_input_of_invisible_characters() -> None:
    result = normalize("\u200b" * 100_000 + "低保")
    assert "truncated" in result.notes
    assert "\u200b" not in result.text


@pytest.mark.parametrize("raw", [None, b"\xe4\xbd\xa0\xe5\xa5\xbd", b"\xff\xfe", 12345])
def test_non_string_input_is_coerced(raw: object) -> None:
    result = normalize(raw)  # type: ignore[arg-type]
    assert isinstance(result.text, str)


def test_notes_name_the_steps_that_changed_something() -> None:
    assert normalize("點樣申請低寶？").notes == ("half_width", "simplified", "cantonese", "typos")
    assert normalize("低保").notes == ()


def test_phrase_table_prefers_the_longest_match_and_protects() -> None:
    table = PhraseTable({"唔": "不", "唔该": "谢谢", "系": "是"}, protect=("关系",))
    assert table.apply("唔该,唔去,关系,我系") == "谢谢,不去,关系,我是"
    assert PhraseTable({}).apply("原样") == "原样"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("你系唔系机器人", "你是不是机器人"),
        ("你係唔係真人", "你是不是真人"),
        ("佢系咪社工", "他是不是社工"),
        ("我系唔系要带身份证", "我是不是要带身份证"),
        ("你做乜", "你做什么"),
        ("你做乜咁講", "你做什么这么讲"),
        ("為乜要我電話", "为什么要我电话"),
        ("你们系统几时开", "你们系统几时开"),  # 系统 stays
    ],
)
def test_cantonese_phrases_win_over_shorter_entries_starting_earlier(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("嗯那个我想问下示范点的项目要多少钱", "示范点的项目要多少钱"),
        ("那个嗯就是低保要什么材料", "低保要什么材料"),
        ("等一下我先问个问题，低保怎么申请", "低保怎么申请"),
        ("请问长者饭堂在哪里", "长者饭堂在哪里"),
        ("嗯，我想問下低保點申請", "低保怎么申请"),  # Traditional / Cantonese
        ("我想問一下，長者飯堂幾多錢", "长者饭堂多少钱"),
        ("請問下示範點資助幾多", "示范点资助多少"),
    ],
)
def test_lead_ins_before_a_question_are_dropped(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("等一下我先问个问题", "等一下我先问个问题"),  # nothing follows: the lead-in is the message
        ("我想问下", "我想问下"),
        ("請問一下", "请问一下"),
        ("我想问那个项目", "我想问那个项目"),
        ("他想问下低保", "他想问下低保"),  # not at the start of the message
    ],
)
def test_a_lead_in_alone_or_inside_the_message_stays(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected
