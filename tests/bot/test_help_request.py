"""A resident asks for help: consent, the form, the case (issue 6)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.models import Case, CaseEvent, Conversation, MessageLog
from tests.support.clock import FakeClock

PHONE = "13912345678"


def _fill_help_request(resident: CollectingChannel, *, phone: str = PHONE) -> str:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")  # 同意
    resident.say("莲花北社区")
    resident.say(phone)
    resident.say("王阿姨")
    resident.say("2")  # 一般
    return resident.say("1")  # 确认提交


def _cases(assistant: Assistant) -> list[Case]:
    with assistant.sessions() as session:
        return list(session.execute(select(Case).order_by(Case.id)).scalars())


def test_a_full_help_request_ends_in_a_case_with_a_reference(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    consent = resident.say("我家老人腿脚不好,想找人上门护理")
    assert resident.last.action == "form:help_request"
    assert "收集" in consent and "谁能看到" in consent and "删除" in consent and "1 同意" in consent

    ask_community = resident.say("1")
    assert "哪个社区" in ask_community  # need type and description came with the first message

    ask_phone = resident.say("莲花北社区")
    assert "联系电话" in ask_phone
    ask_name = resident.say(PHONE)
    assert "怎么称呼" in ask_name
    ask_urgency = resident.say("王阿姨")
    assert "紧急" in ask_urgency
    summary = resident.say("2")
    assert "老人照护" in summary and "莲花北社区" in summary and "139****5678" in summary
    assert PHONE not in summary

    done = resident.say("1")
    [case] = _cases(assistant)
    assert case.ref.startswith("HR-20261123-")
    assert case.ref in done and "工作日" in done
    assert resident.last.case_ref == case.ref
    assert (case.kind, case.status, case.need_type, case.urgency) == ("help", "new", "elderly_care", "normal")
    assert "福田区" in case.community and "莲花北社区" in case.community
    assert assistant.cipher.decrypt(case.phone_enc) == "+8613912345678"
    assert assistant.cipher.decrypt(case.name_enc) == "王阿姨"
    assert "腿脚不好" in assistant.cipher.decrypt(case.transcript_enc)


def test_a_sentence_that_answers_the_need_type_is_also_the_description(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say("我要求助")
    ask_need = resident.say("同意")
    assert "哪方面的帮助" in ask_need
    ask_community = resident.say("我妈妈腿脚不好,想找人上门照顾")
    assert "哪个社区" in ask_community  # not asked to describe it again
    resident.say("莲花北社区")
    resident.say(PHONE)
    resident.say("跳过")
    summary = resident.say("2")
    assert "老人照护" in summary and "我妈妈腿脚不好" in summary


def test_asking_for_progress_mid_form_is_answered_and_the_form_resumes(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")  # 同意
    resident.say("莲花北社区")
    reply = resident.say("查询进度")
    assert "我们接着填写" in reply and "联系电话" in reply
    assert "号码" not in reply.split("我们接着填写")[0]  # not taken as a bad phone number


def test_no_phone_or_name_is_stored_in_plain_text_anywhere(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    _fill_help_request(resident)
    with assistant.engine.connect() as connection:
        tables = ["cases", "case_events", "conversations", "messages", "unanswered_questions", "volunteers"]
        for table in tables:
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                raw = " ".join(str(v) for v in row)
                assert "13912345678" not in raw, table
                assert "王阿姨" not in raw, table


def test_refusing_consent_stores_nothing_personal(resident: CollectingChannel, assistant: Assistant) -> None:
    resident.say("我要求助")
    reply = resident.say("不同意")
    assert "没有记录您的任何个人信息" in reply
    assert _cases(assistant) == []
    with assistant.sessions() as session:
        state = assistant.cipher.decrypt(session.execute(select(Conversation)).scalar_one().state_enc)
        assert '"flow": null' in state


def test_cancel_at_any_step(resident: CollectingChannel, assistant: Assistant) -> None:
    resident.say("我要求助")
    resident.say("同意")
    resident.say("1")
    reply = resident.say("算了")
    assert "已取消" in reply
    assert _cases(assistant) == []
    assert "政策" in resident.say("你好")


def test_three_bad_phone_numbers_lead_to_a_handoff_offer(resident: CollectingChannel) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")
    resident.say("莲花北社区")
    first = resident.say("1391234567")
    assert "11 位" in first or "不对" in first or "有效" in first
    resident.say("abc")
    third = resident.say("12345")
    assert "转人工" in third and "再试一次" in third
    again = resident.say("2")  # 再试一次
    assert "联系电话" in again
    assert "怎么称呼" in resident.say(PHONE)


def test_correcting_the_phone_mid_form(resident: CollectingChannel, assistant: Assistant) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")
    resident.say("莲花北社区")
    resident.say(PHONE)
    corrected = resident.say("电话写错了,是 13800138000")
    assert "已改为 138****8000" in corrected
    assert "怎么称呼" in corrected
    resident.say("跳过")
    resident.say("1")
    summary_done = resident.say("1")
    [case] = _cases(assistant)
    assert case.ref in summary_done
    assert assistant.cipher.decrypt(case.phone_enc) == "+8613800138000"
    assert case.name_enc == ""


def test_a_street_instead_of_a_community_lists_its_communities(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")
    choices = resident.say("沙头角街道")
    assert "沙头角街道有这些社区" in choices and "中英街社区" in choices
    assert "不清楚社区,先登记沙头角街道" in choices
    ask_phone = resident.say("2")  # 中英街社区
    assert "联系电话" in ask_phone
    for answer in (PHONE, "跳过", "2"):
        summary = resident.say(answer)
    assert "盐田区 沙头角街道 中英街社区" in summary


def test_a_large_street_asks_for_the_community_name_or_takes_the_street(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")
    ask = resident.say("南山区桃源街道")
    assert "桃源街道有 12 个社区" in ask and "1 不清楚社区,先登记桃源街道" in ask
    assert "联系电话" in resident.say("1")
    for answer in (PHONE, "跳过", "2"):
        summary = resident.say(answer)
    assert "南山区 桃源街道(社区待核实)" in summary


def test_digits_typed_at_the_community_step_are_never_taken_as_a_place(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")
    for _ in range(2):
        again = resident.say("1 3")
        assert "没有找到这个社区" in again


def test_editing_from_the_summary(resident: CollectingChannel, assistant: Assistant) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    for answer in ("1", "莲花北社区", PHONE, "王阿姨", "2"):
        resident.say(answer)
    which = resident.say("2")  # 修改
    assert "要修改哪一项" in which
    resident.say("6")  # 紧急程度
    summary = resident.say("1")  # 紧急
    assert "紧急(今天就需要)" in summary
    resident.say("1")
    assert _cases(assistant)[0].urgency == "high"


def test_a_question_in_the_middle_of_the_form_is_answered_and_the_form_resumes(
    resident: CollectingChannel,
) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")
    reply = resident.say("示范点每个社区资助多少钱?")
    assert "15" in reply and "来源" in reply
    assert "我们接着填写" in reply and "哪个社区" in reply
    assert "联系电话" in resident.say("莲花北社区")


def test_a_crisis_in_the_middle_of_a_form_escalates_at_once(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")
    resident.say("莲花北社区")
    reply = resident.say("我不想活了")
    assert resident.last.action == "crisis"
    assert "110" in reply and "120" in reply and "12356" in reply
    [case] = _cases(assistant)
    assert (case.kind, case.urgency) == ("crisis", "urgent")
    assert case.ref in reply
    assert "莲花北" in case.community  # the partly filled form travels with the urgent case
    assert "政策" in resident.say("你好")  # the form is closed, not waiting


def test_a_resubmission_within_seven_days_links_to_the_open_case(
    resident: CollectingChannel, assistant: Assistant, clock: FakeClock
) -> None:
    _fill_help_request(resident)
    clock.advance(days=2)
    done = _fill_help_request(resident)
    assert "不会重复登记" in done
    cases = _cases(assistant)
    assert len(cases) == 1
    with assistant.sessions() as session:
        links = session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.event == "link"))
        assert links == 1


def test_after_seven_days_a_new_case_is_opened(
    resident: CollectingChannel, assistant: Assistant, clock: FakeClock
) -> None:
    _fill_help_request(resident)
    clock.advance(days=8)
    _fill_help_request(resident)
    assert len(_cases(assistant)) == 2


def test_an_idle_form_times_out_and_can_be_resumed(resident: CollectingChannel, clock: FakeClock) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")
    clock.advance(minutes=45)
    reply = resident.say("你好")
    assert "还没填完" in reply and "继续填写" in reply
    resumed = resident.say("7")  # 继续填写 follows the six menu choices
    assert "哪个社区" in resumed


def test_an_idle_form_can_be_restarted(resident: CollectingChannel, clock: FakeClock) -> None:
    resident.say("我要求助")
    resident.say("1")
    clock.advance(hours=2)
    resident.say("你好")
    restarted = resident.say("8")  # 重新开始
    assert "同意" in restarted


def test_status_shows_only_my_own_cases(resident: CollectingChannel, assistant: Assistant) -> None:
    _fill_help_request(resident)
    [case] = _cases(assistant)
    mine = resident.say("查询进度")
    assert case.ref in mine and "等待处理" in mine

    stranger = CollectingChannel(assistant.handle, user_id="someone-else")
    theirs = stranger.say(f"查询进度 {case.ref}")
    assert case.ref not in theirs.replace(f"编号 {case.ref} 的登记", "")
    assert "没有" in theirs


def test_handoff_creates_a_case_with_the_transcript(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say("你好")
    reply = resident.say("转人工")
    assert resident.last.action == "handoff"
    [case] = _cases(assistant)
    assert case.kind == "handoff" and case.ref in reply and "工作日" in reply
    assert "你好" in assistant.cipher.decrypt(case.transcript_enc)


def test_transcripts_are_encrypted(resident: CollectingChannel, assistant: Assistant) -> None:
    resident.say("我家老人腿脚不好")
    with assistant.sessions() as session:
        for row in session.execute(select(MessageLog)).scalars():
            assert "老人" not in row.text_enc


# --- residents as they really type (QA round): voice input, Traditional and Cantonese, out-of-turn answers


def _to_community_question(resident: CollectingChannel) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")  # 同意


@pytest.mark.parametrize(
    ("said", "noted", "then"),
    [
        ("一三九一二三四五六七八", "已记下联系电话:139****5678", "怎么称呼"),  # voice input: spoken digits
        ("我电话是幺三九 一二三四 五六七八", "已记下联系电话:139****5678", "怎么称呼"),
        ("我姓李", "已记下称呼:李", "联系电话"),
        ("不急", "已记下紧急程度:一般", "联系电话"),  # not a "no" to the question asked
        ("我姓陳", "已記下稱呼:陳", "聯繫電話"),
    ],
)
def test_an_answer_to_a_later_question_at_a_yes_no_guess_is_kept_and_the_guess_asked_again(
    resident: CollectingChannel, said: str, noted: str, then: str
) -> None:
    _to_community_question(resident)
    guess = resident.say("我住在那个莲花北")
    assert "您说的是「福田区 莲花街道 莲花北社区」吗?" in guess
    again = resident.say(said)
    assert noted in again
    assert "莲花北社区」吗?" in again or "蓮花北社區」嗎?" in again
    assert then in resident.say("對" if "記" in noted else "对")  # the kept one is not asked again


def test_a_yes_no_guess_left_unanswered_is_asked_again_before_anything_else(
    resident: CollectingChannel,
) -> None:
    _to_community_question(resident)
    resident.say("我住在那个莲花北")
    resident.say(PHONE)  # kept
    again = resident.say(PHONE)  # typed again: still no answer to the guess
    assert "请先回复 1 是 或 2 不是" in again and "莲花北社区」吗?" in again
    assert "没有找到这个社区" not in again
    assert "怎么称呼" in resident.say("是")


@pytest.mark.parametrize("said", ["张三", "不急", "就是13912345678", "1 3"])
def test_a_name_a_phone_or_digits_are_never_kept_as_an_unverified_community(
    resident: CollectingChannel, said: str
) -> None:
    _to_community_question(resident)
    resident.say("幸福小镇")
    again = resident.say(said)
    assert "未核实" not in again and "请核对" not in again
    assert "社区" in again


@pytest.mark.parametrize("estate", ["碧海花园", "碧海花園"])
def test_an_estate_the_gazetteer_does_not_know_is_kept_unverified_after_one_retry(
    resident: CollectingChannel, estate: str
) -> None:
    _to_community_question(resident)
    resident.say("幸福小镇")
    ask_phone = resident.say(estate)
    assert "电话" in ask_phone or "電話" in ask_phone
    for answer in (PHONE, "跳过"):
        resident.say(answer)
    summary = resident.say("2")
    assert "(未核实)" in summary or "(未核實)" in summary


@pytest.mark.parametrize(
    ("district", "said"),
    [("福田区", "福田区"), ("福田區", "福田區"), ("南山区", "我住南山区")],
)
def test_a_district_alone_asks_for_the_street_or_community(
    resident: CollectingChannel, district: str, said: str
) -> None:
    _to_community_question(resident)
    ask = resident.say(said)
    assert f"{district}有很多社" in ask and "莲花街道" in ask.replace("蓮花街道", "莲花街道")


def test_a_bare_name_shared_by_a_district_is_confirmed_not_taken(resident: CollectingChannel) -> None:
    _to_community_question(resident)
    guess = resident.say("福田")
    assert "您说的是「福田区 福田街道 福田社区」吗?" in guess
    assert "福田区有很多社区" in resident.say("不是") or "哪个社区" in resident.last.replies[-1].text


@pytest.mark.parametrize(
    "question",
    [
        "为什么要我的电话",
        "為什麼要我的電話",
        "點解要我電話",
        "你们要我名字干嘛",
        "我的信息会不会泄露",
        "你们会把我的信息给谁看",
    ],
)
def test_asking_what_the_data_is_for_is_answered_and_the_form_resumes(
    resident: CollectingChannel, question: str
) -> None:
    resident.say("我要求助")
    resident.say("同意")
    reply = resident.say(question)
    assert resident.last.action == "form:help_request"
    assert (
        "365" in reply
        and ("只用于" in reply or "只用於" in reply)
        and "联系电话" in reply.replace("聯繫電話", "联系电话")
    )
    assert "1 老人照护" in reply or "1 老人照護" in reply  # the pending question, still answerable by digit
    assert "没有登记过" not in reply and "沒有登記過" not in reply  # not taken as a status look-up
    assert "情况" in resident.say("1") or "情況" in resident.last.replies[-1].text


@pytest.mark.parametrize("declined", ["不想留电话", "我冇電話", "唔想留", "没有"])
def test_declining_the_phone_says_why_and_offers_a_person(resident: CollectingChannel, declined: str) -> None:
    _to_community_question(resident)
    resident.say("莲花北社区")
    why = resident.say(declined)
    assert ("需要填写" in why or "需要填寫" in why) and ("1 继续填写" in why or "1 繼續填寫" in why)
    assert "2 转人工" in why or "2 轉人工" in why
    resident.say("2")
    assert resident.last.action == "handoff"


def test_the_phone_given_after_declining_is_taken(resident: CollectingChannel) -> None:
    _to_community_question(resident)
    resident.say("莲花北社区")
    resident.say("不想留电话")
    assert "怎么称呼" in resident.say(f"好吧 {PHONE}")


@pytest.mark.parametrize("declined", ["不想说", "唔想講", "不告诉你", "保密", "唔使留名", "不用留名字"])
def test_declining_the_optional_name_skips_it(resident: CollectingChannel, declined: str) -> None:
    _to_community_question(resident)
    resident.say("莲花北社区")
    resident.say(PHONE)
    reply = resident.say(declined)
    assert "跳过" in reply or "跳過" in reply
    summary = resident.say("2")
    assert declined not in summary and ("(未填)" in summary or "(未填)" in summary)


def test_retries_say_the_problem_once_not_twice(resident: CollectingChannel) -> None:
    _to_community_question(resident)
    resident.say("莲花北社区")
    again = resident.say("1391234567")
    assert "11 位" in again and again.count("例如") == 1


@pytest.mark.parametrize(
    ("said", "other", "action"),
    [
        ("我想报名做义工", "改为志愿者报名", "form:volunteer_signup"),
        ("我想報名做義工", "改為志願者報名", "form:volunteer_signup"),
    ],
)
def test_wanting_another_service_mid_form_offers_to_switch_or_carry_on(
    resident: CollectingChannel, said: str, other: str, action: str
) -> None:
    resident.say("我要求助")
    resident.say("同意")
    offer = resident.say(said)
    assert f"1 {other}" in offer and ("2 继续填写求助登记" in offer or "2 繼續填寫求助登記" in offer)
    resident.say("1")
    assert resident.last.action == action and ("同意" in resident.last.replies[-1].text)


def test_carrying_on_after_a_switch_offer_asks_the_same_question(resident: CollectingChannel) -> None:
    resident.say("我要求助")
    resident.say("同意")
    resident.say("我想报名做义工")
    again = resident.say("2")
    assert "哪方面的帮助" in again and "1 老人照护" in again


@pytest.mark.parametrize("said", ["名字写错了,是陈大姐", "称呼改成陈大姐", "名字錯咗,係陳大姐"])
def test_correcting_the_name_mid_form(resident: CollectingChannel, said: str) -> None:
    _to_community_question(resident)
    for answer in ("莲花北社区", PHONE, "叫我陈姐"):
        resident.say(answer)
    corrected = resident.say(said)
    assert "已改为 陈大姐" in corrected or "已改為 陳大姐" in corrected
    assert "紧急" in corrected or "緊急" in corrected  # and the pending question follows


def test_a_help_request_told_in_one_sentence_starts_the_form_with_everything_kept(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    consent = resident.say(f"我家老人摔倒了很急需要人上门看看 我电话{PHONE} 住莲花北社区")
    assert resident.last.action == "form:help_request" and "您同意吗" in consent
    assert "怎么称呼" in resident.say("1")  # need, description, community, phone and urgency were said
    summary = resident.say("王阿姨")
    assert "老人照护" in summary and "莲花北社区" in summary and "紧急(今天就需要)" in summary
    assert PHONE not in summary and summary.count("139****5678") == 2  # masked in the description too
    resident.say("1")
    [case] = _cases(assistant)
    assert case.urgency == "high"


def test_yes_to_the_handoff_offer_after_three_failures_hands_off(resident: CollectingChannel) -> None:
    _to_community_question(resident)
    resident.say("莲花北社区")
    for bad in ("1391234567", "abc", "12345"):
        offer = resident.say(bad)
    assert "需要我帮您转给工作人员吗" in offer
    resident.say("好")
    assert resident.last.action == "handoff"


def test_a_question_the_pack_cannot_answer_mid_form_is_recorded_and_offers_no_dead_choices(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    _to_community_question(resident)
    reply = resident.say("低保每个月能领多少钱?")
    assert "已记下转给工作人员" in reply and "回复数字选择" not in reply
    assert reply.rstrip().endswith("例如:莲花北社区。")  # the community question, nothing to pick
    with assistant.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM unanswered_questions")).scalar_one() == 1
    assert "联系电话" in resident.say("莲花北社区")


@pytest.mark.parametrize(
    ("answer", "next_question"), [("莲花北社区", "联系电话"), ("蓮花北社區", "聯繫電話")]
)
def test_an_answer_typed_on_return_after_the_idle_time_out_carries_on(
    resident: CollectingChannel, clock: FakeClock, answer: str, next_question: str
) -> None:
    _to_community_question(resident)
    clock.advance(minutes=45)
    back = resident.say(answer)
    assert ("欢迎回来" in back or "歡迎回來" in back) and next_question in back
    assert "没听明白" not in back and "政策咨询" not in back


def test_a_description_that_mentions_a_phone_is_a_description_not_a_privacy_question(
    resident: CollectingChannel,
) -> None:
    resident.say("我要求助")
    resident.say("同意")
    resident.say("6")  # 纠纷调解
    reply = resident.say("楼上天天漏水,不知道为什么物业的电话总是打不通,想请社区帮忙调解")
    assert "哪个社区" in reply and "只用于" not in reply


@pytest.mark.parametrize("said", ["算了", "取消登记", "算了吧", "唔要喇", "算了吧不弄了"])
def test_cancelling_in_the_words_residents_use(
    resident: CollectingChannel, assistant: Assistant, said: str
) -> None:
    _to_community_question(resident)
    assert "已取消" in resident.say(said) or "已取消" in resident.last.replies[0].text.replace(
        "已取消", "已取消"
    )
    assert _cases(assistant) == []


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("急", "紧急(今天就需要)"),
        ("好急", "紧急(今天就需要)"),
        ("不急", "紧急程度:一般"),
        ("唔急", "紧急程度:一般"),
    ],
)
def test_urgency_in_one_word(resident: CollectingChannel, said: str, shown: str) -> None:
    _to_community_question(resident)
    for answer in ("莲花北社区", PHONE, "跳过"):
        resident.say(answer)
    assert shown in resident.say(said)
