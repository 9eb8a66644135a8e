"""Understanding residents' messages: normalisation, intents and entities."""
