"""Target groups: canonical names from Simplified, Traditional and Cantonese wording."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from pydantic import ValidationError

from nlu.target_groups import TargetGroupMatcher, find_target_groups, read_target_groups
from nlu.types import EntityKind

# Every alias the project brief names must resolve to its group.
BRIEF_ALIASES: dict[str, tuple[str, ...]] = {
    "老年人": ("老人", "长者", "老年", "阿公阿婆", "老人家", "伯伯", "婆婆", "空巢老人"),
    "独居老人": ("独居老人",),
    "失独老人": ("失独老人",),
    "儿童": ("小朋友", "孩子", "细路", "小孩"),
    "青少年": ("学生", "中学生", "年轻人"),
    "残疾人": ("残障", "伤残", "坐轮椅", "盲人", "聋人"),
    "新就业群体": ("外卖员", "外卖小哥", "骑手", "快递员", "快递小哥", "网约车司机", "网络主播", "外賣仔"),
    "妇女": ("妇女",),
    "家庭": ("家庭",),
    "困难群众": ("低保户", "困难家庭"),
    "港籍居民": ("香港居民", "港人"),
    "少数民族": ("少数民族",),
    "退役军人": ("退役军人",),
    "社区矫正对象": ("社区矫正对象",),
    "安置帮教对象": ("刑满释放人员", "安置帮教对象"),
    "来深建设者": ("外来务工人员", "来深建设者"),
}


@pytest.mark.parametrize(
    ("alias", "group"), [(alias, group) for group, aliases in BRIEF_ALIASES.items() for alias in aliases]
)
def test_brief_aliases(alias: str, group: str) -> None:
    (entity,) = find_target_groups(f"请问{alias}可以申请吗")
    assert (entity.kind, entity.value, entity.text) == (EntityKind.TARGET_GROUP, group, alias)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Simplified
        ("我们社区有很多独居老人和外卖小哥", [("独居老人", "独居老人"), ("新就业群体", "外卖小哥")]),
        ("低保户的孩子", [("困难群众", "低保户"), ("儿童", "孩子")]),
        ("困难家庭和单亲家庭", [("困难群众", "困难家庭"), ("家庭", "单亲家庭")]),
        ("香港人在深圳", [("港籍居民", "香港人")]),
        ("坐轮椅的老人家", [("残疾人", "坐轮椅"), ("老年人", "老人家")]),
        # Traditional
        ("社區有好多獨居長者", [("独居老人", "獨居長者")]),
        ("殘疾人士同兒童", [("残疾人", "殘疾人士"), ("儿童", "兒童")]),
        ("新就業群體服務", [("新就业群体", "新就業群體")]),
        ("退伍軍人同少數民族", [("退役军人", "退伍軍人"), ("少数民族", "少數民族")]),
        # Cantonese
        (
            "我係外賣仔,屋企有個伯爺婆同細路仔",
            [("新就业群体", "外賣仔"), ("老年人", "伯爺婆"), ("儿童", "細路仔")],
        ),
        ("啲後生仔想做義工", [("青少年", "後生仔")]),
        ("老友記活動", [("老年人", "老友記")]),
    ],
)
def test_groups_in_sentences(text: str, expected: list[tuple[str, str]]) -> None:
    entities = find_target_groups(text)
    assert [(e.value, e.text) for e in entities] == expected
    assert all(text[e.start : e.end] == e.text for e in entities)


@pytest.mark.parametrize("text", ["", "你好", "家庭医生上门服务", "填写家庭住址", "佢好孩子气", "今天天气好"])
def test_no_group(text: str) -> None:
    assert find_target_groups(text) == ()


def test_longest_alias_wins_without_overlap() -> None:
    (entity,) = find_target_groups("空巢老人")
    assert (entity.value, entity.text) == ("老年人", "空巢老人")
    (entity,) = find_target_groups("独居老人")
    assert entity.value == "独居老人"


def test_detail_is_the_group_id() -> None:
    (entity,) = find_target_groups("骑手")
    assert entity.detail == "new_employment"


def test_large_input() -> None:
    entities = find_target_groups("社区关爱独居老人和小朋友。" * 8000)
    assert len(entities) == 16000
    assert all(a.end <= b.start for a, b in itertools.pairwise(entities))


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "groups.yml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "groups:\n  - {id: a, name: 老人, aliases: [长者]}\n  - {id: b, name: 长者们, aliases: [长者]}\n",
            "both a and b",
        ),
        (
            "groups:\n  - {id: a, name: 老人, aliases: [长者]}\nblockers: [长者]\n",
            "blockers are also aliases",
        ),
        ("groups:\n  - {id: A-1, name: 老人, aliases: [长者]}\n", "id"),
        ("groups: []\n", "groups"),
    ],
)
def test_data_file_is_validated(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        read_target_groups(_write(tmp_path, body))


def test_one_character_aliases_are_refused(tmp_path: Path) -> None:
    spec = read_target_groups(_write(tmp_path, "groups:\n  - {id: a, name: 老人, aliases: [老]}\n"))
    with pytest.raises(ValueError, match="two characters"):
        TargetGroupMatcher(spec)


def test_shipped_file_is_valid() -> None:
    spec = read_target_groups()
    assert len(spec.groups) == 16
