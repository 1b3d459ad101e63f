"""When the managers last heard of each kind of unexpected failure, so that a failing
dependency reaches their group once in a while, not with every update."""

from __future__ import annotations

from datetime import datetime, timedelta

# The managers hear of one kind of failure at most this often; the rest is in the logs.
ALERT_PERIOD = timedelta(minutes=10)


class AlertThrottle:
    """When each kind of failure was last reported to the managers."""

    def __init__(self, period: timedelta = ALERT_PERIOD) -> None:
        self.period = period
        self._last: dict[str, datetime] = {}

    def should_alert(self, kind: str, now: datetime) -> bool:
        last = self._last.get(kind)
        if last is not None and now - last < self.period:
            return False
        self._last[kind] = now
        return True
