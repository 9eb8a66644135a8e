"""One real headless Chromium session: log in, open a case, reveal the phone with a reason, reply."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.cli import build_web_app
from bot.models import PiiReveal
from bot.settings import Settings
from tests.console.conftest import RecordingSender
from tests.console.support import STAFF, file_help_request
from tests.support.server import serving


@pytest.mark.browser
@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian chromium not installed (scripts/dev test installs it)"
)
def test_a_social_worker_reveals_a_phone_and_replies_in_a_real_browser(
    settings: Settings,
    assistant: Assistant,
    resident: CollectingChannel,
    staff_accounts: None,
    sender: RecordingSender,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ref = file_help_request(resident)
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
        page.goto(url + "/console/cases")
        expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
        page.get_by_label("用户名").fill(STAFF[0])
        page.get_by_label("密码").fill(STAFF[1])
        page.get_by_role("button", name="登录").click()

        expect(page.get_by_role("heading", name="登记列表")).to_be_visible()
        expect(page.get_by_role("cell", name="139****5678")).to_be_visible()
        page.get_by_role("link", name=ref).click()

        phone = page.locator("#value-phone")
        expect(phone).to_have_text("139****5678")
        page.get_by_label("原因").fill("电话回访居民")
        page.get_by_role("button", name="查看", exact=True).click()
        expect(phone).to_have_text("+8613912345678")

        page.get_by_label("回复居民").fill("王阿姨您好,社工小王明天上午给您打电话。")
        page.get_by_role("button", name="发送回复").click()
        expect(page.get_by_role("status")).to_contain_text("回复已发出。 送达结果:已送达")
        expect(phone).to_have_text("139****5678")  # masked again on the next page
        page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
        browser.close()

    assert sender.sent == [
        ("resident-1", f"【社区工作人员回复】{ref}:王阿姨您好,社工小王明天上午给您打电话。")
    ]
    with assistant.sessions() as session:
        [logged] = session.execute(select(PiiReveal)).scalars().all()
    assert (logged.staff, logged.field, logged.reason) == ("wang", "phone", "电话回访居民")
