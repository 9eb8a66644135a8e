"""Answers that leave outside the passive reply: retries, the 5-second deadline, long replies, staff replies.

The fake WeChat API records every call, so each test asserts the exact payloads sent.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from adapters.wechat import WeChatChannel
from adapters.wechat_replies import CUSTOM_LIMIT, PASSIVE_LIMIT
from adapters.wechat_window import last_inbound_lookup
from bot.assistant import Assistant
from bot.cli import build_web_app
from bot.http_app import create_app
from bot.messages import Handler, InboundMessage, TurnOutcome
from bot.models import Case, MessageLog, OutboundMessage
from bot.outbound import Delivery
from bot.settings import Settings, WeChatSettings
from bot.shared_store import SharedStore
from dialogs.replies import Choice, Reply
from tests.support.clock import FakeClock
from tests.support.fake_wechat import (
    APP_ID,
    APP_SECRET,
    RESIDENT,
    TOKEN,
    FakeWeChatServer,
    WeChatPush,
    WeChatResident,
    guard_network,
)

TEMPLATE_ID = "Tm9GZpLq3sX8vB1nC4dE7fH0jK2mP5rS8tU1wY4zA7c"
CASE_REF = re.compile(r"HR-\d{8}-\d{4}")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChatServer]:
    guard_network(monkeypatch)
    with FakeWeChatServer() as fake:
        yield fake
    assert fake.unexpected == []


def wechat_settings(server: FakeWeChatServer, **changes: object) -> WeChatSettings:
    base = WeChatSettings(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, api_base=server.api_base)
    return replace(base, **changes)  # type: ignore[arg-type]


@contextmanager
def channel_app(
    assistant: Assistant, channel_settings: WeChatSettings, handle: Handler, **options: object
) -> Iterator[tuple[TestClient, WeChatChannel]]:
    """The app with a WeChat channel assembled as bot/cli.py does, with a chosen handler and options."""
    options = {"clock": assistant.clock, **options}
    channel = WeChatChannel(
        channel_settings,
        handle,
        shared=SharedStore(assistant.sessions, clock=assistant.clock),
        max_body=assistant.settings.max_body_bytes,
        **options,  # type: ignore[arg-type]
    )
    assistant.outbox.register(channel.name, channel.sender())
    with TestClient(create_app(assistant, routers=[channel.router()])) as client:
        yield client, channel


@pytest.fixture
def push(clock: FakeClock) -> WeChatPush:
    """WeChat signing its callbacks at the assistant's time (the channel checks timestamps against it)."""
    return WeChatPush(now=lambda: clock().timestamp())


def count(assistant: Assistant, model: type, *where: object) -> int:
    with assistant.sessions() as session:
        query = select(func.count()).select_from(model)
        if where:
            query = query.where(*where)  # type: ignore[arg-type]
        return int(session.scalar(query) or 0)


def outbound(assistant: Assistant) -> list[tuple[str, str, str]]:
    with assistant.sessions() as session:
        rows = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
        return [(row.text, row.status, row.detail) for row in rows]


def transcript_out(assistant: Assistant) -> list[str]:
    with assistant.sessions() as session:
        rows = session.scalars(
            select(MessageLog).where(MessageLog.direction == "out").order_by(MessageLog.id)
        )
        return [assistant.cipher.decrypt(row.text_enc) for row in rows]


