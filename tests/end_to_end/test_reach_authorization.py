"""Every new way in, walked by those who must not get through: a stranger, another owner (in
the same group, with a spot of his own), the operator of another owner, and a banned person.
Who can book a spot, how it is offered to a group, a link to a spot that is paused, /share and
the group switch; afterwards nothing they pressed changed anything."""

import pytest
from sqlalchemy import select

from core.db.models import Community, Person, Spot, SpotCommunity
from core.services import operators
from core.status import SpotStatus
from tests.end_to_end.test_bookings import _owner_and_spot
from tests.integration.builders import a_person, an_approved_spot


async def _as_stored(sandbox):
    async with sandbox.database.reading() as uow:
        spots = list(await uow.session.scalars(select(Spot).order_by(Spot.id)))
        links = list(await uow.session.scalars(select(SpotCommunity).order_by(SpotCommunity.id)))
        groups = list(await uow.session.scalars(select(Community)))
    return (
        [(s.id, s.min_driver_tier, s.min_completed_stays, s.instant_booking) for s in spots],
        [(link.spot_id, link.community_id, link.only) for link in links],
        [(g.id, g.active) for g in groups],
    )


@pytest.mark.parametrize("who", ["stranger", "other owner", "other operator", "banned"])
async def test_nobody_but_the_owner_changes_who_books_a_spot_or_how_a_group_has_it(sandbox, who):
    olga, spot = await _owner_and_spot(sandbox)
    group = sandbox.world.add_group("Elm St", admins=[olga.id], members=[])
    await olga.add_bot_to(group.id)
    await olga.send("/offerhere", chat=group.id)
    await olga.press("🏘 First")
    community = olga.last_message().button_data[0].split(":")[1]
    paused = await an_approved_spot(
        sandbox.database, sandbox.clock, await a_person(sandbox.database, sandbox.clock, "Pia")
    )
    async with sandbox.database.unit_of_work() as uow:
        (await uow.spots.get(paused.id)).status = SpotStatus.PAUSED

    mallory = sandbox.person("Mallory")
    await mallory.send("/start")
    group.members[mallory.id] = "member"
    if who == "other owner":
        async with sandbox.database.reading() as uow:
            me = await uow.session.scalar(select(Person).where(Person.telegram_id == mallory.id))
        await an_approved_spot(sandbox.database, sandbox.clock, me)
    if who == "other operator":
        # Mallory manages Pia's spots, not Olga's.
        pia_person = await a_person(sandbox.database, sandbox.clock, "Pia B")
        async with sandbox.database.unit_of_work() as uow:
            me = await uow.people.by_telegram_id(mallory.id)
            code = (await operators.invite(uow, sandbox.clock, owner_id=pia_person.id,
                                           percent=10)).code  # fmt: skip
            await operators.accept(uow, sandbox.clock, code=code, person_id=me.id)
        await an_approved_spot(sandbox.database, sandbox.clock, pia_person)
    if who == "banned":
        async with sandbox.database.unit_of_work() as uow:
            (await uow.people.by_telegram_id(mallory.id)).banned = True
    before = await _as_stored(sandbox)

    for data in (f"rq:show:{spot.id}", f"rq:tier:{spot.id}:trusted", f"rq:answer:{spot.id}:ask",
                 f"gc:{community}:{spot.id}:none", f"gc:{community}:{spot.id}:only"):  # fmt: skip
        answer = await mallory.press_data(data, mallory.last_message())
        assert answer is not None, data
        assert answer["show_alert"], data
    await mallory.open_link(f"https://t.me/parkshare_bot?start=spot_{paused.id}")
    refused = mallory.last_message().text
    if who == "banned":
        assert "Your ParkShare account is suspended" in refused
    else:
        assert refused == "That spot doesn't exist or is no longer listed."
    await mallory.send("/groupspots off", chat=group.id)
    assert "Only the group's admins" in mallory.last_message(chat=group.id).text

    assert await _as_stored(sandbox) == before
