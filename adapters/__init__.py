"""Channels. An adapter only translates channel traffic into `bot.messages.InboundMessage` and replies back."""
