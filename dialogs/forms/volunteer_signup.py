"""The volunteer sign-up form. Service areas follow the fields the Futian 2024 catalogue (item 4) names."""

from __future__ import annotations

from dialogs.effects import LinkToOpenCase, RegisterVolunteer
from dialogs.forms import fields
from dialogs.forms.spec import Completion, FormContext, FormSpec, Slot
from dialogs.ports import CaseDesk
from dialogs.turn import Action

SKILLS: tuple[tuple[str, str], ...] = (
    ("法律", "law"),
    ("心理", "psychology"),
    ("医疗护理", "medical"),
    ("教学辅导", "teaching"),
    ("电脑/IT", "it"),
    ("文艺体育", "arts_sports"),
    ("没有特别技能,愿意出力", "general"),
)
SKILL_KEYWORDS: dict[str, tuple[str, ...]] = {
    "law": ("法律", "律师", "法务", "普法"),
    "psychology": ("心理", "咨询师", "倾听"),
    "medical": ("医疗", "护士", "医生", "护理", "急救", "康复"),
    "teaching": ("教学", "老师", "辅导", "教书", "功课", "家教"),
    "it": ("电脑", "it", "编程", "程序", "手机", "网络"),
    "arts_sports": ("唱歌", "跳舞", "书法", "画画", "文艺", "体育", "运动", "摄影"),
    "general": ("没有", "没什么", "出力", "跑腿", "都可以", "普通"),
}
AVAILABILITY: tuple[tuple[str, str], ...] = (
    ("工作日白天", "weekday_daytime"),
    ("工作日晚上", "weekday_evening"),
    ("周末", "weekend"),
    ("节假日", "holiday"),
)
AVAILABILITY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "weekday_daytime": ("工作日白天", "平时白天", "白天", "上午", "下午"),
    "weekday_evening": ("晚上", "下班后", "夜间"),
    "weekend": ("周末", "星期六", "星期天", "礼拜六", "礼拜天", "周六", "周日"),
    "holiday": ("节假日", "假期", "放假", "寒暑假"),
}
SERVICE_AREAS: tuple[tuple[str, str], ...] = (
    ("助老助残助弱", "elder_disability"),
    ("心理健康", "mental_health"),
    ("公共安全", "public_safety"),
    ("生态环保", "environment"),
    ("法律服务", "legal_services"),
    ("儿童青少年", "children_youth"),
)
AREA_KEYWORDS: dict[str, tuple[str, ...]] = {
    "elder_disability": ("助老", "老人", "助残", "残疾", "助弱", "养老"),
    "mental_health": ("心理", "陪伴", "倾听"),
    "public_safety": ("安全", "治安", "巡逻", "反诈", "应急", "消防"),
    "environment": ("环保", "垃圾分类", "环境", "绿化", "生态"),
    "legal_services": ("法律", "普法", "调解"),
    "children_youth": ("儿童", "孩子", "小朋友", "青少年", "学生", "功课"),
}

CONSENT = (
    "报名志愿者前,请您先了解:\n"
    "· 收集:姓名、联系电话、所在社区、特长、有空的时间、想做的服务\n"
    "· 用途:只用于社区安排志愿服务、联系您\n"
    "· 谁能看到:负责志愿服务的社区工作人员\n"
    "· 保存:退出志愿服务后 {retention_days} 天删除\n"
    "您同意吗?"
)
PRIVACY = (
    "要填的是:姓名、联系电话、所在社区、特长、有空的时间、想做的服务。"
    "只用于社区安排志愿服务、联系您,只有负责志愿服务的社区工作人员能看到,退出志愿服务后 {retention_days} 天删除。"
)
DONE = "谢谢您报名做志愿者!编号 {case_ref}。工作人员会在{office_hours}联系您安排服务。"
DUPLICATE = "您 7 天内已经报名过(编号 {ref}),这次的信息已补充进去。工作人员会在{office_hours}联系您。"

skill_validate, skill_prefill = fields.keyword_choice(
    SKILL_KEYWORDS, multi=True, problem="请回复数字选择您的特长,可以选几个,例如:1 3。"
)
# "都可以" means every time or every area; for skills it means no special skill (a keyword there).
ANY_TIME = ("都可以", "都行", "随时", "全部", "任何时间", "什么时候都", "都有空", "都得")
ANY_AREA = ("都可以", "都行", "全部", "都愿意", "哪方面都", "什么都", "都得")

time_validate, time_prefill = fields.keyword_choice(
    AVAILABILITY_KEYWORDS,
    multi=True,
    problem="请回复数字选择您有空的时间,可以选几个,例如:2 3。",
    all_words=ANY_TIME,
)
area_validate, area_prefill = fields.keyword_choice(
    AREA_KEYWORDS, multi=True, problem="请回复数字选择想做的服务,可以选几个,例如:1 2。", all_words=ANY_AREA
)


def _complete(values: dict[str, str], desk: CaseDesk, ctx: FormContext) -> Completion:
    duplicate = desk.open_duplicate(phone=values["phone"], need_type="volunteer")
    if duplicate is not None:
        text = DUPLICATE.replace("{ref}", duplicate.ref).replace("{office_hours}", ctx.office_hours)
        return Completion(
            effects=(LinkToOpenCase(case_ref=duplicate.ref, note="同一电话 7 天内再次报名"),), text=text
        )
    effect = RegisterVolunteer(
        name=values["name"],
        phone=values["phone"],
        community=values["community"],
        skills=tuple(v for v in values["skills"].split(",") if v),
        availability=tuple(v for v in values["availability"].split(",") if v),
        service_areas=tuple(v for v in values["service_areas"].split(",") if v),
    )
    return Completion(effects=(effect,), text=DONE.replace("{office_hours}", ctx.office_hours))


VOLUNTEER_SIGNUP = FormSpec(
    name="volunteer_signup",
    title="志愿者报名",
    action=Action.FORM_VOLUNTEER,
    consent=CONSENT,
    privacy=PRIVACY,
    slots=(
        Slot(
            name="name",
            label="姓名",
            prompt="请问您的姓名?",
            validate=fields.validate_name,
            prefill=fields.name_said,
            correctable_by=fields.name_in,
            required_why=fields.NAME_WHY,
        ),
        fields.phone_slot(),
        fields.community_slot(),
        Slot(
            name="skills",
            label="特长",
            prompt="您有哪些特长?可以选几个,例如回复:1 3",
            validate=skill_validate,
            choices=SKILLS,
            multi=True,
            prefill=skill_prefill,
            prefill_mid_form=False,  # "法律 心理" answers the skills, not the service areas too
            display=fields.labels_for(SKILLS),
        ),
        Slot(
            name="availability",
            label="有空的时间",
            prompt="您什么时间有空?可以选几个:",
            validate=time_validate,
            choices=AVAILABILITY,
            multi=True,
            prefill=time_prefill,
            prefill_mid_form=False,
            display=fields.labels_for(AVAILABILITY),
        ),
        Slot(
            name="service_areas",
            label="想做的服务",
            prompt="您想做哪方面的志愿服务?可以选几个:",
            validate=area_validate,
            choices=SERVICE_AREAS,
            multi=True,
            prefill=area_prefill,
            prefill_mid_form=False,
            display=fields.labels_for(SERVICE_AREAS),
        ),
    ),
    complete=_complete,
)
