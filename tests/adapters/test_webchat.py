"""The web chat page and its JSON endpoint, through the real ASGI app (issue 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.assistant import Assistant
from bot.cli import build_web_app
from bot.models import MessageLog
from bot.settings import Settings
from tests.support.server import serving


@pytest.fixture
def client(settings: Settings, assistant: Assistant) -> TestClient:
    return TestClient(build_web_app(settings, assistant))


def test_health_check(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_page_is_served_in_chinese(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "社区助手" in page.text and 'lang="zh-CN"' in page.text


def test_a_message_gets_replies_with_numbered_choices(client: TestClient) -> None:
    answer = client.post("/api/webchat/messages", json={"user_id": "web-test-user-1", "text": "你好"}).json()
    [reply] = answer["replies"]
    assert "社区助手" in reply["text"]
    assert reply["choices"][0] == {"key": "1", "label": "政策咨询"}
    followed = client.post("/api/webchat/messages", json={"user_id": "web-test-user-1", "text": "1"}).json()
    assert "政策问题" in followed["replies"][0]["text"]


@pytest.mark.parametrize(
    "body",
    [
        {"user_id": "x", "text": "你好"},
        {"user_id": "web-test-user-1; DROP TABLE cases", "text": "你好"},
        {"text": "你好"},
        {"user_id": "web-test-user-1", "text": "你好", "event": "/topic evil"},
    ],
    ids=["short-id", "hostile-id", "missing-id", "unknown-event"],
)
def test_bad_requests_are_refused_and_nothing_is_stored(
    client: TestClient, assistant: Assistant, body: dict[str, str]
) -> None:
    assert client.post("/api/webchat/messages", json=body).status_code == 422
    with assistant.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MessageLog)) == 0


def test_malformed_json_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/webchat/messages", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_an_oversize_body_is_refused(client: TestClient, assistant: Assistant) -> None:
    big = "啊" * 40_000  # 120 kB of UTF-8, over the 64 KiB limit
    response = client.post("/api/webchat/messages", json={"user_id": "web-test-user-1", "text": big})
    assert response.status_code == 413
    with assistant.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MessageLog)) == 0


@pytest.mark.browser
@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian chromium not installed (scripts/dev test installs it)"
)
def test_a_resident_chats_in_a_real_browser(settings: Settings, assistant: Assistant, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with serving(build_web_app(settings, assistant)) as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        page.goto(url + "/")
        page.get_by_text("1 政策咨询").first.wait_for()
        page.get_by_placeholder("请输入您的问题,或回复数字").fill("示范点每个社区资助多少钱")
        page.get_by_role("button", name="发送").click()
        page.get_by_text("15万元").first.wait_for()
        page.get_by_text("来源").first.wait_for()
        page.get_by_placeholder("请输入您的问题,或回复数字").fill("你好")
        page.get_by_role("button", name="发送").click()
        expect(page.get_by_role("button", name="3 志愿报名")).to_have_count(2)
        page.get_by_role("button", name="3 志愿报名").last.click()
        page.get_by_text("您同意吗").first.wait_for()
        page.screenshot(path=str(tmp_path / "webchat.png"), full_page=True)
        browser.close()
