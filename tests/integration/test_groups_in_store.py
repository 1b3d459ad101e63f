"""Neighbourhood groups in the store: a spot offered to a group first admits its members to a
weekly series and a monthly pass days ahead, and nobody else; a group turned off admits all."""

from datetime import timedelta

import pytest

from core.availability import WeeklyRule
from core.errors import NotInTheGroup, OnlyForTheGroup
from core.money import Money
from core.neighbourhood import GroupOffer
from core.services import communities, passes, series
from core.window import Window
from tests.integration.builders import a_person, an_approved_spot

DAY = timedelta(days=1)


async def _offered(db, clock, offer: GroupOffer):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    async with db.unit_of_work() as uow:
        group = await communities.joined(uow, clock, chat_id=-1001, title="Elm St")
        await communities.set_offer(
            uow, clock, owner_id=owner.id, spot_id=spot.id, community_id=group.id, offer=offer
        )
    return owner, spot, group.id


def _days_ahead(clock) -> list[Window]:
    first = clock.now().replace(minute=0, second=0, microsecond=0) + 2 * DAY
    return [Window(first + n * DAY, first + n * DAY + timedelta(hours=2)) for n in range(3)]


async def _series(db, clock, driver, spot, member_of=frozenset()):
    async with db.unit_of_work() as uow:
        return await series.book(
            uow, clock, driver_id=driver.id, spot_id=spot.id, pattern="daily 9-11 for 3 days",
            windows=_days_ahead(clock), commission_basis_points=1500, member_of=member_of,
        )  # fmt: skip


async def test_a_series_days_ahead_at_a_group_first_spot_is_for_its_members(db, clock):
    _owner, spot, group = await _offered(db, clock, GroupOffer.FIRST)
    nina, otto = await a_person(db, clock, "Nina"), await a_person(db, clock, "Otto")
    with pytest.raises(NotInTheGroup):
        await _series(db, clock, otto, spot)
    booked = await _series(db, clock, nina, spot, frozenset({group}))
    assert len(booked.bookings) == 3


async def test_a_pass_at_a_group_only_spot_is_for_its_members_until_the_group_is_off(db, clock):
    owner, spot, _group = await _offered(db, clock, GroupOffer.ONLY)
    async with db.unit_of_work() as uow:
        await passes.offer(
            uow, clock, owner_id=owner.id, spot_id=spot.id,
            band=(WeeklyRule(0, 8 * 60, 18 * 60),), monthly=Money(4000, "EUR"), notice_days=7,
        )  # fmt: skip
    otto = await a_person(db, clock, "Otto")

    async def take(member_of=frozenset()):
        async with db.unit_of_work() as uow:
            quote = await passes.quote(uow, clock, spot_id=spot.id, driver_id=otto.id)
            return await passes.take(
                uow, clock, spot_id=spot.id, driver_id=otto.id, agreed=passes.terms_of(quote),
                commission_basis_points=1500, member_of=member_of,
            )  # fmt: skip

    with pytest.raises(OnlyForTheGroup):
        await take()
    async with db.unit_of_work() as uow:
        await communities.set_active(uow, chat_id=-1001, active=False)
    assert isinstance(await take(), passes.Taken)
