"""Open and seal WeChat callback bodies in plain, compatible and safe (AES) mode.

Plain: the body is the message. Safe: the body carries `<Encrypt>`, signed by `msg_signature`;
replies are encrypted too. Compatible: WeChat may send either; a reply is encrypted exactly when
the request was. wechatpy's WeChatCrypto does the AES work; its own signature comparison uses `!=`,
so `msg_signature` is checked here in constant time first.
"""

from __future__ import annotations

import binascii
import secrets
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from adapters.wechat_signature import check_msg_signature
from adapters.wechat_xml import read_xml, text_field
from bot.errors import ConfigError, PayloadInvalid, SignatureInvalid
from bot.settings import WeChatSettings

MODES = ("plain", "compatible", "safe")


@dataclass(frozen=True, slots=True)
class CallbackParams:
    """The query parameters WeChat adds to every callback URL."""

    signature: str
    timestamp: str
    nonce: str
    encrypt_type: str = ""
    msg_signature: str = ""
    echostr: str = ""

    @property
    def encrypted(self) -> bool:
        return self.encrypt_type.lower() == "aes"

    @classmethod
    def from_query(cls, query: Mapping[str, str], *, need_echostr: bool = False) -> CallbackParams:
        required = ("signature", "timestamp", "nonce", *(("echostr",) if need_echostr else ()))
        missing = [name for name in required if not query.get(name)]
        if missing:
            raise PayloadInvalid(f"missing query parameters: {', '.join(missing)}")
        return cls(
            signature=query["signature"],
            timestamp=query["timestamp"],
            nonce=query["nonce"],
            encrypt_type=query.get("encrypt_type", ""),
            msg_signature=query.get("msg_signature", ""),
            echostr=query.get("echostr", ""),
        )


@dataclass(frozen=True, slots=True)
class OpenedBody:
    xml: str
    encrypted: bool


class Envelope:
    def __init__(self, settings: WeChatSettings) -> None:
        if settings.mode not in MODES:
            raise ValueError(f"unknown WeChat mode {settings.mode!r}")
        self._mode = settings.mode
        self._token = settings.token
        self._crypto = _crypto(settings) if settings.mode != "plain" else None

    def open(self, params: CallbackParams, body: bytes) -> OpenedBody:
        """The message XML of an authenticated body (the `signature` parameter is checked before)."""
        if not params.encrypted:
            if self._mode == "safe":
                raise PayloadInvalid("safe mode: encrypt_type=aes and msg_signature are required")
            try:
                return OpenedBody(body.decode("utf-8"), encrypted=False)
            except UnicodeDecodeError as exc:
                raise PayloadInvalid("the body is not UTF-8") from exc
        if self._crypto is None:
            raise PayloadInvalid("encrypted message, but WECHAT_MODE is plain")
        if not params.msg_signature:
            raise PayloadInvalid("missing query parameter: msg_signature")
        fields = read_xml(body)
        encrypt = text_field(fields, "Encrypt")
        if not encrypt:
            raise PayloadInvalid("encrypted message without <Encrypt>")
        check_msg_signature(self._token, params.msg_signature, params.timestamp, params.nonce, encrypt)
        try:
            xml = self._crypto.decrypt_message(
                {"Encrypt": encrypt}, params.msg_signature.lower(), params.timestamp, params.nonce
            )
        except InvalidAppIdException as exc:
            raise SignatureInvalid("the message was encrypted for another app id") from exc
        except InvalidSignatureException as exc:  # checked above; kept so nothing slips through
            raise SignatureInvalid("msg_signature does not match") from exc
        except (ValueError, binascii.Error, struct.error, IndexError, UnicodeDecodeError) as exc:
            raise PayloadInvalid(f"cannot decrypt the message: {type(exc).__name__}") from exc
        return OpenedBody(xml, encrypted=True)

    def seal(self, xml: str, *, encrypted: bool, timestamp: str) -> str:
        """The reply body: encrypted (with a fresh nonce) when the request was."""
        if not encrypted or self._crypto is None:
            return xml
        return str(self._crypto.encrypt_message(xml, secrets.token_hex(8), timestamp))


def _crypto(settings: WeChatSettings) -> WeChatCrypto:
    try:
        return WeChatCrypto(settings.token, settings.aes_key, settings.app_id)
    except (AssertionError, ValueError, binascii.Error) as exc:  # wechatpy asserts a 32-byte key
        raise ConfigError("WECHAT_AES_KEY is not a valid EncodingAESKey (43 characters of base64)") from exc
