"""Entry points. The only place (with bot/__main__.py) that imports adapters and wires them to the core."""

from __future__ import annotations

import argparse
import asyncio
import logging
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
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
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
    from bot.http_app import create_app

    assistant = assistant or Assistant.build(settings)
    routers = [webchat_router(assistant.handle)]
    routers.extend(_channel_routers(settings, assistant))
    return create_app(assistant, routers=routers)


def _channel_routers(settings: Settings, assistant: Assistant) -> list:  # type: ignore[type-arg]
    routers = []
    if settings.wechat.enabled:
        from adapters.wechat import WeChatChannel
        from bot.shared_store import SharedStore

        wechat = WeChatChannel(
            settings.wechat, assistant.handle, shared=SharedStore(assistant.sessions), max_body=settings.max_body_bytes
        )
        assistant.outbox.register(wechat.name, wechat.sender())
        routers.append(wechat.router())
    if settings.telegram.enabled:
        from adapters.telegram import TelegramChannel

        telegram = TelegramChannel(settings.telegram, assistant.handle)
        assistant.outbox.register(telegram.name, telegram.sender())
        routers.append(telegram.router())
    return routers


def _serve(settings: Settings, *, host: str | None, port: int | None) -> int:
    import uvicorn

    app = build_web_app(settings)
    host = host or settings.host
    port = port or settings.port
    log.info("社区助手 listening on http://%s:%s/", host, port)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())
    return 0


def _staff(settings: Settings, ref: str, *, reply: str, status: str, note: str, actor: str) -> int:
    assistant = Assistant.build(settings)
    _channel_routers(settings, assistant)  # registers the senders of configured channels

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
