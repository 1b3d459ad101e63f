"""The local Bot API and web chat: Telegram stand-ins for running the bot without a token."""
