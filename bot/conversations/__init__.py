"""One module per ConversationHandler flow; ``conversation()`` gives them common settings."""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import Any

from telegram.ext import ConversationHandler
from telegram.warnings import PTBUserWarning

DEFAULT_TIMEOUT = timedelta(minutes=30)


def conversation(**options: Any) -> ConversationHandler:
    """A persistent, chat-scoped flow. Our flows mix typed answers and inline buttons in one chat
    on purpose, so PTB's note that buttons are tracked per chat rather than per message is
    expected here and not repeated at every start."""
    options.setdefault("persistent", True)
    options.setdefault("conversation_timeout", DEFAULT_TIMEOUT)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(**options)