# --- retries and the deadline -------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda resident: resident.message("text", content="我要转人工"),
        lambda resident: resident.message("click", key="HUMAN"),
    ],
    ids=["text with MsgId", "menu click without MsgId"],
)
def test_a_retry_storm_yields_one_case_and_one_answer(
    assistant: Assistant, server: FakeWeChatServer, build: Callable[[WeChatResident], str], push: WeChatPush
) -> None:
    channel: WeChatChannel

    def first_waits_for_the_copies(message: InboundMessage) -> TurnOutcome:
        # Hold the first copy until both retries are waiting on it, so the three really overlap.
        assert channel.in_flight.wait_for_waiters(message.message_id, 2, timeout=30)
        return assistant.handle(message)

    with channel_app(assistant, wechat_settings(server), first_waits_for_the_copies) as (client, channel):
        resident = WeChatResident(client, push)
        request = resident.sign(build(resident))
        with ThreadPoolExecutor(max_workers=3) as pool:
            responses = list(
                pool.map(
                    lambda _: client.post("/wechat", params=request.params, content=request.body), range(3)
                )
            )

    assert [r.status_code for r in responses] == [200, 200, 200]
    answers = [resident.answer(r) for r in responses]
    replies = [a for a in answers if a is not None]
    assert len(replies) == 1 and answers.count(None) == 2
    assert replies[0]["Content"].startswith("好的,已为您转人工,编号 HR-")
    assert count(assistant, Case) == 1
    assert count(assistant, MessageLog, MessageLog.direction == "in") == 1
    assert server.requests == []  # nothing went out through the customer-service API


def test_copies_reaching_two_workers_open_one_case(
    settings: Settings,
    assistant: Assistant,
    server: FakeWeChatServer,
    push: WeChatPush,
    clock: FakeClock,
    interpreter,  # type: ignore[no-untyped-def]
    knowledge,  # type: ignore[no-untyped-def]
    guide,  # type: ignore[no-untyped-def]
) -> None:
    # A second worker process: its own assistant, engine and channel on the same database.
    other = Assistant.build(settings, interpreter=interpreter, knowledge=knowledge, guide=guide, clock=clock)
    both_running = threading.Barrier(2, timeout=30)

    def together(worker: Assistant) -> Handler:
        def handle(message: InboundMessage) -> TurnOutcome:
            both_running.wait()  # both turns really run at once
            return worker.handle(message)

        return handle

    try:
        with (
            channel_app(assistant, wechat_settings(server), together(assistant)) as (first, _),
            channel_app(other, wechat_settings(server), together(other)) as (second, _),
        ):
            resident = WeChatResident(first, push)
            request = resident.sign(resident.message("text", content="我要转人工"))
            with ThreadPoolExecutor(max_workers=2) as pool:
                responses = list(
                    pool.map(
                        lambda client: client.post("/wechat", params=request.params, content=request.body),
                        (first, second),
                    )
                )
    finally:
        other.close()
    answers = [resident.answer(response) for response in responses]
    assert all(answer is not None for answer in answers)
    # Each worker answers its own copy (WeChat reads only the answer to the copy it waits for):
    # the same words, from one stored turn.
    assert answers[0]["Content"] == answers[1]["Content"]  # type: ignore[index]
    assert answers[0]["Content"].startswith("好的,已为您转人工,编号 HR-")  # type: ignore[index]
    assert count(assistant, Case) == 1
    assert count(assistant, MessageLog, MessageLog.direction == "in") == 1
    assert len(transcript_out(assistant)) == 1
    assert server.requests == []


