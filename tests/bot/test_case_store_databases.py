"""The case store on both databases: SQLite (default) and PostgreSQL (started for real by the tests)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.models import Base, Case, MessageLog
from bot.settings import Settings
from tests.support.clock import FakeClock


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db_assistant(  # type: ignore[no-untyped-def]
    request, settings: Settings, interpreter, knowledge, guide, clock: FakeClock
) -> Iterator[Assistant]:
    if request.param == "postgres":
        settings = replace(settings, database_url=request.getfixturevalue("postgres_url"))
    built = Assistant.build(settings, interpreter=interpreter, knowledge=knowledge, guide=guide, clock=clock)
    yield built
    built.close()


def test_a_help_request_is_stored_the_same_way(any_db_assistant: Assistant) -> None:
    resident = CollectingChannel(any_db_assistant.handle)
    resident.say("我家老人腿脚不好,想找人上门护理")
    for answer in ("1", "莲花北社区", "13912345678", "王阿姨", "2"):
        resident.say(answer)
    done = resident.say("1")
    with any_db_assistant.sessions() as session:
        case = session.execute(select(Case)).scalar_one()
    assert case.ref == "HR-20261123-0001" and case.ref in done
    assert any_db_assistant.cipher.decrypt(case.phone_enc) == "+8613912345678"
    assert any_db_assistant.cipher.decrypt(case.name_enc) == "王阿姨"
    # A raw read of every row of every table, as an attacker with the database but not the key would.
    with any_db_assistant.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(table.select()):
                raw = " ".join(str(value) for value in row)
                assert "13912345678" not in raw and "王阿姨" not in raw, table.name


def test_references_are_unique_under_concurrent_turns(any_db_assistant: Assistant) -> None:
    def hand_off(n: int) -> str | None:
        return CollectingChannel(any_db_assistant.handle, user_id=f"user-{n}").send("转人工").case_ref

    with ThreadPoolExecutor(max_workers=6) as pool:
        refs = list(pool.map(hand_off, range(12)))
    assert len(set(refs)) == 12
    assert sorted(refs) == [f"HR-20261123-{n:04d}" for n in range(1, 13)]  # type: ignore[type-var]


def test_a_retry_storm_yields_one_case_and_one_turn(any_db_assistant: Assistant) -> None:
    resident = CollectingChannel(any_db_assistant.handle, channel="wechat", user_id="openid-1")

    def post(_: int) -> tuple[str | None, bool]:
        outcome = resident.send("转人工", message_id="msg-42")
        return outcome.case_ref, outcome.replayed

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(post, range(3)))
    assert len({ref for ref, _ in results}) == 1
    assert sorted(replayed for _, replayed in results) == [False, True, True]
    with any_db_assistant.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert (
            session.scalar(select(func.count()).select_from(MessageLog).where(MessageLog.direction == "in"))
            == 1
        )
