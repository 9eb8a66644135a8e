"""A resident asks for help: consent, the form, the case (issue 6)."""

from __future__ import annotations

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


def test_a_full_help_request_ends_in_a_case_with_a_reference(resident: CollectingChannel, assistant: Assistant) -> None:
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


def test_no_phone_or_name_is_stored_in_plain_text_anywhere(resident: CollectingChannel, assistant: Assistant) -> None:
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


def test_a_question_in_the_middle_of_the_form_is_answered_and_the_form_resumes(resident: CollectingChannel) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")
    reply = resident.say("示范点每个社区资助多少钱?")
    assert "15" in reply and "来源" in reply
    assert "我们接着填写" in reply and "哪个社区" in reply
    assert "联系电话" in resident.say("莲花北社区")


def test_a_crisis_in_the_middle_of_a_form_escalates_at_once(resident: CollectingChannel, assistant: Assistant) -> None:
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


def test_after_seven_days_a_new_case_is_opened(resident: CollectingChannel, assistant: Assistant, clock: FakeClock) -> None:
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


def test_handoff_creates_a_case_with_the_transcript(resident: CollectingChannel, assistant: Assistant) -> None:
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
