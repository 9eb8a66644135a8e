"""Entry points. The only place (with bot/__main__.py) that imports adapters and wires them to the core."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bot.assistant import Assistant
from bot.errors import BotError
from bot.settings import Settings

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="社区助手 Community Assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("chat", help="chat in the terminal as a resident")
    serve = sub.add_parser("serve", help="run the HTTP server (web chat, webhooks)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    ask = sub.add_parser("ask", help="batch mode: one message per line on stdin, JSON lines on stdout")
    ask.add_argument("--json", action="store_true", help="JSON lines output (the default; kept for clarity)")
    ask.add_argument("--conversation", action="store_true", help="consecutive lines form one conversation")
    ask.add_argument(
        "--persist", action="store_true", help="use the configured database instead of a throwaway one"
    )
    staff = sub.add_parser("staff", help="act on a case as staff: reply or change its status")
    staff.add_argument("ref")
    staff.add_argument("--reply", default="")
    staff.add_argument("--status", default="")
    staff.add_argument("--note", default="")
    staff.add_argument("--as", dest="actor", default="staff")
    sub.add_parser("purge", help="delete finished cases past the retention period")
    sub.add_parser(
        "telegram-poll", help="development: answer the Telegram bot by polling, without an HTTP server"
    )
    staff_user = sub.add_parser("staff-user", help="staff console accounts (password read from stdin/prompt)")
    staff_user.add_argument("action", choices=("add", "passwd", "role", "disable", "enable", "list"))
    staff_user.add_argument("name", nargs="?", default="")
    staff_user.add_argument("--role", choices=("staff", "supervisor"), default="staff")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    if args.command == "telegram-poll":
        env["TELEGRAM_MODE"] = "polling"  # needs no webhook secret, whatever the environment says
    try:
        settings = Settings.from_env(env)
    except BotError as exc:
        print(f"配置错误 configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Libraries that set their own loggers to DEBUG would otherwise drown the operator's log.
    for noisy in ("bm25s", "jieba"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    if args.command == "chat":
        return _chat(settings)
    if args.command == "serve":
        return _serve(settings, host=args.host, port=args.port)
    if args.command == "ask":
        return _ask(settings, conversations=args.conversation, persist=args.persist)
    if args.command == "staff":
        return _staff(
            settings, args.ref, reply=args.reply, status=args.status, note=args.note, actor=args.actor
        )
    if args.command == "purge":
        return _purge(settings)
    if args.command == "telegram-poll":
        return _telegram_poll(settings)
    if args.command == "staff-user":
        return _staff_user(settings, args.action, args.name, role=args.role)
    return 2


def _chat(settings: Settings) -> int:
    from adapters.terminal import run_terminal

    assistant = Assistant.build(settings)
    run_terminal(assistant.handle, sys.stdin, sys.stdout)
    return 0


def _ask(settings: Settings, *, conversations: bool, persist: bool) -> int:
    from adapters.batch import dump, run_batch

    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="ca-ask-") as tmp:
        if not persist:
            # Benchmarks must not fill the real case store; the NLU cache and PII key stay shared.
            settings = replace(settings, database_url=f"sqlite:///{Path(tmp) / 'ask.db'}")
        assistant = Assistant.build(settings)
        stdin = open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        for record in run_batch(assistant.handle, stdin, conversations=conversations):
            sys.stdout.write(dump(record) + "\n")
            sys.stdout.flush()
        assistant.close()
    return 0


def build_web_app(settings: Settings, assistant: Assistant | None = None):  # type: ignore[no-untyped-def]
    """The ASGI app with every configured channel; also used by the tests."""
    from adapters.webchat import webchat_router
    from bot.console import console_router
    from bot.http_app import create_app

    assistant = assistant or Assistant.build(settings)
    routers = [
        webchat_router(assistant.handle, mailbox=_register_webchat(assistant)),
        console_router(assistant),
    ]
    routers.extend(_channel_routers(settings, assistant))
    return create_app(assistant, routers=routers)


def _channel_routers(settings: Settings, assistant: Assistant) -> list:  # type: ignore[type-arg]
    """The routes of every configured channel; registers each channel's sender with the outbox.

    Raises ConfigError when a channel cannot work with its settings (Settings.validate catches the
    same problems earlier; this is the channel's own check).
    """
    routers = []
    if settings.wechat.enabled:
        from adapters.wechat import WeChatChannel
        from adapters.wechat_window import last_inbound_lookup
        from bot.shared_store import SharedStore

        wechat = WeChatChannel(
            settings.wechat,
            assistant.handle,
            shared=SharedStore(assistant.sessions, clock=assistant.clock),
            max_body=settings.max_body_bytes,
            # The 48-hour customer-service window counts from the resident's last message, which
            # the transcript records with the assistant's clock: the channel keeps the same time.
            last_seen=last_inbound_lookup(assistant.sessions, channel=WeChatChannel.name),
            clock=assistant.clock,
        )
        assistant.outbox.register(wechat.name, wechat.sender())
        routers.append(wechat.router())
    if settings.telegram.enabled:
        from adapters.telegram import TelegramChannel

        telegram = TelegramChannel(
            settings.telegram, assistant.handle, max_body=settings.max_body_bytes, clock=assistant.clock
        )
        assistant.outbox.register(telegram.name, telegram.sender())
        routers.append(telegram.router())
    return routers


def channel_summary(settings: Settings) -> list[str]:
    """What `serve` tells the operator about the channels: which are on, and where they listen."""
    from adapters.telegram_webhook import WEBHOOK_PATH
    from adapters.wechat import PATH as WECHAT_PATH

    lines = []
    if settings.wechat.enabled:
        lines.append(f"WeChat channel on: {settings.wechat.mode} mode, callbacks at {WECHAT_PATH}")
    else:
        lines.append("WeChat channel off (set WECHAT_TOKEN to switch it on, see docs/wechat.md)")
    if settings.telegram.enabled and settings.telegram.mode == "polling":
        lines.append("Telegram channel on: polling mode (getUpdates while the server runs)")
    elif settings.telegram.enabled:
        lines.append(f"Telegram channel on: webhook mode, updates at {WEBHOOK_PATH}")
    else:
        lines.append("Telegram channel off (set TELEGRAM_TOKEN to switch it on, see docs/telegram.md)")
    return lines


def _serve(settings: Settings, *, host: str | None, port: int | None) -> int:
    import uvicorn

    try:
        app = build_web_app(settings)
    except BotError as exc:
        # A channel refusing its settings is the operator's to fix: one line, no traceback.
        print(f"配置错误 configuration error: {exc}", file=sys.stderr)
        return 2
    host = host or settings.host
    port = port or settings.port
    for line in channel_summary(settings):
        log.info("%s", line)
    log.info("社区助手 listening on http://%s:%s/", host, port)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())
    return 0


def _telegram_poll(settings: Settings) -> int:
    """Development: answer the Telegram bot by polling, without an HTTP server (Ctrl-C stops it)."""
    from adapters.telegram import TelegramChannel

    if not settings.telegram.enabled:
        print("配置错误 configuration error: TELEGRAM_TOKEN is not set", file=sys.stderr)
        return 2
    assistant = Assistant.build(settings)
    try:
        channel = TelegramChannel(settings.telegram, assistant.handle, clock=assistant.clock)
        assistant.outbox.register(channel.name, channel.sender())
        log.info("Telegram polling started; press Ctrl-C to stop")
        channel.run_polling()
    except BotError as exc:
        print(f"配置错误 configuration error: {exc}", file=sys.stderr)
        return 2
    finally:
        assistant.close()
    return 0


def _register_webchat(assistant: Assistant):  # type: ignore[no-untyped-def]
    """Staff replies to web-chat residents wait in the database until their page polls for them."""
    from adapters.webchat import CHANNEL, WebChatMailbox

    mailbox = WebChatMailbox(assistant.sessions, clock=assistant.clock)
    assistant.outbox.register(CHANNEL, mailbox)
    return mailbox


def _staff(settings: Settings, ref: str, *, reply: str, status: str, note: str, actor: str) -> int:
    assistant = Assistant.build(settings)
    _channel_routers(settings, assistant)  # registers the senders of configured channels
    _register_webchat(assistant)

    async def act() -> None:
        if status:
            result = await assistant.staff.set_status(ref=ref, status=status, actor=actor, note=note)
            print(
                f"{result.ref}: status {status}, delivery {result.delivery.status} {result.delivery.detail}"
            )
        if reply:
            result = await assistant.staff.reply(ref=ref, text=reply, actor=actor)
            print(f"{result.ref}: reply delivery {result.delivery.status} {result.delivery.detail}")

    try:
        asyncio.run(act())
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _purge(settings: Settings) -> int:
    from datetime import timedelta

    from bot import case_store

    assistant = Assistant.build(settings)
    with assistant.sessions.begin() as session:
        removed = case_store.purge_closed(
            session, older_than=assistant.clock() - timedelta(days=settings.retention_days)
        )
    print(f"removed {removed} finished cases older than {settings.retention_days} days")
    return 0


def _staff_user(settings: Settings, action: str, name: str, *, role: str) -> int:
    """Console accounts; only the database is opened (no NLU or knowledge to load)."""
    from bot import db
    from bot.clock import shenzhen_now
    from bot.console.account_command import run
    from bot.console.accounts import AccountError

    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    try:
        return run(
            db.make_sessions(engine),
            action=action,
            name=name,
            role=role,
            clock=shenzhen_now,
            stdin=sys.stdin,
            stdout=sys.stdout,
        )
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
