"""Every way into an operator's powers, walked by those who must not get through: a stranger,
another owner, the operator of another owner, and a banned person. The invitation link, the
owner's share and end buttons, the portfolio's buttons (spots, import, prices, hours), the
owner's spot buttons and a booking request's answer; afterwards nothing they pressed changed
anything, and the real operator still gets through."""

import re

import pytest
from sqlalchemy import select

from core.db.models import Booking, Operatorship, Person, Spot
from core.status import BookingStatus
from tests.end_to_end.test_bookings import _book, _owner_and_spot
from tests.end_to_end.test_operators import spots_table, take_on_operator
from tests.integration.builders import a_person, an_approved_spot


async def _as_stored(sandbox):
    async with sandbox.database.reading() as uow:
        spots = list(await uow.session.scalars(select(Spot).order_by(Spot.id)))
        relations = list(await uow.session.scalars(select(Operatorship).order_by(Operatorship.id)))
        bookings = list(await uow.session.scalars(select(Booking).order_by(Booking.id)))
    return (
        [(s.id, s.owner_id, s.status, s.hourly_price_minor) for s in spots],
        [(r.id, r.owner_id, r.operator_id, r.share_bp, r.ended_at) for r in relations],
        [(b.id, b.status) for b in bookings],
    )


async def _person_id(sandbox, person) -> int:
    async with sandbox.database.reading() as uow:
        return await uow.session.scalar(select(Person.id).where(Person.telegram_id == person.id))


@pytest.mark.parametrize("who", ["stranger", "other owner", "other operator", "banned"])
async def test_nobody_but_the_owner_and_their_operator_manages_the_owners_spots(sandbox, who):
    olga, spot = await _owner_and_spot(sandbox, instant=False)
    oleg = await take_on_operator(sandbox, olga)
    olga_id = await _person_id(sandbox, olga)
    relation = f"om:share:{(await _as_stored(sandbox))[1][0][0]}:30"
    # A request waiting for the owner's (or operator's) answer.
    dana = sandbox.person("Dana")
    await _book(dana, spot)
    async with sandbox.database.reading() as uow:
        request = await uow.session.scalar(select(Booking))
    assert request.status == BookingStatus.REQUESTED
    assert any(f"req:{request.id}:accept" in m.button_data for m in oleg.messages())

    mallory = sandbox.person("Mallory")
    if who == "other owner":
        registered = await a_person(
            sandbox.database, sandbox.clock, "Mallory", telegram_id=mallory.id
        )
        await an_approved_spot(sandbox.database, sandbox.clock, registered)
    await mallory.send("/start")
    if who == "other operator":
        pia = sandbox.person("Pia")
        registered = await a_person(sandbox.database, sandbox.clock, "Pia", telegram_id=pia.id)
        await an_approved_spot(sandbox.database, sandbox.clock, registered)
        await pia.send("/operator")
        await pia.press("20%")
        await mallory.open_link(re.search(r"https://t\.me/\S+", pia.last_message().text).group(0))
        await mallory.press("Accept")
    if who == "banned":
        async with sandbox.database.unit_of_work() as uow:
            (await uow.people.by_telegram_id(mallory.id)).banned = True
    before = await _as_stored(sandbox)

    for data in (
        relation, f"om:end_yes:{before[1][0][0]}", f"pf:spots:{olga_id}", f"pf:import:{olga_id}",
        f"pf:price:{olga_id}", f"pf:hours:{olga_id}", f"pf:list:{olga_id}", f"my:pause:{spot.id}",
        f"my:prices:{spot.id}", f"req:{request.id}:accept", f"rq:tier:{spot.id}:trusted",
        f"rl:{request.id}",
    ):  # fmt: skip
        answer = await mallory.press_data(data, mallory.last_message())
        assert answer is not None, data
        assert answer["show_alert"], data
    # A table sent after a refused import button lists nothing.
    await mallory.send_document(spots_table(), "spots.csv")
    assert "Listed" not in mallory.last_message().text
    await mallory.send("/portfolio")
    if who == "banned":
        assert "suspended" in mallory.last_message().text
    elif who == "other operator":
        assert "🏢 Pia: 1 spot" in mallory.last_message().text
    else:
        assert "You manage no one's spots yet" in mallory.last_message().text
    assert await _as_stored(sandbox) == before

    # The real operator still answers the request.
    await oleg.press("Accept")
    async with sandbox.database.reading() as uow:
        answered = await uow.session.get(Booking, request.id)
    assert answered.status == BookingStatus.AWAITING_PAYMENT


@pytest.mark.parametrize("who", ["owner", "stranger", "banned", "taken"])
async def test_an_invitation_link_is_good_once_and_only_for_another_person(sandbox, who):
    olga, _spot = await _owner_and_spot(sandbox)
    await olga.send("/operator")
    await olga.press("15%")
    link = re.search(r"https://t\.me/\S+", olga.last_message().text).group(0)
    visitor = olga if who == "owner" else sandbox.person("Mallory")
    if who == "banned":
        await visitor.send("/start")
        async with sandbox.database.unit_of_work() as uow:
            (await uow.people.by_telegram_id(visitor.id)).banned = True
    if who == "taken":
        oleg = sandbox.person("Oleg")
        await oleg.open_link(link)
        await oleg.press("Accept")
    await visitor.open_link(link)
    said = visitor.last_message().text
    if who == "owner":
        assert "That's your own invitation" in said
    elif who == "banned":
        assert "suspended" in said
    elif who == "taken":
        assert "This invitation is no longer open" in said
    else:
        assert "asks you to manage their spots" in said
    # A forged answer to an invitation that does not exist changes nothing.
    answer = await visitor.press_data("iv:accept:AAAAAAAAAAAA", visitor.last_message())
    if who != "banned":
        assert "This invitation is no longer open" in str(answer)
    async with sandbox.database.reading() as uow:
        taken = list(await uow.session.scalars(select(Operatorship.operator_id)))
    assert taken == ([await _person_id(sandbox, oleg)] if who == "taken" else [None])
