"""What a window at a spot costs, and the platform's share of it."""

from __future__ import annotations

from datetime import datetime
from math import ceil

from core.money import Money

MINUTES_PER_DAY = 24 * 60


def price_for_window(hourly: Money, daily: Money | None, start: datetime, end: datetime) -> Money:
    """Prorated by the started minute; each full day and the remainder are capped at the
    daily price, so a long stay never costs more than its days."""
    minutes = ceil((end - start).total_seconds() / 60)
    days, rest = divmod(minutes, MINUTES_PER_DAY)
    day_rate = hourly.minor * 24 if daily is None else min(daily.minor, hourly.minor * 24)
    rest_cost = (hourly.minor * rest * 2 + 60) // 120  # minutes -> minor units, half up
    if daily is not None:
        rest_cost = min(rest_cost, daily.minor)
    return Money(days * day_rate + rest_cost, hourly.currency)


def commission_for(price: Money, basis_points: int) -> Money:
    return price.share(basis_points)
