"""The report: counts by status, type, urgency, community and week, the median first response, CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.console.report import build_report
from tests.console.support import NAME, PHONE, file_help_request, hand_off, log_in, raise_crisis
from tests.support.clock import FakeClock

LIANHUA = "福田区 莲花街道 莲花北社区"


@pytest.fixture
def activity(client: TestClient, assistant: Assistant, clock: FakeClock) -> dict[str, str]:
    """Four cases over two weeks; staff act on three of them after 2 h, 1 h and 4 h."""
    csrf = log_in(client)
    help_ref = file_help_request(CollectingChannel(assistant.handle, user_id="resident-1"))
    clock.advance(hours=2)
    client.post(f"/console/cases/{help_ref}/note", data={"csrf": csrf, "note": "已电话联系"})
    crisis_ref = raise_crisis(CollectingChannel(assistant.handle, user_id="resident-2"))
    clock.advance(hours=1)
    client.post(f"/console/cases/{crisis_ref}/status", data={"csrf": csrf, "to_status": "in_progress"})
    clock.advance(days=7)
    handoff_ref = hand_off(CollectingChannel(assistant.handle, user_id="resident-3"))
    clock.advance(hours=4)
    client.cookies.clear()  # a week later: a new working day, a new session
    csrf = log_in(client)
    client.post(f"/console/cases/{handoff_ref}/reply", data={"csrf": csrf, "text": "您好"})
    urgent_ref = file_help_request(
        CollectingChannel(assistant.handle, user_id="resident-4"), phone="13700001234", urgent=True
    )
    return {"help": help_ref, "crisis": crisis_ref, "handoff": handoff_ref, "urgent": urgent_ref}


def _counts(rows: tuple[object, ...]) -> dict[str, int]:
    return {row.key: row.count for row in rows if row.count}  # type: ignore[attr-defined]


def test_the_counts_and_the_median_first_action(assistant: Assistant, activity: dict[str, str]) -> None:
    with assistant.sessions() as session:
        report = build_report(session)
    assert report.total == 4 and report.open_cases == 4
    assert _counts(report.by_status) == {"new": 3, "in_progress": 1}
    assert _counts(report.by_kind) == {"help": 2, "crisis": 1, "handoff": 1}
    assert [row.key for row in report.by_kind] == [
        "help",
        "crisis",
        "handoff",
        "volunteer",
    ]  # zeros listed too
    assert _counts(report.by_urgency) == {"urgent": 1, "high": 1, "normal": 2}
    assert _counts(report.by_community) == {LIANHUA: 2, "": 2}
    assert _counts(report.by_week) == {"2026-11-23": 2, "2026-11-30": 2}
    assert report.median_first_action == timedelta(hours=2)
    assert (report.acted, report.waiting) == (3, 1)


def test_a_date_range_limits_the_report(assistant: Assistant, activity: dict[str, str]) -> None:
    with assistant.sessions() as session:
        later = build_report(session, date_from=(assistant.clock() - timedelta(days=1)).date())
        earlier = build_report(session, date_to=(assistant.clock() - timedelta(days=3)).date())
    assert later.total == 2 and _counts(later.by_kind) == {"help": 1, "handoff": 1}
    assert later.median_first_action == timedelta(hours=4)
    assert earlier.total == 2 and earlier.median_first_action == timedelta(hours=1, minutes=30)


def test_an_empty_report(assistant: Assistant) -> None:
    with assistant.sessions() as session:
        report = build_report(session)
    assert report.total == 0 and report.median_first_action is None and report.by_week == ()


def test_the_report_page(client: TestClient, activity: dict[str, str]) -> None:
    page = client.get("/console/report").text
    assert '<strong id="total">4</strong>' in page
    assert "2 小时" in page  # the median
    assert "莲花北社区" in page and "未填写" in page and "2026-11-30 起(第 49 周)" in page
    limited = client.get("/console/report?date_from=2026-11-30").text
    assert '<strong id="total">2</strong>' in limited
    assert 'href="/console/report.csv?date_from=2026-11-30"' in limited


def test_the_csv_export_has_counts_and_no_personal_data(client: TestClient, activity: dict[str, str]) -> None:
    response = client.get("/console/report.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["section", "code", "label", "value"]
    values = {(section, code): value for section, code, _, value in rows[1:]}
    assert values[("summary", "total")] == "4"
    assert values[("kind", "crisis")] == "1"
    assert values[("community", LIANHUA)] == "2"
    assert values[("response", "median_first_action_hours")] == "2.0"
    for personal in (PHONE, "13700001234", "139****5678", NAME, "王**", "resident-", "腿脚不好", "不想活"):
        assert personal not in body
    for ref in activity.values():
        assert ref not in body
