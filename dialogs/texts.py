"""User-facing wording, in Simplified Chinese (converted to Traditional for users who write it).

Short sentences that lead with what was asked: many users are elderly and read on a phone.
Every phone number stated here is cited in knowledge/sources/emergency_numbers.md.
"""

from __future__ import annotations

MENU_LABELS: tuple[tuple[str, str], ...] = (
    ("政策咨询", "/menu policy"),
    ("我要求助", "/start help_request"),
    ("志愿报名", "/start volunteer_signup"),
    ("查询进度", "/status"),
    ("项目申报指引(机构)", "/menu guide"),
    ("转人工", "/handoff"),
)

WELCOME = "您好!我是社区助手,可以解答社区政策、登记求助和志愿报名。请回复数字选择:"
HELP = "我可以帮您:问政策、登记求助、报名做志愿者、查询办理进度、给机构找申报方向。请回复数字选择:"
GOODBYE = "不客气!有需要随时找我。"
NOT_UNDERSTOOD = "抱歉,我没听明白。您可以换个说法(打字或发语音都可以),或回复数字选择:"
OUT_OF_SCOPE = "抱歉,这个我帮不上忙。我能帮您办这些事,请回复数字选择:"
NO_SUCH_CHOICE = "没有这个选项。请回复 {first} 到 {last} 之间的数字:"
EMPTY_MESSAGE = "您好像没有输入内容。请直接打字或说话告诉我您需要什么,或回复数字选择:"
TOO_LONG = "您的消息很长,我只看了前面一部分。"
UNSUPPORTED_MEDIA = "抱歉,这类消息我暂时看不懂。请用文字告诉我您需要什么。"

POLICY_PROMPT = "请直接说出您想问的政策问题,例如:示范点每个社区资助多少钱?"
POLICY_UNSURE = "这个问题我没有把握回答准确。您是想问下面哪一项?回复数字选择:"
POLICY_UNKNOWN = "抱歉,我的资料里没有这个问题的答案。需要的话我可以帮您转给工作人员。"
OLD_SOURCE_NOTE = "(注意:这是{year}的文件,现行做法请向街道或社区核实。)"

CRISIS = (
    "您的安全最重要!\n"
    "有生命危险请马上拨打 110(报警)或 120(急救)。\n"
    "需要心理支持可拨打心理援助热线 12356。\n"
    "我已通知工作人员优先联系您,编号 {case_ref}。"
)

HANDOFF = (
    "好的,已为您转人工,编号 {case_ref}。工作人员在{office_hours}处理,会在这个对话里回复您。"
    "如果情况紧急,请拨打 110 或 120。"
)
HANDOFF_AGAIN = (
    "您已经转过人工(编号 {case_ref}),这条消息也已转给工作人员,不用重复登记。"
    "工作人员在{office_hours}处理。如果情况紧急,请拨打 110 或 120。"
)
CRISIS_AGAIN = (
    "您的紧急求助(编号 {case_ref})已在处理,这条消息也已转给工作人员。\n"
    "有生命危险请马上拨打 110(报警)或 120(急救)。"
)
CRISIS_FOLLOW_UP = "收到,已转告工作人员(编号 {case_ref})。如果仍有危险,请马上拨打 110 或 120。"
SAFETY_QUESTION = (
    "先确认一下:现在有没有人有生命危险?\n"
    "如有危险,请马上拨打 110(报警)或 120(急救);心理援助热线 12356。\n"
    "回复数字:"
)
SAFETY_YES = "有,现在有危险"
SAFETY_NO = "没有,继续"
SAFETY_OK = "好的,没有危险就好。您想办什么事?"
CRISIS_FORM_KEPT = "如果您刚才只是在回答{form}的问题,回复数字继续填写:"

STATUS_NONE = "您目前没有登记过的求助或报名。需要登记吗?"
STATUS_HEAD = "您的登记和最新进度:"
STATUS_NOT_YOURS = "没有找到编号 {ref} 的登记,或它不是您本人的登记。以下是您自己的登记:"
STATUS_NOT_FOUND = "没有找到编号 {ref} 的登记。您在这里还没有登记过求助或报名。需要登记吗?"
STATUS_NEXT: tuple[tuple[str, str], ...] = (("转人工(催办或咨询)", "/handoff"), ("返回主菜单", "/menu"))
STATUS_REGISTER: tuple[tuple[str, str], ...] = (
    ("我要求助", "/start help_request"),
    ("志愿报名", "/start volunteer_signup"),
)

STATUS_LABELS: dict[str, str] = {
    "new": "已收到,等待处理",
    "acknowledged": "工作人员已受理",
    "in_progress": "正在处理",
    "resolved": "已解决",
    "closed": "已结案",
    "rejected": "未能受理",
}

KIND_LABELS: dict[str, str] = {
    "help": "求助",
    "volunteer": "志愿报名",
    "crisis": "紧急求助",
    "handoff": "人工咨询",
}

CANCELLED = "好的,已取消,您填写的信息没有保存。还有什么可以帮您?"
RESUME_OFFER = "您上次的{form}还没填完。"
WELCOME_BACK = "欢迎回来,我们接着办{form}。"
RESUME_CHOICES: tuple[tuple[str, str], ...] = (("继续填写", "/resume"), ("重新开始", "/restart"))
NOTHING_TO_RESUME = "没有需要继续填写的内容了。请回复数字选择:"

MEDIA_REPLIES: dict[str, str] = {
    "image": "收到您的图片。我暂时看不懂图片,请用文字说说您需要什么。",
    "location": "收到您的位置。如果要求助,请说说需要什么帮助,我来帮您登记。",
    "link": "收到您的链接。我暂时打不开链接,请用文字说说您想问什么。",
    "other": "收到了。这类消息我暂时看不懂,请用文字告诉我您需要什么。",
    "voice_unrecognized": "抱歉,没听清您的语音。请再说一次,说慢一点,或者打字告诉我。",
}
# The same in the middle of a form or check: the question it waits for follows.
MEDIA_IN_FLOW: dict[str, str] = {
    "image": "收到您的图片,我暂时看不懂图片。请用文字或语音回答。",
    "location": "收到您的位置,我暂时读不出位置。请用文字或语音回答。",
    "link": "收到您的链接,我暂时打不开链接。请用文字或语音回答。",
    "other": "这类消息我暂时看不懂。请用文字或语音回答。",
    "voice_unrecognized": "抱歉,没听清您的语音。请再说一次,说慢一点,或者打字回答。",
}

# A question about a service, answered from the knowledge pack: the service itself is offered after the answer.
SERVICE_OFFER_LEADS: dict[str, str] = {
    "volunteer_signup": "想报名做志愿者的话,请回复数字:",
    "help_request": "需要登记求助的话,请回复数字:",
    "eligibility": "想看看您的社区是否符合申报条件,请回复数字:",
}
SERVICE_OFFER_LABELS: dict[str, str] = {
    "volunteer_signup": "我要报名做志愿者",
    "help_request": "我要登记求助",
    "eligibility": "检查我们社区的申报条件",
}
BACK_TO_MENU = "返回主菜单"
