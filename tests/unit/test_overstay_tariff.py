"""The overstay tariff: free within the grace, then every started quarter-hour from the end at
1.5x the hourly price in the first hour and 2x after it (the defaults), rounded half up."""

from datetime import timedelta

import pytest

from core.money import Money
from core.overstay_tariff import OverstayTariff

DEFAULT = OverstayTariff(timedelta(minutes=10), 150, 200)
EUR_3 = Money(300, "EUR")


@pytest.mark.parametrize(
    ("minutes", "quarters", "minor"),
    [
        (0, 0, 0),
        (10, 0, 0),  # within the grace
        (11, 1, 113),  # past it: the first quarter from the end, 112.5 half up
        (15, 1, 113),
        (16, 2, 225),
        (40, 3, 338),  # three started quarters at 1.5x
        (60, 4, 450),  # the first hour: 1.5 x 3.00
        (61, 5, 600),  # a fifth quarter at 2x: 450 + 150
        (90, 6, 750),
        (120, 8, 1050),
        (24 * 60, 96, 450 + 92 * 150),
    ],
)
def test_each_started_quarter_hour_costs_the_rate_of_its_hour(minutes, quarters, minor):
    overrun = timedelta(minutes=minutes)
    assert DEFAULT.quarters(overrun) == quarters
    assert DEFAULT.charge(EUR_3, overrun) == Money(minor, "EUR")


def test_a_second_past_the_grace_starts_a_quarter():
    assert DEFAULT.quarters(timedelta(minutes=10, seconds=1)) == 1


@pytest.mark.parametrize(
    ("tariff", "minor"),
    [
        (OverstayTariff(timedelta(0), 100, 100), 300),  # the plain hourly price for an hour
        (OverstayTariff(timedelta(0), 150, 200), 450),
        (OverstayTariff(timedelta(0), 200, 300), 600),
        (OverstayTariff(timedelta(hours=2), 150, 200), 0),  # a grace longer than the overrun
    ],
)
def test_the_platform_sets_the_rates_and_the_grace(tariff, minor):
    assert tariff.charge(EUR_3, timedelta(hours=1)) == Money(minor, "EUR")


def test_an_overstay_always_costs_more_than_booking_the_time():
    for minutes in range(11, 300):
        overrun = timedelta(minutes=minutes)
        booked = EUR_3.minor * minutes / 60
        assert DEFAULT.charge(EUR_3, overrun).minor > booked


def test_the_rates_shown_are_hourly():
    assert DEFAULT.hourly_rates(EUR_3) == (Money(450, "EUR"), Money(600, "EUR"))
    assert DEFAULT.hourly_rates(Money(1, "JPY")) == (Money(2, "JPY"), Money(2, "JPY"))
