"""Source cleaning (the Nanshan pinyin, page numbers, boilerplate, mojibake) and the number reader."""

from __future__ import annotations

from fractions import Fraction

import pytest

from knowledge.pack import DEFAULT_PACK_DIR, load_sources
from knowledge.schema import CleaningSpec
from knowledge.text import (
    chinese_numeral,
    clean,
    glue_pages,
    numbers_in,
    quote_found,
    read_clean_source,
    strip_pinyin,
    to_simplified,
)

# Verbatim snippets of knowledge/sources/003_e29286eadcfd5786.txt.
NANSHAN_RAW = (
    "版權(quán)說明:本文檔由用戶提供并上傳,收益歸屬內(nèi)容提供方\n"
    "文檔簡(jiǎn)介\n"
    "1、南山區(qū)社會(huì)建設(shè)“盆景”變“風(fēng)景”系列工程項(xiàng)目項(xiàng)目名稱主要內(nèi)容及要求"
    "1、“一核多元”社區(qū)治理一、組織設(shè)置(1)社區(qū)綜合黨委班子采用公推直選方式產(chǎn)生,差額比例不低于40%。"
    "黨員義工、黨群工作者“五進(jìn)社區(qū)\n"
    "2、”活動(dòng);(2)按照“三有一化”要求\n"
    "3、項(xiàng)目名稱主要內(nèi)容及要求觀察點(diǎn)進(jìn)度要求牽頭單位4、環(huán)?;?dòng)聯(lián)絡(luò)小組一、組建理念\n"
    "溫馨提示\n"
    "- 1. 本站所有資源如無特殊說明,都需要本地電腦安裝OFFICE2007和PDF閱讀器。\n"
)


@pytest.fixture(scope="module")
def nanshan_spec() -> CleaningSpec:
    sources, _ = load_sources(DEFAULT_PACK_DIR)
    return sources["nanshan-2012"].cleaning


@pytest.mark.parametrize(
    ("raw", "clean_text"),
    [
        ("項(xiàng)目", "項目"),
        ("社區(qū)綜合黨委", "社區綜合黨委"),
        (
            "參會(huì)人數(shù)需達(dá)到應(yīng)到會(huì)人數(shù)的三分之二",
            "參會人數需達到應到會人數的三分之二",
        ),
        ("(1)社區(qū)", "(1)社區"),  # item numbers stay
        (
            "服務(wù)中心設(shè)置運(yùn)營(yíng)標(biāo)準(zhǔn)(試行)",
            "服務中心設置運營標準(試行)",
        ),  # Chinese in parentheses stays
        ("志愿服務(wù)人員(義工)", "志愿服務人員(義工)"),
        ("OFFICE(pdf)", "OFFICE(pdf)"),  # Latin without a tone mark is not pinyin
    ],
)
def test_strip_pinyin(raw: str, clean_text: str) -> None:
    assert strip_pinyin(raw) == clean_text


def test_glue_pages_joins_broken_lines_and_drops_page_numbers() -> None:
    text = "“五進(jìn)社區(qū)\n2、”活動(dòng);(2)按照\n24、4)對(duì)社區(qū)"
    assert strip_pinyin(glue_pages(text)) == "“五進社區”活動;(2)按照4)對社區"


def test_nanshan_cleaning_on_real_snippets(nanshan_spec: CleaningSpec) -> None:
    text = clean(NANSHAN_RAW, nanshan_spec)
    # header boilerplate and the page number 1、 gone, Simplified
    assert text.startswith("南山区社会建设“盆景”变“风景”系列工程项目项目名称")
    assert "差额比例不低于40%" in text
    assert "“五进社区”活动;(2)按照“三有一化”要求" in text  # page break and its number 2、 glued
    assert "4、环保互动联络小组" in text  # byte-shifted GBK span repaired
    assert "(" not in text.replace("(1)", "").replace("(2)", "")  # no pinyin left
    for boilerplate in ("版权", "温馨提示", "OFFICE", "文档简介"):
        assert boilerplate not in text


def test_whole_nanshan_source_is_clean(nanshan_spec: CleaningSpec) -> None:
    sources, sources_dir = load_sources(DEFAULT_PACK_DIR)
    text = read_clean_source(sources["nanshan-2012"], sources_dir)
    assert "(xiàng)" not in text and "項" not in text
    assert "四点半学校”的管理与服务" in text  # the second repaired span
    assert "10、社区公益服务" in text
    assert "合同" not in text  # the site's list of other documents is cut off
    assert not any(line[:3].rstrip("、").isdigit() for line in text.splitlines()[1:])


@pytest.mark.parametrize(
    ("source_id", "present", "absent"),
    [
        ("futian-2024", "12\t\t加强新就业群体服务\t针对快递员", "<p>"),
        ("henggang-2022", "累计辅导8个项目", ".jpg"),
        ("sz-demo-2014", "每个示范点原则上由福彩公益金资助15万元", "附件下载"),
        ("civil-affairs-plans", "推行“时间银行”互助养老模式", "alices"),
    ],
)
def test_other_sources_lose_their_site_noise(source_id: str, present: str, absent: str) -> None:
    sources, sources_dir = load_sources(DEFAULT_PACK_DIR)
    text = read_clean_source(sources[source_id], sources_dir)
    assert present in text
    assert absent not in text


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("每个示范点资助15万元", [150000]),
        ("资助十五万元", [150000]),
        ("须到会人数的三分之二方能开会", [Fraction(2, 3)]),
        ("半数以上通过", [Fraction(1, 2)]),
        ("差额比例不低于40%", [40]),
        ("百分之五十", [50]),
        ("可预申报6-20个示范点", [6, 20]),
        ("晚上7:00至9:00", [7, 0, 9, 0]),
        ("运营一年以上", [1]),
        ("每年进行2期培训", [2]),
        ("设会长1名", [1]),
        ("二十四小时", [24]),
        ("六大功能", [6]),
        ("统一、一核多元、五有一化、一老一小", []),  # numerals inside words state no figure
        ("百姓都说好", []),
        ("十二五规划", []),
    ],
)
def test_numbers_in(text: str, values: list[int | Fraction]) -> None:
    assert [m.value for m in numbers_in(text)] == [Fraction(v) for v in values]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("十五万", 150000),
        ("二十", 20),
        ("十二", 12),
        ("一百零八", 108),
        ("两", 2),
        ("三千五百", 3500),
        ("x", None),
    ],
)
def test_chinese_numeral(numeral: str, value: int | None) -> None:
    assert chinese_numeral(numeral) == value


@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("每个示范点原则上由福彩公益金资助15万元", True),
        ("每个示范点原则上由福彩公益金资助15万元。各区(新区)", True),
        ("每个示范点原则上由福彩公益金资助１５万元", True),  # full-width digits match
        ("每 个 示范点", True),  # whitespace is ignored
        ("每個示範點原則上由福彩公益金資助15萬元", True),  # Traditional matches the Simplified source
        ("资助15万元……至少选取10项以上", True),  # fragments in order
        ("至少选取10项以上……资助15万元", False),  # fragments out of order
        ("每个示范点原则上由福彩公益金资助20万元", False),
    ],
)
def test_quote_found(quote: str, found: bool) -> None:
    source = "每个示范点原则上由福彩公益金资助15万元。各区(新区)可根据实际情况。每个示范点须至少选取10项以上开展试点。"
    assert quote_found(quote, source) is found


def test_to_simplified() -> None:
    assert to_simplified("社區服務中心") == "社区服务中心"
    assert to_simplified("社区服务中心") == "社区服务中心"
