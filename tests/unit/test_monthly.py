"""A monthly pass's months: their ends, the stays a band makes in them, and each stay's share
of the month's price."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.availability import MINUTES_PER_DAY, WeeklyRule
from core.errors import InvalidInput
from core.money import Money
from core.monthly import decode_band, encode_band, month_after, priced, stays_of
from core.window import Window

BERLIN = ZoneInfo("Europe/Berlin")
NIGHTS = tuple(
    rule for day in range(7)
    for rule in (WeeklyRule(day, 0, 8 * 60), WeeklyRule(day, 19 * 60, MINUTES_PER_DAY))
)  # fmt: skip
ALL_DAY = tuple(WeeklyRule(day, 0, MINUTES_PER_DAY) for day in range(7))


def _berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-06-01 11:00", "2026-07-01 11:00"),
        ("2027-01-31 09:00", "2027-02-28 09:00"),  # the last day of a shorter month
        ("2026-12-15 00:00", "2027-01-15 00:00"),
        ("2026-10-10 12:00", "2026-11-10 12:00"),  # across the end of summer time
    ],
)
def test_a_month_ends_on_the_same_local_day_and_time_next_month(start, end):
    assert month_after(_berlin(start), BERLIN) == _berlin(end)


def test_months_after_the_first_keep_its_day_and_hour():
    anchor = _berlin("2026-01-29 02:30")
    ends = [anchor]
    for _ in range(4):
        ends.append(month_after(ends[-1], BERLIN, anchor=anchor))
    # February has no 29th; 29 March has no 02:30 (the clocks go forward); April has both.
    assert ends[1:] == [
        _berlin("2026-02-28 02:30"),
        _berlin("2026-03-29 03:30"),
        _berlin("2026-04-29 02:30"),
        _berlin("2026-05-29 02:30"),
    ]
    # Unanchored, each month would take the last one's day and hour instead.
    assert month_after(ends[2], BERLIN) == _berlin("2026-04-29 03:30")


def test_nights_are_one_stay_each_and_cut_at_the_months_edges():
    stays = stays_of(NIGHTS, BERLIN, _berlin("2026-06-01 02:00"), _berlin("2026-06-03 06:00"))
    assert stays == [
        Window(_berlin("2026-06-01 02:00"), _berlin("2026-06-01 08:00")),
        Window(_berlin("2026-06-01 19:00"), _berlin("2026-06-02 08:00")),
        Window(_berlin("2026-06-02 19:00"), _berlin("2026-06-03 06:00")),
    ]


def test_an_all_day_band_is_stays_of_at_most_a_week():
    start = _berlin("2026-06-01 11:00")
    stays = stays_of(ALL_DAY, BERLIN, start, month_after(start, BERLIN))
    assert [stay.length for stay in stays] == [timedelta(days=7)] * 4 + [timedelta(days=2)]
    assert stays[0].start == start


def test_the_free_stays_shares_add_up_to_the_months_price_or_its_free_part():
    start = _berlin("2026-06-01 11:00")
    stays = stays_of(NIGHTS, BERLIN, start, month_after(start, BERLIN))
    every = priced(Money(12000, "EUR"), stays, [True] * len(stays))
    assert sum(share.minor for share in every) == 12000
    one_taken = [n != 3 for n in range(len(stays))]
    shares = priced(Money(12000, "EUR"), stays, one_taken)
    assert shares[3] == Money(0, "EUR")
    assert sum(share.minor for share in shares) == 12000 * 29 // 30


def test_a_band_is_stored_and_read_back():
    assert decode_band(encode_band(NIGHTS)) == tuple(
        sorted(NIGHTS, key=lambda r: (r.weekday, r.start_minute))
    )
    with pytest.raises(InvalidInput):
        decode_band("7,0,60")
