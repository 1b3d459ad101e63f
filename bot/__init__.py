"""The Telegram side of ParkShare."""

import os

# Durations from python-telegram-bot (retry_after, live_period, ...) as timedelta, the type
# its next major version uses; the int form is deprecated and warns on every flood limit.
os.environ.setdefault("PTB_TIMEDELTA", "true")
