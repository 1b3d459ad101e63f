import pytest

from core.db.models import Role
from core.errors import (
    IllegalSpotTransition,
    InvalidInput,
    InvalidLocation,
    InvalidPrice,
    SpotNotFound,
)
from core.geo import GeoPoint
from core.money import Money
from core.services import people, spots
from core.status import SpotStatus
from tests.integration.builders import BERLIN_CENTRE, a_person


def draft(**changes) -> spots.SpotDraft:
    values = {"title": "Courtyard spot", "point": BERLIN_CENTRE, "hourly_price": Money(250, "EUR")}
    values.update(changes)
    return spots.SpotDraft(**values)


async def test_a_listed_spot_waits_for_moderation_in_its_own_timezone(db, clock):
    owner = await a_person(db, clock)
    async with db.unit_of_work() as uow:
        spot = await spots.create(uow, clock, owner_id=owner.id, draft=draft(photo_file_ids=["a"]))
    async with db.unit_of_work() as uow:
        stored = await uow.spots.get(spot.id, with_photos=True)
        assert stored.status == SpotStatus.PENDING
        assert stored.timezone == "Europe/Berlin"
        assert [photo.telegram_file_id for photo in stored.photos] == ["a"]
        assert Role.OWNER in (await people.get(uow, owner.id)).roles


async def test_without_moderation_a_spot_is_approved_at_once(db, clock):
    owner = await a_person(db, clock)
    async with db.unit_of_work() as uow:
        spot = await spots.create(uow, clock, owner_id=owner.id, draft=draft(), moderated=False)
    assert spot.status == SpotStatus.APPROVED


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"hourly_price": Money(-100, "EUR")}, InvalidPrice),
        ({"hourly_price": Money(0, "EUR")}, InvalidPrice),
        ({"daily_price": Money(-1, "EUR")}, InvalidPrice),
        ({"daily_price": Money(2000, "USD")}, InvalidPrice),
        ({"title": "   "}, InvalidInput),
        ({"title": "x" * 81}, InvalidInput),
        ({"photo_file_ids": ["p"] * 6}, InvalidInput),
        ({"point": GeoPoint(40.0, -40.0)}, InvalidLocation),
    ],
)
async def test_invalid_listings_are_refused_and_nothing_is_written(db, clock, changes, error):
    owner = await a_person(db, clock)
    async with db.unit_of_work() as uow:
        with pytest.raises(error):
            await spots.create(uow, clock, owner_id=owner.id, draft=draft(**changes))
    async with db.unit_of_work() as uow:
        assert await uow.spots.owned_by(owner.id) == []


async def test_a_rejected_spot_keeps_the_reason(db, clock):
    owner = await a_person(db, clock)
    async with db.unit_of_work() as uow:
        spot = await spots.create(uow, clock, owner_id=owner.id, draft=draft())
        await spots.set_status(uow, spot.id, SpotStatus.REJECTED, reason="blurry photos")
    assert spot.rejection_reason == "blurry photos"


async def test_a_pending_spot_cannot_be_paused(db, clock):
    owner = await a_person(db, clock)
    async with db.unit_of_work() as uow:
        spot = await spots.create(uow, clock, owner_id=owner.id, draft=draft())
        with pytest.raises(IllegalSpotTransition):
            await spots.set_status(uow, spot.id, SpotStatus.PAUSED)


async def test_another_persons_spot_looks_like_no_spot(db, clock):
    owner = await a_person(db, clock)
    stranger = await a_person(db, clock, "Mallory")
    async with db.unit_of_work() as uow:
        spot = await spots.create(uow, clock, owner_id=owner.id, draft=draft())
    async with db.unit_of_work() as uow:
        with pytest.raises(SpotNotFound) as caught:
            await spots.add_weekly_rule(
                uow, spot_id=spot.id, owner_id=stranger.id, weekday=0, start_minute=0,
                end_minute=60,
            )  # fmt: skip
    assert caught.value.code == "not_found.spot"
