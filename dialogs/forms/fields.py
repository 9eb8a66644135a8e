"""Validators and prefills shared by forms: phone, community, name, keyword-mapped choices."""

from __future__ import annotations

import re
from collections.abc import Callable

from dialogs.forms.spec import Prefill, Slot, SlotCheck, Validator
from nlu.phones import check_phone, mask_phone
from nlu.places import load_gazetteer
from nlu.types import EntityKind, Understanding

PHONE_PROBLEM = "请留一个能联系到您的电话,例如 13912345678 或香港号码 91234567。"
COMMUNITY_PROBLEM = "没有找到这个社区。请再说一次社区名称(例如:莲花北社区),或说说您住在哪个街道、哪个小区。"
NAME_PROBLEM = "称呼请用 1 到 20 个字,例如:王阿姨、陈先生。也可以回复「跳过」。"
DESCRIPTION_PROBLEM = "请用一两句话说说具体情况,例如:老人腿脚不好,需要上门照护。"
CHOICE_PROBLEM = "请回复数字选择。"


def validate_phone(text: str, u: Understanding) -> SlotCheck:
    candidate = _phone_text(u) or text
    result = check_phone(candidate)
    if result.valid and result.e164:
        return SlotCheck.ok(result.e164)
    reason = result.reason or "号码不对。"
    return SlotCheck.bad(f"{reason.rstrip('。')}。{PHONE_PROBLEM}")


def phone_in(u: Understanding) -> str | None:
    """A valid phone number mentioned anywhere in the message."""
    for entity in u.all(EntityKind.PHONE):
        if entity.value:
            return entity.text
    return None


def _phone_text(u: Understanding) -> str | None:
    entity = u.first(EntityKind.PHONE)
    return entity.text if entity is not None else None


def validate_community(text: str, u: Understanding) -> SlotCheck:
    """Exact gazetteer matches are accepted; fuzzy ones are confirmed; same-name communities are chosen."""
    cleaned = text.strip()
    if not cleaned:
        return SlotCheck.bad(COMMUNITY_PROBLEM)
    found = load_gazetteer().match(cleaned, limit=9)
    matches = [m for m in found if m.level == "community"]
    if not matches:
        streets = [m for m in found if m.level == "street" and m.exact]
        if len(streets) == 1:
            return _communities_of(streets[0])
        return SlotCheck.bad(COMMUNITY_PROBLEM)
    exact = [m for m in matches if m.exact]
    if len(exact) == 1:
        return SlotCheck.ok(_place_label(exact[0]))
    if len(exact) > 1:
        return SlotCheck(options=tuple((_place_label(m), _place_label(m)) for m in exact[:9]))
    best = matches[0]
    return SlotCheck(confirm=_place_label(best))


STREET_COMMUNITIES = "{street}有这些社区,您住在哪一个?请回复数字:"
STREET_TOO_MANY = "{street}有 {count} 个社区,请说出您住的社区名称;不清楚的话回复数字:"
STREET_ONLY = "不清楚社区,先登记{street}"
STREET_ONLY_VALUE = "(社区待核实)"
MAX_LISTED_COMMUNITIES = 8


def _communities_of(street: object) -> SlotCheck:
    """A street named instead of a community: its communities as choices, or the street as a last resort."""
    district = getattr(street, "district", "") or ""
    name = str(getattr(street, "name", ""))
    communities = [
        p
        for p in load_gazetteer().places
        if p.level == "community" and p.street == name and (not district or p.district == district)
    ]
    label = f"{district} {name}".strip()
    fallback = (STREET_ONLY.replace("{street}", name), f"{label}{STREET_ONLY_VALUE}")
    if communities and len(communities) <= MAX_LISTED_COMMUNITIES:
        options = tuple((c.name, _place_label(c)) for c in communities)
        return SlotCheck(options=(*options, fallback), problem=STREET_COMMUNITIES.replace("{street}", name))
    problem = STREET_TOO_MANY.replace("{street}", name).replace("{count}", str(len(communities)))
    return SlotCheck(options=(fallback,), problem=problem)


def _place_label(match: object) -> str:
    """ "福田区 莲花街道 莲花北社区": the committee suffix (居委会) is not what residents call it."""
    district = getattr(match, "district", "") or ""
    street = getattr(match, "street", "") or ""
    name = str(getattr(match, "name", ""))
    for suffix in ("社区居民委员会", "社区居委会", "居民委员会", "居委会"):
        if name.endswith(suffix):
            name = name.removesuffix(suffix) + "社区"
            break
    return " ".join(p for p in (district, street, name) if p)


def community_in(u: Understanding) -> str | None:
    entity = u.first(EntityKind.COMMUNITY)
    return entity.text if entity is not None else None


_NAME_PREFIX = re.compile(r"^(我叫|我姓|叫我|我是|姓名|名字|称呼)[是::\s]*")


def validate_name(text: str, u: Understanding) -> SlotCheck:
    name = _NAME_PREFIX.sub("", text.strip()).strip(" ,,。.!!")
    if not name or len(name) > 20 or any(ch.isdigit() for ch in name):
        return SlotCheck.bad(NAME_PROBLEM)
    return SlotCheck.ok(name)


def validate_description(text: str, u: Understanding) -> SlotCheck:
    cleaned = " ".join(text.split())
    if len(cleaned) < 2:
        return SlotCheck.bad(DESCRIPTION_PROBLEM)
    return SlotCheck.ok(cleaned[:500])


def keyword_choice(
    table: dict[str, tuple[str, ...]], *, multi: bool = False, problem: str = CHOICE_PROBLEM
) -> tuple[Validator, Prefill]:
    """A validator and a prefill that map free text to choice values through keyword lists."""

    def find(text: str) -> list[str]:
        picked = [
            value
            for value, words in table.items()
            if value in text.split(",") or any(w in text for w in words)
        ]
        return picked

    def validate(text: str, u: Understanding) -> SlotCheck:
        values = [v for v in text.split(",") if v in table] or find(u.normalized or text) or find(text)
        if not values:
            return SlotCheck.bad(problem)
        return SlotCheck.ok(",".join(values if multi else values[:1]))

    def prefill(u: Understanding) -> str | None:
        values = find(u.normalized)
        if not values:
            return None
        return ",".join(values if multi else values[:1])

    return validate, prefill


def labels_for(choices: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    """Show stored choice values with their Chinese labels in the summary."""
    names = {value: label for label, value in choices}

    def display(value: str) -> str:
        return "、".join(names.get(v, v) for v in value.split(",") if v)

    return display


def phone_slot() -> Slot:
    """The contact phone, asked the same way by every form that needs one."""
    return Slot(
        name="phone",
        label="联系电话",
        prompt="请留一个联系电话(手机或香港号码)。",
        validate=validate_phone,
        prefill=phone_in,
        display=mask_phone,
        correctable_by=phone_in,
    )


def community_slot() -> Slot:
    """The resident's community, matched against the Shenzhen gazetteer."""
    return Slot(
        name="community",
        label="所在社区",
        prompt="您住在哪个社区?例如:莲花北社区。",
        validate=validate_community,
        prefill=community_in,
        correctable_by=community_in,
        accept_unverified_after=2,
    )
