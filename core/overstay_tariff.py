"""What staying past the end of a booking costs: nothing within a short grace, then every
started quarter-hour from the end at a rising share of the spot's hourly price (a higher one
after the first hour), so that overstaying always costs more than booking the time would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.money import Money

QUARTER = timedelta(minutes=15)
QUARTERS_AT_FIRST_RATE = 4


@dataclass(frozen=True, slots=True)
class OverstayTariff:
    grace: timedelta
    # Shares of the hourly price, in percent: the first hour's rate, and the rate after it.
    first_hour_percent: int
    later_percent: int

    def quarters(self, overrun: timedelta) -> int:
        """Started quarter-hours charged for a car gone ``overrun`` after the end."""
        if overrun <= self.grace:
            return 0
        return -(-overrun // QUARTER)

    def charge(self, hourly: Money, overrun: timedelta) -> Money:
        quarters = self.quarters(overrun)
        first = min(quarters, QUARTERS_AT_FIRST_RATE)
        later = quarters - first
        # Minor units of (quarters x hourly / 4 x percent / 100), half up.
        scaled = hourly.minor * (first * self.first_hour_percent + later * self.later_percent)
        return Money((scaled + 200) // 400, hourly.currency)

    def hourly_rates(self, hourly: Money) -> tuple[Money, Money]:
        """The hourly prices of overstaying, in the first hour and after it, as shown."""
        return (
            Money((hourly.minor * self.first_hour_percent + 50) // 100, hourly.currency),
            Money((hourly.minor * self.later_percent + 50) // 100, hourly.currency),
        )
