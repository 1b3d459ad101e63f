"""What a window at a spot costs, and how what is paid divides between the owner and the
platform."""

from __future__ import annotations

import functools
from datetime import datetime
from math import ceil
from typing import TYPE_CHECKING, Any

from core.money import Money

if TYPE_CHECKING:
    from sqlalchemy import Row

    from core.db.models import Spot
    from core.window import Window

MINUTES_PER_DAY = 24 * 60


def price_for_window(hourly: Money, daily: Money | None, start: datetime, end: datetime) -> Money:
    """Prorated by the started minute; each full day and the remainder are capped at the
    daily price, so a long stay never costs more than its days."""
    return price_for_minutes(hourly, daily, ceil((end - start).total_seconds() / 60))


@functools.lru_cache(maxsize=4096)
def price_for_minutes(hourly: Money, daily: Money | None, minutes: int) -> Money:
    """``price_for_window`` of a window ``minutes`` long: only its length decides. Kept for
    the few hundred price lists of a city, which a search prices again for every hit."""
    days, rest = divmod(minutes, MINUTES_PER_DAY)
    day_rate = hourly.minor * 24 if daily is None else min(daily.minor, hourly.minor * 24)
    rest_cost = (hourly.minor * rest * 2 + 60) // 120  # minutes -> minor units, half up
    if daily is not None:
        rest_cost = min(rest_cost, daily.minor)
    return Money(days * day_rate + rest_cost, hourly.currency)


def price_of(spot: Spot | Row[Any], window: Window) -> Money:
    """The price of ``window`` at a spot, from the spot or a search's row of it: the one
    reckoning the search, the spot's card, the offer and the booking all show and charge."""
    # A search's row has plain columns, a Spot its Money: both have the minor units.
    daily = Money.optional(spot.daily_price_minor or None, spot.currency)
    hourly = Money.of_row(spot, "hourly_price")
    return price_for_window(hourly, daily, window.start, window.end)


def commission_for(price: Money, basis_points: int) -> Money:
    return price.share(basis_points)


def commission_on_part(price: Money, commission: Money, part: Money) -> Money:
    """The platform's commission on ``part`` of a price it took ``commission`` of, in
    proportion and rounded down (all of it when the part is the whole price)."""
    return Money(part.minor * commission.minor // price.minor, part.currency)


def owner_share(paid: Money, commission: Money) -> Money:
    """What the owner receives of an amount paid for their spot: all of it but the
    platform's commission on it."""
    return paid - commission


def operator_cut(payout: Money, share_bp: int) -> Money:
    """An operator's share (``share_bp`` hundredths of a per cent) of an owner's payout,
    rounded down: the owner keeps the odd cent."""
    return Money(payout.minor * share_bp // 10_000, payout.currency)
