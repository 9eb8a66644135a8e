"""The help-request form: a resident's need turned into a case staff can act on."""

from __future__ import annotations

import re

from dialogs.effects import LinkToOpenCase, OpenHelpRequest, Urgency
from dialogs.forms import fields
from dialogs.forms.spec import Completion, FormContext, FormSpec, Slot
from dialogs.ports import CaseDesk
from dialogs.turn import Action
from nlu.types import Intent, Understanding

NEED_TYPES: tuple[tuple[str, str], ...] = (
    ("老人照护", "elderly_care"),
    ("残疾人帮扶", "disability_support"),
    ("生活困难、社会救助", "social_assistance"),
    ("儿童和家庭", "children_family"),
    ("心理支持", "psychological_support"),
    ("纠纷调解", "dispute_mediation"),
    ("外卖员、快递员等权益", "new_employment_rights"),
    ("其他", "other"),
)

NEED_KEYWORDS: dict[str, tuple[str, ...]] = {
    "elderly_care": (
        "老人",
        "老年",
        "长者",
        "老伴",
        "护理",
        "照护",
        "上门",
        "腿脚",
        "行动不便",
        "独居",
        "养老",
        "爷爷",
        "奶奶",
        "阿婆",
        "阿公",
    ),
    "disability_support": ("残疾", "残障", "轮椅", "失明", "盲人", "聋", "伤残", "智障", "自闭"),
    "social_assistance": (
        "困难",
        "低保",
        "救助",
        "交不起",
        "没钱",
        "失业",
        "房租",
        "吃不上",
        "看不起病",
        "生活费",
    ),
    "children_family": ("孩子", "小孩", "儿童", "小朋友", "带娃", "上学", "家庭教育", "亲子"),
    "psychological_support": ("心理", "压力", "焦虑", "抑郁", "睡不着", "情绪", "孤独", "难受", "心情"),
    "dispute_mediation": ("纠纷", "吵架", "矛盾", "邻居", "物业", "调解", "噪音", "漏水"),
    "new_employment_rights": ("外卖", "快递", "骑手", "网约车", "平台", "工伤", "欠薪", "被扣钱", "主播"),
    "other": ("其他", "其它"),
}

URGENCY_CHOICES: tuple[tuple[str, str], ...] = (
    ("紧急(今天就需要)", Urgency.HIGH.value),
    ("一般", Urgency.NORMAL.value),
)
# "Not urgent" first: a single value is the first that matches, and "不急" contains "急".
URGENCY_KEYWORDS: dict[str, tuple[str, ...]] = {
    Urgency.NORMAL.value: ("一般", "不急", "不着急", "唔急", "慢慢", "都可以"),
    Urgency.HIGH.value: ("急", "马上", "立刻", "今天", "赶紧", "尽快"),
}

CONSENT = (
    "登记求助前,请您先了解:\n"
    "· 收集:求助类型、情况说明、所在社区、联系电话、称呼(可不填)\n"
    "· 用途:只用于工作人员联系您、处理这次求助\n"
    "· 谁能看到:负责处理的社区工作人员\n"
    "· 保存:办结后 {retention_days} 天删除\n"
    "您同意吗?"
)
PRIVACY = (
    "要填的是:求助类型、情况说明、所在社区、联系电话、称呼(可不填)。"
    "只用于工作人员联系您、处理这次求助,只有负责处理的社区工作人员能看到,办结后 {retention_days} 天删除。"
)
DONE = "已为您登记,编号 {case_ref}。工作人员会在{office_hours}联系您。想查进度,回复「查询进度」。"
DUPLICATE = "您 7 天内已登记过同类求助(编号 {ref}),这次说的情况已补充进去,不会重复登记。工作人员会在{office_hours}联系您。"

_GENERIC = re.compile(
    r"(我要|我想|想要|需要|请|帮我|帮帮我|能不能|可以)?(求助|求救|帮忙|帮助|找人帮忙|登记)[了吗呢啊吧]?"
)

need_validate, need_prefill = fields.keyword_choice(
    NEED_KEYWORDS, problem="请回复数字选择您需要哪方面的帮助。"
)
urgency_validate, urgency_prefill = fields.keyword_choice(
    URGENCY_KEYWORDS, problem="请回复 1 紧急 或 2 一般。"
)


def description_prefill(u: Understanding) -> str | None:
    """The first message is the description when it says more than "我要求助"."""
    if u.intent not in (Intent.REQUEST_HELP, Intent.INFORM):
        return None
    rest = _GENERIC.sub("", u.normalized).strip(" ,,。.!!")
    return u.text.strip() if len(rest) >= 4 else None


def reads_like_help_request(u: Understanding) -> bool:
    """A message that names a need and says enough about it, whatever intent the model gave it.

    "我家老人摔倒了需要人上门看看 我电话139..." read as `inform` is still a help request.
    """
    return bool(need_prefill(u)) and description_prefill(u) is not None


def _complete(values: dict[str, str], desk: CaseDesk, ctx: FormContext) -> Completion:
    duplicate = desk.open_duplicate(phone=values["phone"], need_type=values["need_type"])
    if duplicate is not None:
        note = f"同一电话 7 天内再次求助:{values['description']}"
        text = DUPLICATE.replace("{ref}", duplicate.ref).replace("{office_hours}", ctx.office_hours)
        return Completion(effects=(LinkToOpenCase(case_ref=duplicate.ref, note=note),), text=text)
    effect = OpenHelpRequest(
        need_type=values["need_type"],
        description=values["description"],
        community=values["community"],
        phone=values["phone"],
        name=values.get("name", ""),
        urgency=Urgency(values.get("urgency") or Urgency.NORMAL.value),
    )
    return Completion(effects=(effect,), text=DONE.replace("{office_hours}", ctx.office_hours))


HELP_REQUEST = FormSpec(
    name="help_request",
    title="求助登记",
    action=Action.FORM_HELP,
    consent=CONSENT,
    privacy=PRIVACY,
    slots=(
        Slot(
            name="need_type",
            label="求助类型",
            prompt="请问您需要哪方面的帮助?回复数字:",
            validate=need_validate,
            choices=NEED_TYPES,
            prefill=need_prefill,
            display=fields.labels_for(NEED_TYPES),
        ),
        Slot(
            name="description",
            label="情况说明",
            prompt="请简单说说具体情况,例如:老人腿脚不好,需要上门照护。",
            validate=fields.validate_description,
            prefill=description_prefill,
            display=fields.masked_text,
        ),
        fields.community_slot(),
        fields.phone_slot(),
        Slot(
            name="name",
            label="称呼",
            prompt="怎么称呼您?例如:王阿姨。不想留可以回复「跳过」。",
            validate=fields.validate_name,
            optional=True,
            prefill=fields.name_said,
            correctable_by=fields.name_in,
            out_of_turn=True,
        ),
        Slot(
            name="urgency",
            label="紧急程度",
            prompt="情况紧急吗?回复数字:",
            validate=urgency_validate,
            choices=URGENCY_CHOICES,
            prefill=urgency_prefill,
            display=fields.labels_for(URGENCY_CHOICES),
            out_of_turn=True,
        ),
    ),
    complete=_complete,
)
