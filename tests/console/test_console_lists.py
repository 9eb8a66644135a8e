"""The volunteer list and the unanswered-questions list."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from adapters.collecting import CollectingChannel
from bot import case_store
from bot.assistant import Assistant
from tests.console.support import hand_off, log_in
from tests.support.clock import FakeClock


def _sign_up(
    resident: CollectingChannel, *, name: str, phone: str, first: str, skills: str, areas: str
) -> str:
    resident.say(first)
    resident.say("同意")
    resident.say(name)
    resident.say(phone)
    reply = resident.say("桃源社区")
    if "桃源" in reply and "请回复数字选择" in reply:  # same-name communities: pick the first
        reply = resident.say("1")
    if "有空" in reply:
        reply = resident.say("3")  # 周末
    resident.say(skills)
    resident.say(areas)
    resident.say("确认")
    [ref] = resident.last.case_refs
    return ref


@pytest.fixture
def volunteers(assistant: Assistant, clock: FakeClock) -> dict[str, str]:
    psychology = _sign_up(
        CollectingChannel(assistant.handle, user_id="v-1"),
        name="陈大文",
        phone="+852 9123 4567",
        first="我周末有空想做义工",
        skills="2",
        areas="2",
    )
    clock.advance(minutes=5)
    lawyer = _sign_up(
        CollectingChannel(assistant.handle, user_id="v-2"),
        name="李律师",
        phone="13700001234",
        first="我想報名做志願者,週末得閒",  # Traditional / Cantonese
        skills="1",
        areas="5",
    )
    hand_off(CollectingChannel(assistant.handle, user_id="not-a-volunteer"))
    return {"psychology": psychology, "law": lawyer}


def test_the_volunteer_list_is_masked(client: TestClient, volunteers: dict[str, str]) -> None:
    log_in(client)
    page = client.get("/console/volunteers").text
    assert volunteers["psychology"] in page and volunteers["law"] in page
    assert "陈**" in page and "李**" in page and "****4567" in page and "137****1234" in page
    for clear in ("陈大文", "李律师", "91234567", "13700001234"):
        assert clear not in page
    assert "HR-" not in page  # hand-offs are not volunteers


@pytest.mark.parametrize(
    ("query", "expected"),
    [("skill=psychology", "psychology"), ("skill=law", "law"), ("area=legal_services", "law")],
)
def test_the_volunteer_list_filters_by_skill_and_area(
    client: TestClient, volunteers: dict[str, str], query: str, expected: str
) -> None:
    log_in(client)
    page = client.get(f"/console/volunteers?{query}").text
    other = next(ref for key, ref in volunteers.items() if key != expected)
    assert volunteers[expected] in page and other not in page


def test_unanswered_questions_are_grouped_counted_and_masked(
    client: TestClient, assistant: Assistant
) -> None:
    asked = [
        "社区有没有关于养狗的政策规定",  # Simplified
        "社區有沒有關於養狗的政策規定",  # Traditional: the same question once normalised
        "社区有没有关于养狗的政策规定",
    ]
    for n, question in enumerate(asked):
        CollectingChannel(assistant.handle, user_id=f"asker-{n}").say(question)
    with assistant.sessions.begin() as session:
        # A number written right after Chinese text, as the storage-time redaction can let through.
        question = "火星移民补贴政策,我电话13800001111"
        case_store.record_unanswered(
            session, channel="web", question=question, normalized=question, now=assistant.clock()
        )
    log_in(client)
    page = client.get("/console/unanswered").text
    dogs = page.index("养狗")
    assert "<td>3</td>" in page[:dogs] and "<td>1</td>" in page[dogs:]
    assert "13800001111" not in page and "138****1111" in page


def test_unanswered_questions_filter_by_date(
    client: TestClient, assistant: Assistant, clock: FakeClock
) -> None:
    CollectingChannel(assistant.handle, user_id="asker-1").say("社区有没有关于养狗的政策规定")
    clock.advance(days=3)
    CollectingChannel(assistant.handle, user_id="asker-2").say("请问社区的停车位政策是怎样的")
    log_in(client)
    page = client.get("/console/unanswered?date_from=2026-11-25").text
    assert "停车位" in page and "养狗" not in page
