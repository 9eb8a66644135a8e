"""Settings from the environment, validated at start-up (see the table in README.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class WeChatSettings:
    token: str = ""
    app_id: str = ""
    app_secret: str = ""
    aes_key: str = ""  # EncodingAESKey, 43 characters, for compatible and safe modes
    mode: str = "plain"  # plain | compatible | safe
    api_base: str = "https://api.weixin.qq.com/cgi-bin/"
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
    api_base: str = "https://api.telegram.org/bot"
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
    staff_token: str = ""
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
            staff_token=env.get("CA_STAFF_TOKEN", ""),
            log_level=env.get("CA_LOG_LEVEL", "INFO").upper(),
            wechat=WeChatSettings(
                token=env.get("WECHAT_TOKEN", ""),
                app_id=env.get("WECHAT_APP_ID", ""),
                app_secret=env.get("WECHAT_APP_SECRET", ""),
                aes_key=env.get("WECHAT_AES_KEY", ""),
                mode=env.get("WECHAT_MODE", "plain").strip().lower(),
                api_base=env.get("WECHAT_API_BASE", WeChatSettings.api_base),
                max_timestamp_age=_int(env, "WECHAT_MAX_TIMESTAMP_AGE", 300),
                template_id=env.get("WECHAT_TEMPLATE_ID", ""),
            ),
            telegram=TelegramSettings(
                token=env.get("TELEGRAM_TOKEN", ""),
                secret_token=env.get("TELEGRAM_SECRET_TOKEN", ""),
                mode=env.get("TELEGRAM_MODE", "webhook").strip().lower(),
                api_base=env.get("TELEGRAM_API_BASE", TelegramSettings.api_base),
                webhook_url=env.get("TELEGRAM_WEBHOOK_URL", ""),
            ),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.nlu_backend not in ("embedded", "rasa"):
            raise ConfigError(f"NLU_BACKEND must be 'embedded' or 'rasa', not {self.nlu_backend!r}")
        if self.nlu_backend == "rasa" and not self.rasa_url:
            raise ConfigError("NLU_BACKEND=rasa needs RASA_URL, e.g. http://127.0.0.1:5005")
        if self.wechat.mode not in ("plain", "compatible", "safe"):
            raise ConfigError(f"WECHAT_MODE must be plain, compatible or safe, not {self.wechat.mode!r}")
        if self.wechat.enabled and self.wechat.mode != "plain" and len(self.wechat.aes_key) != 43:
            raise ConfigError(
                "WECHAT_AES_KEY (EncodingAESKey) must have 43 characters in compatible/safe mode"
            )
        if self.telegram.mode not in ("webhook", "polling"):
            raise ConfigError(f"TELEGRAM_MODE must be webhook or polling, not {self.telegram.mode!r}")
        if self.telegram.enabled and self.telegram.mode == "webhook" and not self.telegram.secret_token:
            raise ConfigError("TELEGRAM_SECRET_TOKEN is required in webhook mode")
        if self.idle_timeout_minutes < 1:
            raise ConfigError("CA_IDLE_TIMEOUT_MINUTES must be at least 1")
        if not 100 <= self.max_message_chars <= 100_000:
            raise ConfigError("CA_MAX_MESSAGE_CHARS must be between 100 and 100000")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
