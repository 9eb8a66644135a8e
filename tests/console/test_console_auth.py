"""Logging in and out, the session cookie, CSRF on every form, and who may see what."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.console.session_cookie import LOGIN_COOKIE, SESSION_COOKIE
from bot.models import CaseEvent, PiiReveal
from tests.console.conftest import SharedConsole
from tests.console.support import STAFF, SUPERVISOR, csrf_of, file_help_request, hand_off, log_in
from tests.support.clock import FakeClock

PAGES = (
    "/console/cases",
    "/console/cases/HR-20261123-0001",
    "/console/volunteers",
    "/console/unanswered",
    "/console/report",
    "/console/report.csv",
    "/console/audit",
)


def _post_login(client: TestClient, username: str, password: str) -> httpx.Response:
    form = client.get("/console/login")
    return client.post(
        "/console/login", data={"username": username, "password": password, "csrf": csrf_of(form.text)}
    )


@pytest.mark.parametrize("path", PAGES)
def test_without_logging_in_every_page_leads_to_the_login_form(
    shared_console: SharedConsole, path: str
) -> None:
    response = shared_console.client().get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=/console/")
    assert "社区助手" not in response.text


def test_the_console_root_and_the_login_page(shared_console: SharedConsole) -> None:
    client = shared_console.client()
    assert client.get("/console").headers["location"] == "/console/cases"
    page = client.get("/console/login")
    assert page.status_code == 200 and "工作人员登录" in page.text and 'lang="zh-CN"' in page.text


def test_logging_in_sets_a_strict_http_only_cookie_and_goes_where_asked(client: TestClient) -> None:
    form = client.get("/console/login?next=/console/report")
    assert 'name="next" value="/console/report"' in form.text
    response = client.post(
        "/console/login",
        data={
            "username": "WANG ",
            "password": STAFF[1],
            "csrf": csrf_of(form.text),
            "next": "/console/report",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/console/report"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "="))
    assert (
        "HttpOnly" in cookie
        and "SameSite=strict" in cookie.replace("Strict", "strict")
        and "Path=/console" in cookie
    )
    page = client.get("/console/report")
    assert page.status_code == 200 and "wang" in page.text


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/console/", "/healthz", "/console/login"]
)
def test_after_login_only_console_pages_are_followed(shared_console: SharedConsole, target: str) -> None:
    client = shared_console.client()
    form = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": STAFF[0], "password": STAFF[1], "csrf": csrf_of(form.text), "next": target},
    )
    assert response.headers["location"] == "/console/cases"


@pytest.mark.parametrize(
    ("username", "password"),
    [(STAFF[0], "wrong-password-1"), ("nobody", STAFF[1]), ("", "")],
    ids=["wrong-password", "unknown-user", "empty"],
)
def test_a_wrong_login_is_refused_without_saying_which_part_was_wrong(
    client: TestClient, username: str, password: str
) -> None:
    response = _post_login(client, username, password)
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.text
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/console/cases").status_code == 303


def test_the_login_form_needs_its_csrf_token(client: TestClient) -> None:
    client.get("/console/login")
    response = client.post(
        "/console/login", data={"username": STAFF[0], "password": STAFF[1], "csrf": "forged"}
    )
    assert response.status_code == 403 and "过期" in response.text
    client.cookies.delete(LOGIN_COOKIE, path="/console")
    response = client.post("/console/login", data={"username": STAFF[0], "password": STAFF[1]})
    assert response.status_code == 403
    assert client.get("/console/cases").status_code == 303


def test_too_many_wrong_passwords_lock_the_account_for_a_while(client: TestClient, clock: FakeClock) -> None:
    for _ in range(4):
        assert _post_login(client, STAFF[0], "wrong-password-1").status_code == 401
    assert _post_login(client, STAFF[0], "wrong-password-1").status_code == 429
    locked = _post_login(client, STAFF[0], STAFF[1])
    assert locked.status_code == 429 and "锁定" in locked.text
    clock.advance(minutes=16)
    assert _post_login(client, STAFF[0], STAFF[1]).status_code == 303


def test_logging_out_ends_the_session_even_for_a_copied_cookie(client: TestClient) -> None:
    csrf = log_in(client)
    copied = client.cookies.get(SESSION_COOKIE, path="/console")
    response = client.post("/console/logout", data={"csrf": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    client.cookies.set(SESSION_COOKIE, copied, path="/console")
    assert client.get("/console/cases").status_code == 303


def test_a_session_expires_after_a_working_day(client: TestClient, clock: FakeClock) -> None:
    log_in(client)
    clock.advance(hours=11)
    assert client.get("/console/cases").status_code == 200
    clock.advance(hours=2)
    assert client.get("/console/cases").status_code == 303


@pytest.mark.parametrize("tamper", ["v1.1.0.1795000000.abc.def", "garbage", ""])
def test_a_forged_session_cookie_is_ignored(shared_console: SharedConsole, tamper: str) -> None:
    client = shared_console.client()
    client.cookies.set(SESSION_COOKIE, tamper, path="/console")
    assert client.get("/console/cases").status_code == 303


def test_a_session_cookie_for_another_account_cannot_be_made_by_editing_it(client: TestClient) -> None:
    log_in(client)
    value = client.cookies.get(SESSION_COOKIE, path="/console")
    parts = value.split(".")
    parts[1] = str(int(parts[1]) + 1)  # the supervisor's id, signature unchanged
    client.cookies.set(SESSION_COOKIE, ".".join(parts), path="/console")
    assert client.get("/console/cases").status_code == 303


@pytest.mark.parametrize(
    ("action", "form"),
    [
        ("reveal", {"field": "phone", "reason": "电话回访"}),
        ("status", {"to_status": "acknowledged"}),
        ("note", {"note": "已电话联系"}),
        ("reply", {"text": "您好"}),
    ],
)
def test_no_form_is_accepted_without_the_sessions_csrf_token(
    client: TestClient, resident: CollectingChannel, assistant: Assistant, action: str, form: dict[str, str]
) -> None:
    ref = hand_off(resident)
    log_in(client)
    for token in (None, "", "forged-token"):  # missing, empty, forged
        data = dict(form) if token is None else {**form, "csrf": token}
        response = client.post(f"/console/cases/{ref}/{action}", data=data)
        assert response.status_code == 403 and "页面已过期或来源不明" in response.text
    with assistant.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PiiReveal)) == 0
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == 1  # only "created"


def test_a_csrf_token_of_another_session_is_refused(client: TestClient, resident: CollectingChannel) -> None:
    ref = hand_off(resident)
    old_token = log_in(client)
    client.cookies.clear()
    log_in(client)
    response = client.post(f"/console/cases/{ref}/note", data={"csrf": old_token, "note": "已电话联系"})
    assert response.status_code == 403


def test_logging_out_needs_the_csrf_token_too(client: TestClient) -> None:
    log_in(client)
    assert client.post("/console/logout", data={}).status_code == 403
    assert client.get("/console/cases").status_code == 200


def test_staff_cannot_see_the_audit_page_and_supervisors_can(
    client: TestClient, resident: CollectingChannel
) -> None:
    file_help_request(resident)
    log_in(client, STAFF)
    refused = client.get("/console/audit")
    assert refused.status_code == 403 and "仅限主管" in refused.text
    assert "/console/audit" not in client.get("/console/cases").text  # not even in the menu
    client.cookies.clear()
    log_in(client, SUPERVISOR)
    page = client.get("/console/audit")
    assert page.status_code == 200 and "个人信息查看记录" in page.text


def test_pages_are_never_cached_or_framed(shared_console: SharedConsole) -> None:
    client = shared_console.client()
    log_in(client)
    headers = client.get("/console/cases").headers
    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "http" not in headers["content-security-policy"]  # nothing loaded from another host
