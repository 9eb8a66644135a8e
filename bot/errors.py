"""One exception tree for the whole assistant."""

from __future__ import annotations


class BotError(Exception):
    """Base of every error the assistant raises on purpose."""


class ConfigError(BotError):
    """A setting is missing or invalid; raised at start-up, never with `assert`."""


class AdapterError(BotError):
    """A channel could not translate or deliver traffic."""


class SignatureInvalid(AdapterError):
    """A webhook request failed authentication (signature, secret token or timestamp age)."""


class PayloadInvalid(AdapterError):
    """A webhook body is malformed or too large."""


class DeliveryFailed(AdapterError):
    """A message could not be delivered through a platform API."""


class CaseNotFound(BotError):
    """No case with that reference (or not visible to the caller)."""
