"""scripts/wechat_menu.py publishes the custom menu; every button is a service the core knows."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from adapters.wechat_api import WeChatApi, WeChatApiError
from adapters.wechat_inbound import MENU_KEYS
from bot.pipeline import EVENT_COMMANDS
from bot.settings import WeChatSettings
from tests.support.fake_wechat import APP_ID, APP_SECRET, TOKEN, FakeWeChatServer, guard_network

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "wechat_menu.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wechat_menu_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


menu_script = load_script()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChatServer]:
    guard_network(monkeypatch)
    with FakeWeChatServer() as fake:
        yield fake
    assert fake.unexpected == []


def environment(server: FakeWeChatServer, tmp_path: Path) -> dict[str, str]:
    return {
        "CA_DATA_DIR": str(tmp_path),
        "CA_DATABASE_URL": f"sqlite:///{tmp_path / 'assistant.db'}",
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_API_BASE": server.api_base,
    }


def test_the_menu_is_published_as_declared(server: FakeWeChatServer, tmp_path: Path) -> None:
    assert menu_script.main([], env=environment(server, tmp_path)) == 0
    (published,) = server.calls("menu/create")
    assert published.query["access_token"] == "ACCESS_TOKEN_1"
    assert published.body == {
        "button": [
            {"type": "click", "name": "政策咨询", "key": "POLICY"},
            {"type": "click", "name": "我要求助", "key": "HELP"},
            {
                "name": "更多",
                "sub_button": [
                    {"type": "click", "name": "志愿报名", "key": "VOLUNTEER"},
                    {"type": "click", "name": "查询进度", "key": "STATUS"},
                    {"type": "click", "name": "项目申报指引", "key": "GUIDE"},
                    {"type": "click", "name": "转人工", "key": "HUMAN"},
                ],
            },
        ]
    }


def test_publishing_twice_reuses_the_stored_token(server: FakeWeChatServer, tmp_path: Path) -> None:
    env = environment(server, tmp_path)
    assert menu_script.main([], env=env) == 0
    assert menu_script.main([], env=env) == 0
    assert server.tokens_issued == 1
    assert len(server.calls("menu/create")) == 2


def test_every_button_is_a_menu_event_of_the_core() -> None:
    keys = menu_script.click_keys(menu_script.MENU)
    assert sorted(keys) == sorted(MENU_KEYS)
    assert all(f"menu:{key}" in EVENT_COMMANDS for key in keys)
    assert menu_script.problems(menu_script.MENU) == []


def test_five_top_level_buttons_would_be_refused_by_wechat(server: FakeWeChatServer, tmp_path: Path) -> None:
    # Why 志愿报名 and 查询进度 sit under 更多: the platform allows three top-level buttons.
    flat: dict[str, Any] = {
        "button": [
            *(
                {"type": "click", "name": name, "key": key}
                for name, key in (
                    ("政策咨询", "POLICY"),
                    ("我要求助", "HELP"),
                    ("志愿报名", "VOLUNTEER"),
                    ("查询进度", "STATUS"),
                )
            ),
            {"name": "更多", "sub_button": [{"type": "click", "name": "转人工", "key": "HUMAN"}]},
        ]
    }
    assert menu_script.problems(flat) == ["5 top-level buttons (WeChat allows 1-3)"]
    api = WeChatApi(
        WeChatSettings(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, api_base=server.api_base),
        _MemoryStore(),
    )
    with pytest.raises(WeChatApiError) as raised:
        api.create_menu(flat)
    assert raised.value.errcode == 40016


def test_print_shows_the_menu_and_calls_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert menu_script.main(["--print"]) == 0
    assert json.loads(capsys.readouterr().out) == menu_script.MENU


def test_missing_credentials_are_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert menu_script.main([], env={"CA_DATA_DIR": str(tmp_path)}) == 2
    assert "WECHAT_APP_ID" in capsys.readouterr().err


def test_a_refusal_by_the_platform_is_reported(
    server: FakeWeChatServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.fail_next("menu/create", 40164, "invalid ip 203.0.113.7, not in whitelist")
    assert menu_script.main([], env=environment(server, tmp_path)) == 1
    assert "IP whitelist" in capsys.readouterr().err


class _MemoryStore:
    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def set(self, key: str, value: str, *, ttl: object = None) -> None:
        self._values[key] = value

    def delete(self, key: str) -> None:
        self._values.pop(key, None)