def test_a_slow_answer_goes_out_once_through_the_customer_service_api(
    assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    release = threading.Event()

    def slow(message: InboundMessage) -> TurnOutcome:
        assert release.wait(timeout=30)
        return assistant.handle(message)

    with channel_app(assistant, wechat_settings(server, reply_deadline=0.2), slow) as (client, _channel):
        resident = WeChatResident(client, push)
        xml = resident.message("text", content="示范点每个社区资助多少钱?")
        assert resident.post(xml).text == "success"  # past the deadline: WeChat must not wait
        assert resident.post(xml).text == "success"  # WeChat's retry while the turn still runs
        release.set()
        (sent,) = server.wait_for("message/custom/send", 1)
        assert resident.post(xml).text == "success"  # a late retry: already answered
    # Leaving the app waited for every pending delivery: still exactly one message.
    (answer,) = transcript_out(assistant)
    assert "15万元" in answer
    assert sent.body == {"touser": RESIDENT, "msgtype": "text", "text": {"content": answer}}
    assert server.sent_texts() == [(RESIDENT, answer)]
    assert count(assistant, MessageLog, MessageLog.direction == "in") == 1


def test_a_turn_that_fails_is_left_to_wechats_retry(
    assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    calls: list[str] = []

    def flaky(message: InboundMessage) -> TurnOutcome:
        calls.append(message.message_id)
        if len(calls) == 1:
            raise RuntimeError("database briefly unavailable")
        return assistant.handle(message)

    with channel_app(assistant, wechat_settings(server), flaky) as (client, _channel):
        resident = WeChatResident(client, push)
        xml = resident.message("text", content="我要转人工")
        assert resident.post(xml).status_code == 500
        fields = resident.answer(resident.post(xml))
    assert fields is not None and fields["Content"].startswith("好的,已为您转人工")
    assert count(assistant, Case) == 1


def test_copies_waiting_on_a_turn_that_fails_are_not_answered_success(
    assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    # "success" would end WeChat's retries with nothing stored and nobody answered.
    channel: WeChatChannel
    calls: list[str] = []

    def fails_once_the_copy_waits(message: InboundMessage) -> TurnOutcome:
        calls.append(message.message_id)
        if len(calls) == 1:
            assert channel.in_flight.wait_for_waiters(message.message_id, 1, timeout=30)
            raise RuntimeError("database briefly unavailable")
        return assistant.handle(message)

    with channel_app(assistant, wechat_settings(server), fails_once_the_copy_waits) as (client, channel):
        resident = WeChatResident(client, push)
        request = resident.sign(resident.message("text", content="我要转人工"))
        with ThreadPoolExecutor(max_workers=2) as pool:
            storm = list(
                pool.map(
                    lambda _: client.post("/wechat", params=request.params, content=request.body), range(2)
                )
            )
        assert [r.status_code for r in storm] == [500, 500]
        assert count(assistant, Case) == 0
        last_retry = resident.answer(client.post("/wechat", params=request.params, content=request.body))
    assert last_retry is not None and last_retry["Content"].startswith("好的,已为您转人工")
    assert count(assistant, Case) == 1


# --- long replies -------------------------------------------------------------------------------

PARAGRAPH = [f"{i}. 社区长者饭堂每天中午供应午餐,请带身份证到社区党群服务中心登记。" for i in range(1, 61)]


def long_answer(message: InboundMessage) -> TurnOutcome:
    replies = (
        Reply("\n".join(PARAGRAPH)),
        Reply(
            "还想了解什么?请回复数字选择:",
            (Choice("1", "政策咨询", "/menu policy"), Choice("2", "转人工", "/handoff")),
        ),
    )
    return TurnOutcome(
        replies=replies, text=message.text, intent="ask_policy", confidence=1.0, action="answer"
    )


def test_a_long_answer_is_split_and_the_rest_follows_as_customer_service_messages(
    assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    with channel_app(assistant, wechat_settings(server), long_answer) as (client, _channel):
        resident = WeChatResident(client, push)
        fields = resident.answer(resident.send("text", content="长者饭堂怎么登记?"))
        assert fields is not None
        server.wait_for("message/custom/send", 2)
    passive = fields["Content"]
    rest = [content for _openid, content in server.sent_texts()]
    assert len(passive.encode("utf-8")) <= PASSIVE_LIMIT
    assert all(len(part.encode("utf-8")) <= CUSTOM_LIMIT for part in rest)
    # Every line arrives once and in order; the question stays with its numbered choices.
    sent_lines = [line for part in (passive, *rest) for line in part.split("\n") if line]
    assert sent_lines == [*PARAGRAPH, "还想了解什么?请回复数字选择:", "1 政策咨询", "2 转人工"]
    assert passive.startswith("1. 社区长者饭堂")
    assert rest[-1].endswith("还想了解什么?请回复数字选择:\n1 政策咨询\n2 转人工")


# --- staff replies and status changes -----------------------------------------------------------


@contextmanager
def cli_app(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, **changes: object
) -> Iterator[TestClient]:
    """The app exactly as `python -m bot serve` builds it (bot.cli.build_web_app)."""
    app_settings = replace(settings, wechat=wechat_settings(server, **changes))
    with TestClient(build_web_app(app_settings, assistant)) as client:
        yield client


def hand_off(resident: WeChatResident) -> str:
    answer = resident.says("我要转人工")
    found = CASE_REF.search(answer)
    assert found is not None, answer
    return found.group()


def test_a_staff_reply_reaches_the_resident_through_the_customer_service_api(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    with cli_app(settings, assistant, server) as client:
        ref = hand_off(WeChatResident(client, push))
        result = asyncio.run(
            assistant.staff.reply(ref=ref, text="您好,我们明天上午十点给您打电话。", actor="社工小李")
        )
    message = f"【社区工作人员回复】{ref}:您好,我们明天上午十点给您打电话。"
    assert result.delivery == Delivery("delivered", "customer-service message")
    (call,) = server.calls("message/custom/send")
    assert call.body == {"touser": RESIDENT, "msgtype": "text", "text": {"content": message}}
    assert call.query == {"access_token": "ACCESS_TOKEN_1"}
    assert outbound(assistant) == [(message, "delivered", "customer-service message")]


def test_a_status_change_is_told_to_the_resident(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    with cli_app(settings, assistant, server) as client:
        ref = hand_off(WeChatResident(client, push))
        result = asyncio.run(assistant.staff.set_status(ref=ref, status="in_progress", actor="社工小李"))
    assert result.delivery.status == "delivered"
    assert server.sent_texts() == [(RESIDENT, f"您的登记 {ref} 有新进度:正在处理。")]


def test_a_resident_who_writes_traditional_hears_from_staff_in_traditional(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    with cli_app(settings, assistant, server) as client:
        answer = WeChatResident(client, push).says("我要轉人工,唔該")
        found = CASE_REF.search(answer)
        assert found is not None, answer
        asyncio.run(assistant.staff.reply(ref=found.group(), text="我们明天给您打电话。", actor="社工小李"))
    assert server.sent_texts() == [(RESIDENT, f"【社區工作人員回覆】{found.group()}:我們明天給您打電話。")]


def test_when_wechat_says_the_window_is_closed_a_template_message_is_sent(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, clock: FakeClock, push: WeChatPush
) -> None:
    with cli_app(settings, assistant, server, template_id=TEMPLATE_ID) as client:
        ref = hand_off(WeChatResident(client, push))
        server.close_window(RESIDENT)
        result = asyncio.run(assistant.staff.reply(ref=ref, text="材料已收到。", actor="社工小李"))
    assert result.delivery.status == "delivered"
    assert len(server.calls("message/custom/send")) == 1  # refused with 45015
    (template,) = server.calls("message/template/send")
    assert template.body["touser"] == RESIDENT and template.body["template_id"] == TEMPLATE_ID


def test_when_wechat_says_the_window_is_closed_and_no_template_is_set_it_is_recorded(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    with cli_app(settings, assistant, server) as client:
        ref = hand_off(WeChatResident(client, push))
        server.close_window(RESIDENT)
        result = asyncio.run(assistant.staff.reply(ref=ref, text="材料已收到。", actor="社工小李"))
    assert result.delivery.status == "not_delivered"
    assert "45015" in result.delivery.detail and "WECHAT_TEMPLATE_ID" in result.delivery.detail
    ((_text, status, detail),) = outbound(assistant)
    assert (status, detail) == ("not_delivered", result.delivery.detail)
    assert server.calls("message/template/send") == []


def test_a_resident_who_unfollowed_is_recorded_as_not_reached(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    with cli_app(settings, assistant, server, template_id=TEMPLATE_ID) as client:
        ref = hand_off(WeChatResident(client, push))
        server.unsubscribe(RESIDENT)
        result = asyncio.run(assistant.staff.reply(ref=ref, text="材料已收到。", actor="社工小李"))
    assert result.delivery == Delivery("not_delivered", "居民已取消关注公众号 (43004)")


def test_a_platform_failure_is_recorded_as_failed(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    with cli_app(settings, assistant, server) as client:
        ref = hand_off(WeChatResident(client, push))
        server.fail_next("message/custom/send", 45009, "reach max api daily quota limit")
        result = asyncio.run(assistant.staff.reply(ref=ref, text="材料已收到。", actor="社工小李"))
    assert result.delivery.status == "failed"
    assert "45009" in result.delivery.detail
    assert [status for _text, status, _detail in outbound(assistant)] == ["failed"]


# --- the 48-hour window, known from the transcript ----------------------------------------------


@contextmanager
def windowed_app(
    assistant: Assistant, server: FakeWeChatServer, clock: FakeClock, **changes: object
) -> Iterator[WeChatResident]:
    """The channel wired with `last_seen` from the transcript and the assistant's clock."""
    with channel_app(
        assistant,
        wechat_settings(server, **changes),
        assistant.handle,
        last_seen=last_inbound_lookup(assistant.sessions),
        clock=clock,
    ) as (client, _channel):
        yield WeChatResident(client, WeChatPush(now=lambda: clock().timestamp()))


def test_within_48_hours_staff_reply_by_customer_service_message(
    assistant: Assistant, server: FakeWeChatServer, clock: FakeClock
) -> None:
    with windowed_app(assistant, server, clock, template_id=TEMPLATE_ID) as resident:
        ref = hand_off(resident)
        clock.advance(hours=47)
        result = asyncio.run(assistant.staff.reply(ref=ref, text="材料已收到。", actor="社工小李"))
    assert result.delivery.status == "delivered"
    assert server.sent_texts() == [(RESIDENT, f"【社区工作人员回复】{ref}:材料已收到。")]
    assert server.calls("message/template/send") == []


def test_after_48_hours_a_template_message_is_sent_instead(
    assistant: Assistant, server: FakeWeChatServer, clock: FakeClock
) -> None:
    with windowed_app(assistant, server, clock, template_id=TEMPLATE_ID) as resident:
        ref = hand_off(resident)
        clock.advance(hours=49)
        result = asyncio.run(assistant.staff.reply(ref=ref, text="材料已收到。", actor="社工小李"))
    assert result.delivery == Delivery("delivered", "template message (outside the 48-hour window)")
    assert server.calls("message/custom/send") == []  # not even tried: WeChat would refuse it
    (template,) = server.calls("message/template/send")
    assert template.body == {
        "touser": RESIDENT,
        "template_id": TEMPLATE_ID,
        "data": {
            "thing1": {"value": f"【社区工作人员回复】{ref}"[:19] + "…"},
            "time2": {"value": "2026年11月25日 11:00"},
        },
    }
    assert outbound(assistant)[0][1:] == ("delivered", "template message (outside the 48-hour window)")


def test_after_48_hours_without_a_template_the_reply_is_recorded_as_not_delivered(
    assistant: Assistant, server: FakeWeChatServer, clock: FakeClock
) -> None:
    with windowed_app(assistant, server, clock) as resident:
        ref = hand_off(resident)
        clock.advance(hours=49)
        result = asyncio.run(assistant.staff.reply(ref=ref, text="材料已收到。", actor="社工小李"))
    assert result.delivery.status == "not_delivered"
    assert "48小时" in result.delivery.detail
    assert [c.endpoint for c in server.requests] == []  # no API call at all
    ((text, status, _detail),) = outbound(assistant)
    assert (text, status) == (f"【社区工作人员回复】{ref}:材料已收到。", "not_delivered")


def test_the_window_counts_from_the_last_message_or_menu_click(
    assistant: Assistant, server: FakeWeChatServer, clock: FakeClock
) -> None:
    last_seen = last_inbound_lookup(assistant.sessions)
    assert last_seen(RESIDENT) is None
    with windowed_app(assistant, server, clock) as resident:
        hand_off(resident)
        clock.advance(hours=30)
        assert resident.answer(resident.send("click", key="STATUS")) is not None
    assert last_seen(RESIDENT) == clock()
    assert last_seen("oSomebodyElse0000000000000000") is None
