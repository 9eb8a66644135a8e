"""Settings from the environment, validated at start-up (see the table in README.md)."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent

# Module constants, not `WeChatSettings.api_base`: on a slotted dataclass that names the slot
# descriptor, not the default string.
WECHAT_API_BASE = "https://api.weixin.qq.com/cgi-bin/"
TELEGRAM_API_BASE = "https://api.telegram.org/bot"
WECHAT_MODES = ("plain", "compatible", "safe")
TELEGRAM_MODES = ("webhook", "polling")
# BotFather's tokens are "<bot id>:<secret>"; a quote or space copied along would fail every call.
_TELEGRAM_TOKEN = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")
# What setWebhook accepts as secret_token (https://core.telegram.org/bots/api#setwebhook).
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True, slots=True)
class WeChatSettings:
    token: str = ""
    app_id: str = ""
    app_secret: str = ""
    aes_key: str = ""  # EncodingAESKey, 43 characters, for compatible and safe modes
    mode: str = "plain"  # plain | compatible | safe
    api_base: str = WECHAT_API_BASE
    max_timestamp_age: int = 300
    reply_deadline: float = 4.5
    template_id: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.token)


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    token: str = ""
    secret_token: str = ""
    mode: str = "webhook"  # webhook | polling
    api_base: str = TELEGRAM_API_BASE
    webhook_url: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.token)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    data_dir: Path
    nlu_backend: str = "embedded"
    rasa_url: str = ""
    pii_key: str = ""
    idle_timeout_minutes: int = 30
    retention_days: int = 365
    office_hours: str = "工作日 9:00-18:00"
    max_message_chars: int = 2000
    max_body_bytes: int = 64 * 1024
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    wechat: WeChatSettings = field(default_factory=WeChatSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("CA_DATA_DIR", str(REPO_ROOT / "var"))).expanduser()
        database_url = env.get("CA_DATABASE_URL", "") or f"sqlite:///{data_dir / 'assistant.db'}"
        settings = cls(
            database_url=database_url,
            data_dir=data_dir,
            nlu_backend=env.get("NLU_BACKEND", "embedded").strip().lower(),
            rasa_url=env.get("RASA_URL", "").strip(),
            pii_key=env.get("CA_PII_KEY", "").strip(),
            idle_timeout_minutes=_int(env, "CA_IDLE_TIMEOUT_MINUTES", 30),
            retention_days=_int(env, "CA_RETENTION_DAYS", 365),
            office_hours=env.get("CA_OFFICE_HOURS", "工作日 9:00-18:00"),
            max_message_chars=_int(env, "CA_MAX_MESSAGE_CHARS", 2000),
            max_body_bytes=_int(env, "CA_MAX_BODY_BYTES", 64 * 1024),
            host=env.get("CA_HOST", "127.0.0.1"),
            port=_int(env, "CA_PORT", 8000),
            log_level=env.get("CA_LOG_LEVEL", "INFO").upper(),
            # Channel credentials are stripped: a newline copied from a secret file would break every
            # signature and API call without saying why.
            wechat=WeChatSettings(
                token=_text(env, "WECHAT_TOKEN"),
                app_id=_text(env, "WECHAT_APP_ID"),
                app_secret=_text(env, "WECHAT_APP_SECRET"),
                aes_key=_text(env, "WECHAT_AES_KEY"),
                mode=_text(env, "WECHAT_MODE", "plain").lower(),
                api_base=_text(env, "WECHAT_API_BASE", WECHAT_API_BASE),
                max_timestamp_age=_int(env, "WECHAT_MAX_TIMESTAMP_AGE", 300),
                template_id=_text(env, "WECHAT_TEMPLATE_ID"),
            ),
            telegram=TelegramSettings(
                token=_text(env, "TELEGRAM_TOKEN"),
                secret_token=_text(env, "TELEGRAM_SECRET_TOKEN"),
                mode=_text(env, "TELEGRAM_MODE", "webhook").lower(),
                api_base=_text(env, "TELEGRAM_API_BASE", TELEGRAM_API_BASE),
                webhook_url=_text(env, "TELEGRAM_WEBHOOK_URL"),
            ),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.nlu_backend not in ("embedded", "rasa"):
            raise ConfigError(f"NLU_BACKEND must be 'embedded' or 'rasa', not {self.nlu_backend!r}")
        if self.nlu_backend == "rasa" and not self.rasa_url:
            raise ConfigError("NLU_BACKEND=rasa needs RASA_URL, e.g. http://127.0.0.1:5005")
        _validate_wechat(self.wechat)
        _validate_telegram(self.telegram)
        if self.idle_timeout_minutes < 1:
            raise ConfigError("CA_IDLE_TIMEOUT_MINUTES must be at least 1")
        if not 100 <= self.max_message_chars <= 100_000:
            raise ConfigError("CA_MAX_MESSAGE_CHARS must be between 100 and 100000")


def _validate_wechat(wechat: WeChatSettings) -> None:
    """Refuse at start-up what would only fail later, at the first message or staff reply."""
    if wechat.mode not in WECHAT_MODES:
        raise ConfigError(f"WECHAT_MODE must be plain, compatible or safe, not {wechat.mode!r}")
    if not wechat.enabled:
        return
    # The customer-service API (late answers, staff replies) and safe-mode decryption need both.
    if not wechat.app_id or not wechat.app_secret:
        raise ConfigError("WECHAT_TOKEN is set, so WECHAT_APP_ID and WECHAT_APP_SECRET are required too")
    if wechat.mode != "plain" and not _is_aes_key(wechat.aes_key):
        raise ConfigError(
            f"WECHAT_MODE={wechat.mode} needs WECHAT_AES_KEY, the platform's EncodingAESKey "
            "(43 letters and digits)"
        )
    if not 30 <= wechat.max_timestamp_age <= 3600:
        raise ConfigError("WECHAT_MAX_TIMESTAMP_AGE must be between 30 and 3600 seconds")
    if not _is_http_url(wechat.api_base):
        raise ConfigError(f"WECHAT_API_BASE must be an http(s):// URL, not {wechat.api_base!r}")


def _validate_telegram(telegram: TelegramSettings) -> None:
    if telegram.mode not in TELEGRAM_MODES:
        raise ConfigError(f"TELEGRAM_MODE must be webhook or polling, not {telegram.mode!r}")
    if not telegram.enabled:
        return
    if not _TELEGRAM_TOKEN.match(telegram.token):
        raise ConfigError("TELEGRAM_TOKEN does not look like a bot token from BotFather (123456789:AA...)")
    if telegram.mode == "webhook" and not telegram.secret_token:
        raise ConfigError(
            "TELEGRAM_SECRET_TOKEN is required in webhook mode (or set TELEGRAM_MODE=polling for development)"
        )
    if telegram.mode == "webhook" and not _TELEGRAM_SECRET.match(telegram.secret_token):
        raise ConfigError("TELEGRAM_SECRET_TOKEN must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    if not _is_http_url(telegram.api_base):
        raise ConfigError(f"TELEGRAM_API_BASE must be an http(s):// URL, not {telegram.api_base!r}")


def _is_aes_key(key: str) -> bool:
    """An EncodingAESKey: 43 base64 characters that decode (with the missing "=") to a 32-byte AES key."""
    if len(key) != 43 or not key.isascii() or not key.isalnum():
        return False
    try:
        return len(base64.b64decode(key + "=", validate=True)) == 32
    except binascii.Error:
        return False


def _is_http_url(url: str) -> bool:
    return url.startswith(("http://", "https://")) and len(url) > len("https://")


def _text(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, "").strip() or default


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
