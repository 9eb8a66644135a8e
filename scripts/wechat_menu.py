"""Publish the official account's custom menu (CLICK buttons the WeChat channel understands).

Usage (from the repository root, with the WeChat settings in the environment, see docs/wechat.md):

    .venv/bin/python scripts/wechat_menu.py           # publish through menu/create
    .venv/bin/python scripts/wechat_menu.py --print   # show the menu JSON, publish nothing

The access token is taken from (and stored in) the assistant's shared store, i.e. the database in
CA_DATABASE_URL, so running this next to live workers does not invalidate their token.

WeChat allows at most 3 top-level buttons (4 Chinese characters each) with at most 5 sub-buttons
(8 characters each), so the six services are laid out as two buttons and a 更多 sub-menu.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a file, not as a module of the installed project
    sys.path.insert(0, str(REPO_ROOT))

from adapters.wechat_api import WeChatApi, WeChatApiError  # noqa: E402
from adapters.wechat_inbound import MENU_KEYS  # noqa: E402
from bot import db  # noqa: E402
from bot.errors import BotError  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.shared_store import SharedStore  # noqa: E402

MENU: dict[str, Any] = {
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

# The platform's limits (custom menu document): button counts, name lengths in bytes of UTF-8.
MAX_BUTTONS = 3
MAX_SUB_BUTTONS = 5
MAX_NAME_BYTES = 16
MAX_SUB_NAME_BYTES = 60


def click_keys(menu: Mapping[str, Any]) -> list[str]:
    keys: list[str] = []
    for button in menu["button"]:
        for item in button.get("sub_button", [button]):
            keys.append(item["key"])
    return keys


def problems(menu: Mapping[str, Any]) -> list[str]:
    """What the platform would refuse, or keys the channel does not understand."""
    found: list[str] = []
    buttons = menu["button"]
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        found.append(f"{len(buttons)} top-level buttons (WeChat allows 1-{MAX_BUTTONS})")
    for button in buttons:
        if len(button["name"].encode("utf-8")) > MAX_NAME_BYTES:
            found.append(f"top-level name {button['name']!r} is longer than {MAX_NAME_BYTES} bytes")
        subs: Sequence[Mapping[str, Any]] = button.get("sub_button", ())
        if "sub_button" in button and not 1 <= len(subs) <= MAX_SUB_BUTTONS:
            found.append(
                f"{button['name']!r} has {len(subs)} sub-buttons (WeChat allows 1-{MAX_SUB_BUTTONS})"
            )
        for sub in subs:
            if len(sub["name"].encode("utf-8")) > MAX_SUB_NAME_BYTES:
                found.append(f"sub-button name {sub['name']!r} is longer than {MAX_SUB_NAME_BYTES} bytes")
    unknown = sorted(set(click_keys(menu)) - set(MENU_KEYS))
    if unknown:
        found.append(f"keys the WeChat channel does not know: {', '.join(unknown)}")
    return found


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="publish the WeChat custom menu")
    parser.add_argument("--print", action="store_true", help="print the menu JSON and publish nothing")
    args = parser.parse_args(argv)
    found = problems(MENU)
    if found:
        print("菜单有误 menu invalid: " + "; ".join(found), file=sys.stderr)
        return 2
    if args.print:
        print(json.dumps(MENU, ensure_ascii=False, indent=2))
        return 0
    try:
        settings = Settings.from_env(env)
    except BotError as exc:
        print(f"配置错误 configuration error: {exc}", file=sys.stderr)
        return 2
    if not settings.wechat.app_id or not settings.wechat.app_secret:
        print(
            "配置错误 configuration error: WECHAT_APP_ID and WECHAT_APP_SECRET are required", file=sys.stderr
        )
        return 2
    engine = db.make_engine(settings.database_url)
    try:
        db.upgrade(engine)
        api = WeChatApi(settings.wechat, SharedStore(db.make_sessions(engine)))
        api.create_menu(MENU)
    except WeChatApiError as exc:
        hint = " (add this server's IP to the account's IP whitelist)" if exc.errcode == 40164 else ""
        print(f"发布失败 publishing failed: {exc}{hint}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"菜单已发布 menu published: {', '.join(click_keys(MENU))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
