"""One module per ConversationHandler flow, each built on ``bot.flow``."""
