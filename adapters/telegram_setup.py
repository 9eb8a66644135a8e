"""Registering the webhook with Telegram (setWebhook with the secret token), used by scripts/telegram_webhook.py."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from adapters.telegram_bot import new_bot
from adapters.telegram_updates import ALLOWED_UPDATES
from adapters.telegram_webhook import WEBHOOK_PATH
from bot.errors import ConfigError
from bot.settings import TelegramSettings

# Telegram only calls webhooks on these ports.
WEBHOOK_PORTS = (443, 80, 88, 8443)


@dataclass(frozen=True, slots=True)
class WebhookStatus:
    """What getWebhookInfo says, without the fields that do not concern this bot."""

    url: str
    pending_update_count: int
    last_error_message: str = ""
    max_connections: int | None = None
    allowed_updates: tuple[str, ...] = ()


def check_webhook_url(url: str) -> list[str]:
    """Refuse what Telegram would refuse; return warnings for what is allowed but probably wrong."""
    if not url:
        raise ConfigError(
            "TELEGRAM_WEBHOOK_URL is not set, e.g. https://assistant.example.org/telegram/webhook"
        )
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(f"TELEGRAM_WEBHOOK_URL must be an https:// URL, not {url!r}")
    port = parts.port or 443
    if port not in WEBHOOK_PORTS:
        raise ConfigError(f"Telegram only calls webhooks on ports {WEBHOOK_PORTS}, not {port}")
    warnings: list[str] = []
    if not parts.path.rstrip("/").endswith(WEBHOOK_PATH):
        warnings.append(
            f"the URL path {parts.path or '/'!r} is not {WEBHOOK_PATH}: make sure the reverse proxy maps it there"
        )
    return warnings


def _require(settings: TelegramSettings) -> None:
    if not settings.token:
        raise ConfigError("TELEGRAM_TOKEN is not set")


async def set_webhook(
    settings: TelegramSettings, *, drop_pending_updates: bool = False, max_connections: int | None = None
) -> list[str]:
    """Point Telegram at settings.webhook_url with settings.secret_token; return the URL warnings."""
    _require(settings)
    if not settings.secret_token:
        raise ConfigError("TELEGRAM_SECRET_TOKEN is not set: the webhook would refuse every update")
    warnings = check_webhook_url(settings.webhook_url)
    async with new_bot(settings) as bot:
        await bot.set_webhook(
            url=settings.webhook_url,
            secret_token=settings.secret_token,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending_updates,
            max_connections=max_connections,
        )
    return warnings


async def delete_webhook(settings: TelegramSettings, *, drop_pending_updates: bool = False) -> None:
    """Remove the webhook (needed before polling elsewhere)."""
    _require(settings)
    async with new_bot(settings) as bot:
        await bot.delete_webhook(drop_pending_updates=drop_pending_updates)


async def webhook_status(settings: TelegramSettings) -> WebhookStatus:
    _require(settings)
    async with new_bot(settings) as bot:
        info = await bot.get_webhook_info()
    return WebhookStatus(
        url=info.url,
        pending_update_count=info.pending_update_count,
        last_error_message=info.last_error_message or "",
        max_connections=info.max_connections,
        allowed_updates=tuple(info.allowed_updates or ()),
    )
