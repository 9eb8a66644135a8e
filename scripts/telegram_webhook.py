"""Register, inspect or remove the Telegram webhook of the configured bot.

Usage (from the repository root, with the TELEGRAM_* variables set, see docs/telegram.md):

    .venv/bin/python scripts/telegram_webhook.py set [--drop-pending] [--max-connections N]
    .venv/bin/python scripts/telegram_webhook.py info
    .venv/bin/python scripts/telegram_webhook.py delete [--drop-pending]

`set` calls setWebhook with TELEGRAM_WEBHOOK_URL and TELEGRAM_SECRET_TOKEN (Telegram then sends that
token in the X-Telegram-Bot-Api-Secret-Token header of every update) and only the update types the
assistant answers. `delete` is needed before polling with the same bot (`python -m bot telegram-poll`,
or TELEGRAM_MODE=polling with `python -m bot serve`): Telegram refuses getUpdates while a webhook is set.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))  # run as a file without `pip install -e .`
    from telegram.error import TelegramError

    from adapters.telegram_setup import delete_webhook, set_webhook, webhook_status
    from bot.errors import BotError
    from bot.settings import Settings

    parser = argparse.ArgumentParser(prog="telegram_webhook.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    set_cmd = sub.add_parser("set", help="setWebhook to TELEGRAM_WEBHOOK_URL with TELEGRAM_SECRET_TOKEN")
    set_cmd.add_argument("--drop-pending", action="store_true", help="discard updates Telegram still holds")
    set_cmd.add_argument(
        "--max-connections", type=int, default=None, help="parallel webhook requests (1-100)"
    )
    sub.add_parser("info", help="show getWebhookInfo")
    delete_cmd = sub.add_parser("delete", help="deleteWebhook (before polling)")
    delete_cmd.add_argument(
        "--drop-pending", action="store_true", help="discard updates Telegram still holds"
    )
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env(env).telegram
        if args.command == "set":
            warnings = asyncio.run(
                set_webhook(
                    settings, drop_pending_updates=args.drop_pending, max_connections=args.max_connections
                )
            )
            for warning in warnings:
                print(f"warning: {warning}", file=sys.stderr)
            print(f"webhook set: {settings.webhook_url}")
        elif args.command == "delete":
            asyncio.run(delete_webhook(settings, drop_pending_updates=args.drop_pending))
            print("webhook deleted")
        else:
            status = asyncio.run(webhook_status(settings))
            print(f"url: {status.url or '(none: polling or not set)'}")
            print(f"pending updates: {status.pending_update_count}")
            print(
                f"allowed updates: {', '.join(status.allowed_updates) or '(all but a few, Telegram default)'}"
            )
            if status.max_connections:
                print(f"max connections: {status.max_connections}")
            if status.last_error_message:
                print(f"last error: {status.last_error_message}")
    except BotError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except TelegramError as exc:
        print(f"Telegram refused: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
