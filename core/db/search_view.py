"""The search's read model: the queries that find spots near a point free for a window.

Core statements, built once per shape and run on a plain connection: the ORM's result machinery
would cost more than the queries themselves. What the rows mean (ranking, prices, whether the
weekly hours cover the window) is decided in ``core.services.search``."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from core.availability import WeeklyRule, weekdays_touching
from core.db.models import (
    AvailabilityRule,
    AvailabilityWindow,
    Booking,
    Person,
    Rating,
    Spot,
    VehicleSize,
)
from core.db.overlaps import availability_window_overlapping, live_booking_overlapping
from core.status import SpotStatus

_START: BindParameter[Any] = bindparam("start")
_END: BindParameter[Any] = bindparam("end")
_BOOKED_IN_WINDOW = (
    select(Booking.id).where(live_booking_overlapping(Spot.id, _START, _END)).exists()
)
_RULE_AROUND_START = (
    select(AvailabilityRule.id)
    .where(
        AvailabilityRule.spot_id == Spot.id,
        AvailabilityRule.weekday == bindparam("weekday"),
        AvailabilityRule.start_minute <= bindparam("minute_late"),
        AvailabilityRule.end_minute > bindparam("minute_early"),
    )
    .exists()
)
_OPENING_AT_START = (
    select(AvailabilityWindow.id)
    .where(
        AvailabilityWindow.spot_id == Spot.id,
        AvailabilityWindow.blocked.is_(False),
        AvailabilityWindow.start_at <= _START,
        AvailabilityWindow.end_at > _START,
    )
    .exists()
)


def candidates(
    connection: Connection,
    ranges: Sequence[tuple[int, int]],
    sieve: dict[str, Any],
    *,
    covered: bool,
    ev_charger: bool,
    sizes: tuple[VehicleSize, ...] | None,
) -> Sequence[Row[int, float, float]]:
    """(id, lat, lon) of the approved spots in the grid cells ``ranges`` that have what is
    asked for and may be free: not booked in the window, and, in the zone ``sieve`` names,
    with a weekly rule or an opening around the window's start."""
    parameters = dict(sieve)
    for n, (first, last) in enumerate(ranges):
        parameters[f"first_{n}"], parameters[f"last_{n}"] = first, last
    statement = _candidates_statement(len(ranges), covered, ev_charger, sizes)
    return connection.execute(statement, parameters).all()


@functools.cache
def _candidates_statement(
    range_count: int, covered: bool, ev_charger: bool, sizes: tuple[VehicleSize, ...] | None
) -> Select[int, float, float]:
    """Built once per shape: composing the statement anew for every search costs more than
    running it. The grid is read from the (status, cell, lat, lon, timezone) index."""
    # The status is repeated inside each range so that SQLite answers every range from the
    # index (a "multi-index OR") instead of reading every approved spot.
    query = select(Spot.id, Spot.lat, Spot.lon).where(
        or_(
            *(
                and_(
                    Spot.status == SpotStatus.APPROVED,
                    Spot.cell.between(bindparam(f"first_{n}"), bindparam(f"last_{n}")),
                )
                for n in range(range_count)
            )
        ),
        or_(Spot.timezone != bindparam("zone"), _RULE_AROUND_START, _OPENING_AT_START),
        ~_BOOKED_IN_WINDOW,
    )
    if covered:
        query = query.where(Spot.covered.is_(True))
    if ev_charger:
        query = query.where(Spot.ev_charger.is_(True))
    if sizes is not None:
        query = query.where(Spot.max_vehicle_size.in_(sizes))
    return query


# What a hit shows; read only for the candidates whose availability is being checked.
_DETAIL_COLUMNS = (
    Spot.id,
    Spot.lat,
    Spot.lon,
    Spot.title,
    Spot.address,
    Spot.timezone,
    Spot.currency,
    Spot.hourly_price_minor,
    Spot.daily_price_minor,
    Spot.covered,
    Spot.ev_charger,
    Spot.max_vehicle_size,
    Spot.owner_id,
    Person.credit_score,
)
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
# Built once: the facts a batch of candidates needs, for any ids and window.
# A spot booked for any of the window since the grid was read does not come back at all.
_DETAILS_OF = (
    select(
        *_DETAIL_COLUMNS,
        select(func.avg(Rating.stars))
        .where(Rating.spot_id == Spot.id)
        .scalar_subquery()
        .label("average"),
        select(func.count())
        .where(Rating.spot_id == Spot.id)
        .scalar_subquery()
        .label("rating_count"),
    )
    .join(Person, Person.id == Spot.owner_id)
    .where(Spot.id.in_(_IDS), ~_BOOKED_IN_WINDOW)
)
_RULES_OF = select(
    AvailabilityRule.spot_id,
    AvailabilityRule.weekday,
    AvailabilityRule.start_minute,
    AvailabilityRule.end_minute,
).where(AvailabilityRule.spot_id.in_(_IDS))
# A short window needs the rules of two or three weekdays, not all seven.
_RULES_ON_DAYS_OF = _RULES_OF.where(
    AvailabilityRule.weekday.in_(bindparam("weekdays", expanding=True))
)
_WINDOWS_OF = select(
    AvailabilityWindow.spot_id,
    AvailabilityWindow.start_at,
    AvailabilityWindow.end_at,
    AvailabilityWindow.blocked,
).where(
    AvailabilityWindow.spot_id.in_(_IDS),
    availability_window_overlapping(AvailabilityWindow.spot_id, _START, _END),
)


@dataclass(frozen=True, slots=True)
class OneOffWindow:
    start: datetime
    end: datetime
    blocked: bool


@dataclass(frozen=True, slots=True)
class BatchFacts:
    # The details of the spots with no live booking in the window (see ``_DETAIL_COLUMNS``,
    # plus ``average`` and ``rating_count``), by id; a booked spot is left out.
    unbooked: dict[int, Any]
    rules: dict[int, list[WeeklyRule]]
    windows: dict[int, list[OneOffWindow]]


def batch_facts(
    connection: Connection, ids: list[int], start: datetime, end: datetime
) -> BatchFacts:
    """What deciding whether each of ``ids`` is free for [start, end) needs, in three queries."""
    in_window = {"ids": ids, "start": start, "end": end}
    weekdays = weekdays_touching(start, end)
    rules_query = (
        connection.execute(_RULES_OF, {"ids": ids})
        if weekdays is None
        else connection.execute(_RULES_ON_DAYS_OF, {"ids": ids, "weekdays": weekdays})
    )
    rules: dict[int, list[WeeklyRule]] = defaultdict(list)
    for spot_id, weekday, first, last in rules_query:
        rules[spot_id].append(WeeklyRule(weekday, first, last))
    windows: dict[int, list[OneOffWindow]] = defaultdict(list)
    for spot_id, window_start, window_end, blocked in connection.execute(_WINDOWS_OF, in_window):
        windows[spot_id].append(OneOffWindow(window_start, window_end, blocked))
    return BatchFacts(
        unbooked={row.id: row for row in connection.execute(_DETAILS_OF, in_window)},
        rules=rules,
        windows=windows,
    )


def approved_places(session: Session) -> Sequence[Row[float, float, str, str]]:
    """(lat, lon, address, timezone) of every approved spot."""
    return session.execute(
        select(Spot.lat, Spot.lon, Spot.address, Spot.timezone).where(
            Spot.status == SpotStatus.APPROVED
        )
    ).all()
