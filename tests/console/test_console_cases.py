"""Cases filed through the real pipeline, then reviewed and acted on by staff in the console."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.models import CaseEvent, OutboundMessage, PiiReveal
from tests.console.conftest import RecordingSender, SharedConsole
from tests.console.support import (
    NAME,
    PHONE,
    SUPERVISOR,
    file_help_request,
    hand_off,
    log_in,
    raise_crisis,
)
from tests.support.clock import FakeClock

_ROW_REFS = re.compile(r'<td><a href="/console/cases/([A-Z]{2}-\d{8}-\d{4})">')


def _refs_on(html: str) -> list[str]:
    return _ROW_REFS.findall(html)


def _resident(assistant: Assistant, n: int) -> CollectingChannel:
    return CollectingChannel(assistant.handle, user_id=f"resident-{n}")


def test_the_list_masks_names_and_phones(client: TestClient, resident: CollectingChannel) -> None:
    ref = file_help_request(resident)
    log_in(client)
    page = client.get("/console/cases").text
    assert ref in page and "王**" in page and "139****5678" in page
    assert PHONE not in page and NAME not in page


def test_the_case_page_masks_details_and_transcript(client: TestClient, resident: CollectingChannel) -> None:
    ref = file_help_request(resident)
    log_in(client)
    page = client.get(f"/console/cases/{ref}").text
    assert "老人照护" in page and "莲花北社区" in page and "腿脚不好" in page  # the transcript is there
    assert "王**" in page and "139****5678" in page
    assert PHONE not in page and NAME not in page and "+86" not in page


def test_crisis_and_urgent_cases_come_first_and_are_highlighted(
    client: TestClient, assistant: Assistant, clock: FakeClock
) -> None:
    normal = file_help_request(_resident(assistant, 1))
    clock.advance(minutes=1)
    urgent_help = file_help_request(_resident(assistant, 2), phone="13800001111", urgent=True)
    clock.advance(minutes=1)
    crisis = raise_crisis(_resident(assistant, 3))
    clock.advance(minutes=1)
    handoff = hand_off(_resident(assistant, 4))
    log_in(client)
    page = client.get("/console/cases").text
    assert _refs_on(page) == [crisis, urgent_help, handoff, normal]
    crisis_row = page[page.index(f"/console/cases/{crisis}") - 200 : page.index(f"/console/cases/{crisis}")]
    assert 'class="urgent"' in crisis_row
    assert "紧急求助" in page and "危急" in page


def test_finished_cases_leave_the_default_list_and_stay_under_all(
    client: TestClient, assistant: Assistant, resident: CollectingChannel
) -> None:
    ref = hand_off(resident)
    csrf = log_in(client)
    client.post(f"/console/cases/{ref}/status", data={"csrf": csrf, "to_status": "rejected"})
    assert _refs_on(client.get("/console/cases").text) == []
    assert _refs_on(client.get("/console/cases?status=all").text) == [ref]
    assert _refs_on(client.get("/console/cases?status=rejected").text) == [ref]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=help", ["help"]),
        ("kind=crisis", ["crisis"]),
        ("urgency=urgent", ["crisis"]),
        ("urgency=normal", ["handoff", "help"]),
        ("community=莲花北", ["help"]),  # Simplified
        ("community=蓮花北", ["help"]),  # Traditional
        ("community=福田區蓮花", ["help"]),  # Hong Kong characters, part of the name
        ("community=南山", []),
        ("date_from=2026-11-25", ["crisis", "handoff"]),
        ("date_to=2026-11-23", ["help"]),
        ("date_from=2026-11-24&date_to=2026-11-25", ["crisis"]),
        ("date_from=not-a-date", ["crisis", "handoff", "help"]),
        ("kind=evil&urgency=%27--", ["crisis", "handoff", "help"]),
    ],
)
def test_filters(shared_console: SharedConsole, query: str, expected: list[str]) -> None:
    client = shared_console.client()
    log_in(client)
    page = client.get(f"/console/cases?status=all&{query}")
    assert page.status_code == 200
    assert sorted(_refs_on(page.text)) == sorted(shared_console.refs[k] for k in expected)


@pytest.mark.parametrize(
    "query",
    [
        "HR-20261123-0001",
        "hr 20261123 0001",
        "ＨＲ－２０２６１１２３－０００１",
        "20261123-0001",
        "139 1234 5678",
        "+86 13912345678",
    ],
    ids=["exact", "loose", "full-width", "part", "phone", "phone-with-code"],
)
def test_search_by_reference_or_phone(shared_console: SharedConsole, query: str) -> None:
    client = shared_console.client()
    log_in(client)
    page = client.get("/console/cases", params={"status": "all", "q": query}).text
    assert _refs_on(page) == [shared_console.refs["help"]]


def test_pages_of_twenty(client: TestClient, assistant: Assistant, clock: FakeClock) -> None:
    refs = []
    for n in range(23):
        refs.append(hand_off(_resident(assistant, n)))
        clock.advance(minutes=1)
    log_in(client)
    first = client.get("/console/cases").text
    assert len(_refs_on(first)) == 20 and "共 23 条,第 1 / 2 页" in first and "下一页" in first
    second = client.get("/console/cases?page=2").text
    assert _refs_on(second) == list(reversed(refs))[20:] and "上一页" in second
    assert _refs_on(client.get("/console/cases?page=99").text) == _refs_on(second)
    assert _refs_on(client.get("/console/cases?page=x").text) == _refs_on(first)


def test_revealing_needs_a_reason_and_is_logged(
    client: TestClient, assistant: Assistant, resident: CollectingChannel
) -> None:
    ref = file_help_request(resident)
    csrf = log_in(client)
    refused = client.post(
        f"/console/cases/{ref}/reveal", data={"csrf": csrf, "field": "phone", "reason": " "}
    )
    assert (
        refused.status_code == 400
        and "请写明查看原因" in refused.text
        and "+8613912345678" not in refused.text
    )

    shown = client.post(
        f"/console/cases/{ref}/reveal", data={"csrf": csrf, "field": "phone", "reason": "电话回访居民"}
    )
    assert shown.status_code == 200 and "+8613912345678" in shown.text
    assert NAME not in shown.text  # only the field asked for
    name = client.post(
        f"/console/cases/{ref}/reveal", data={"csrf": csrf, "field": "name", "reason": "核實身份"}
    )
    assert NAME in name.text
    assert PHONE not in client.get(f"/console/cases/{ref}").text  # the next page is masked again

    with assistant.sessions() as session:
        log = session.execute(select(PiiReveal).order_by(PiiReveal.id)).scalars().all()
    assert [(r.staff, r.field, r.reason) for r in log] == [
        ("wang", "phone", "电话回访居民"),
        ("wang", "name", "核實身份"),
    ]
    assert all(r.created_at is not None for r in log)


@pytest.mark.parametrize("field", ["phone_enc", "transcript", ""])
def test_only_name_and_phone_can_be_revealed(shared_console: SharedConsole, field: str) -> None:
    client = shared_console.client()
    ref = shared_console.refs["help"]
    csrf = log_in(client)
    response = client.post(
        f"/console/cases/{ref}/reveal", data={"csrf": csrf, "field": field, "reason": "回访"}
    )
    assert response.status_code == 400 and "+8613912345678" not in response.text
    with shared_console.assistant.sessions() as session:
        assert session.execute(select(PiiReveal)).first() is None


def test_nothing_is_revealed_or_logged_when_the_case_has_no_such_value(
    client: TestClient, assistant: Assistant, resident: CollectingChannel
) -> None:
    ref = hand_off(resident)  # a hand-off keeps no name or phone
    csrf = log_in(client)
    assert "查看会记录" not in client.get(f"/console/cases/{ref}").text  # no reveal form at all
    response = client.post(
        f"/console/cases/{ref}/reveal", data={"csrf": csrf, "field": "phone", "reason": "回访"}
    )
    assert response.status_code == 400 and "没有留下" in response.text
    with assistant.sessions() as session:
        assert session.execute(select(PiiReveal)).first() is None


def test_the_audit_page_shows_who_revealed_what_when_and_why(
    client: TestClient, resident: CollectingChannel
) -> None:
    ref = file_help_request(resident)
    csrf = log_in(client)
    client.post(
        f"/console/cases/{ref}/reveal", data={"csrf": csrf, "field": "phone", "reason": "安排上门服务"}
    )
    client.cookies.clear()
    log_in(client, SUPERVISOR)
    page = client.get("/console/audit").text
    assert (
        "wang" in page
        and ref in page
        and "电话" in page
        and "安排上门服务" in page
        and "2026-11-23 10:00" in page
    )
    assert PHONE not in page
    assert "安排上门服务" in client.get("/console/audit?who=wang").text
    assert "安排上门服务" not in client.get("/console/audit?who=li.supervisor").text


def test_a_status_change_is_recorded_with_its_actor_and_told_to_the_resident(
    client: TestClient, assistant: Assistant, resident: CollectingChannel, sender: RecordingSender
) -> None:
    ref = file_help_request(resident)
    csrf = log_in(client)
    response = client.post(
        f"/console/cases/{ref}/status",
        data={"csrf": csrf, "to_status": "in_progress", "note": "明天上午上门"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/cases/{ref}?done=status&delivery=delivered"
    assert sender.sent == [("resident-1", f"您的登记 {ref} 有新进度:正在处理。\n明天上午上门")]
    page = client.get(response.headers["location"]).text
    assert "状态已更新,已通知居民。 送达结果:已送达" in page and "新登记 → 处理中" in page
    with assistant.sessions() as session:
        event = session.execute(select(CaseEvent).where(CaseEvent.event == "status")).scalar_one()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "new",
        "in_progress",
        "wang",
        "明天上午上门",
    )
    assert "正在处理" in resident.say("查询进度")  # the resident sees it too


@pytest.mark.parametrize(
    ("steps", "role_login", "to_status", "allowed"),
    [
        ((), "staff", "new", False),  # not a move
        ((), "staff", "bogus", False),
        (("closed",), "staff", "in_progress", False),  # reopening is for supervisors
        (("closed",), "supervisor", "in_progress", True),
        (("resolved",), "staff", "closed", True),
        (("rejected",), "staff", "acknowledged", False),
    ],
)
def test_the_workflow_decides_which_moves_are_allowed(
    client: TestClient,
    resident: CollectingChannel,
    sender: RecordingSender,
    steps: tuple[str, ...],
    role_login: str,
    to_status: str,
    allowed: bool,
) -> None:
    ref = hand_off(resident)
    csrf = log_in(client)
    for step in steps:
        assert (
            client.post(f"/console/cases/{ref}/status", data={"csrf": csrf, "to_status": step}).status_code
            == 303
        )
    if role_login == "supervisor":
        client.cookies.clear()
        csrf = log_in(client, SUPERVISOR)
    sent_before = len(sender.sent)
    response = client.post(f"/console/cases/{ref}/status", data={"csrf": csrf, "to_status": to_status})
    assert (response.status_code == 303) is allowed
    assert len(sender.sent) == sent_before + (1 if allowed else 0)
    if not allowed:
        assert "不能从" in response.text


def test_a_reply_reaches_the_resident_and_its_delivery_is_shown(
    client: TestClient, assistant: Assistant, resident: CollectingChannel, sender: RecordingSender
) -> None:
    ref = hand_off(resident)
    csrf = log_in(client)
    response = client.post(
        f"/console/cases/{ref}/reply", data={"csrf": csrf, "text": "您好,我是社工小王,下午给您回电话。"}
    )
    assert response.status_code == 303
    assert sender.sent == [("resident-1", f"【社区工作人员回复】{ref}:您好,我是社工小王,下午给您回电话。")]
    page = client.get(response.headers["location"]).text
    assert "回复已发出。 送达结果:已送达" in page and "下午给您回电话" in page
    with assistant.sessions() as session:
        event = session.execute(select(CaseEvent).where(CaseEvent.event == "staff_reply")).scalar_one()
        delivery = session.execute(select(OutboundMessage)).scalar_one()
    assert event.actor == "wang" and delivery.status == "delivered"


def test_a_failed_delivery_is_shown_as_failed(
    client: TestClient, assistant: Assistant, resident: CollectingChannel
) -> None:
    class Broken:
        async def send(self, user_id: str, replies: object) -> object:
            raise ConnectionError("platform down")

    assistant.outbox.register("test", Broken())  # type: ignore[arg-type]
    ref = hand_off(resident)
    csrf = log_in(client)
    response = client.post(f"/console/cases/{ref}/reply", data={"csrf": csrf, "text": "您好"})
    page = client.get(response.headers["location"]).text
    assert "送达结果:发送失败" in page and "platform down" in page


def test_an_empty_reply_or_note_is_refused(
    client: TestClient, resident: CollectingChannel, sender: RecordingSender
) -> None:
    ref = hand_off(resident)
    csrf = log_in(client)
    assert client.post(f"/console/cases/{ref}/reply", data={"csrf": csrf, "text": "  "}).status_code == 400
    assert client.post(f"/console/cases/{ref}/note", data={"csrf": csrf, "note": ""}).status_code == 400
    assert sender.sent == []


@pytest.mark.parametrize(
    ("note", "stored"),
    [
        ("家属电话13800001111,已联系", "家属电话138****1111,已联系"),  # Simplified
        ("家屬電話 138 0000 1111,已聯繫", "家屬電話 138****1111,已聯繫"),  # Traditional
        ("佢個仔電話係91234567", "佢個仔電話係****4567"),  # Cantonese, a Hong Kong number
    ],
)
def test_a_note_is_internal_and_stored_without_clear_phone_numbers(
    client: TestClient,
    assistant: Assistant,
    resident: CollectingChannel,
    sender: RecordingSender,
    note: str,
    stored: str,
) -> None:
    ref = hand_off(resident)
    csrf = log_in(client)
    response = client.post(f"/console/cases/{ref}/note", data={"csrf": csrf, "note": note})
    assert response.status_code == 303 and response.headers["location"] == f"/console/cases/{ref}?done=note"
    assert sender.sent == []
    with assistant.engine.connect() as connection:
        notes = [
            row.note
            for row in connection.execute(text("SELECT note, actor FROM case_events WHERE event='note'"))
        ]
    assert notes == [stored]


def test_an_unknown_reference_is_a_404_page(shared_console: SharedConsole) -> None:
    client = shared_console.client()
    log_in(client)
    for path in ("/console/cases/HR-20990101-0001", "/console/cases/../../etc"):
        response = client.get(path)
        assert response.status_code == 404


def test_a_volunteer_case_shows_what_they_offer(client: TestClient, resident: CollectingChannel) -> None:
    resident.say("我周末有空想做义工")
    resident.say("同意")
    resident.say("陈大文")
    resident.say("+852 9123 4567")
    skills = resident.say("桃源社区")
    if "桃源" in skills and "请回复数字选择" in skills:
        resident.say("1")
    resident.say("2 4")
    resident.say("1 6")
    resident.say("确认")
    [ref] = resident.last.case_refs
    log_in(client)
    page = client.get(f"/console/cases/{ref}").text
    assert (
        "志愿报名" in page
        and "心理、教学辅导" in page
        and "周末" in page
        and "助老助残助弱、儿童青少年" in page
    )
    assert "陈**" in page and "****4567" in page and "陈大文" not in page and "91234567" not in page
