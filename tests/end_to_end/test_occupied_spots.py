"""Someone else is in the driver's spot: "🚫 Spot occupied" and a photo, then one more tap parks
them at a free spot nearby with the money already paid; the owner answers for it, and a
manager decides when the owner says otherwise."""

from sqlalchemy import select, text

from core.credit import RULES, CreditEventKind
from core.db.models import Booking, LedgerTransaction, Refund
from core.geo import GeoPoint
from core.money import Money
from core.services import spots
from core.status import BookingStatus, SpotStatus
from tests.end_to_end.test_bookings import _book
from tests.end_to_end.test_trust import _a_driver, _booking, _paid, _score
from tests.integration.builders import a_person

OLGAS_SPOT = GeoPoint(52.520008, 13.404954)  # where the builders put every spot


async def _pias_spot(sandbox, hourly_minor: int):
    """Pia's garage 300 m from Olga's, open all day, booked at once."""
    pia = sandbox.person("Pia")
    owner = await a_person(sandbox.database, sandbox.clock, "Pia", telegram_id=pia.id)
    async with sandbox.database.unit_of_work() as uow:
        spot = await spots.create(
            uow, sandbox.clock, owner_id=owner.id,
            draft=spots.SpotDraft(
                title="Pia's garage", point=GeoPoint(OLGAS_SPOT.lat + 0.0027, OLGAS_SPOT.lon),
                hourly_price=Money(hourly_minor, "EUR"),
            ),
        )  # fmt: skip
        await spots.set_status(uow, spot.id, SpotStatus.APPROVED)
        for weekday in range(7):
            await spots.add_weekly_rule(
                uow, spot_id=spot.id, owner_id=owner.id, weekday=weekday, start_minute=0,
                end_minute=1440,
            )  # fmt: skip
        stored = await uow.spots.get(spot.id)
        stored.instant_booking = True
    return pia, spot


async def _arrived_to_an_occupied_spot(sandbox, *, live=False):
    """Dana's stay at Olga's (today 12-14, €6.00 paid by invoice): at 12:05 she presses
    "Spot occupied" on the reminder, sends a photo and the report."""
    olga, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(minutes=46)  # 11:46: the reminder with its buttons
    await sandbox.runtime.run_job("advance_bookings")
    reminder = dana.last_message()
    assert "🚫 Spot occupied" in reminder.buttons
    sandbox.clock.advance(minutes=19)  # 12:05
    if live:  # her live location puts her at the spot
        await dana.share_live_location(OLGAS_SPOT.lat + 0.0004, OLGAS_SPOT.lon)
    await dana.press("Spot occupied")
    assert "send a photo of the car in your spot" in dana.last_message().text
    await dana.send_photo(caption="A red car in my spot")
    await dana.press("Send report")
    return olga, dana


def _invoices(person) -> int:
    return sum(1 for message in person.messages() if message.invoice)


async def test_a_driver_at_an_occupied_spot_parks_nearby_with_one_tap_and_pays_nothing_more(
    sandbox,
):
    # Dearer: €6.71 for 12:05-14:00, of which €5.75 is what Dana paid for that time
    pia, _spot = await _pias_spot(sandbox, hourly_minor=350)
    olga, dana = await _arrived_to_an_occupied_spot(sandbox, live=True)

    offer = dana.last_message()
    assert "These spots are free until" in offer.text
    assert "nothing more to pay" in offer.text
    assert any("Pia's garage · 300 m" in label for label in offer.buttons)
    assert "💸 Refund me instead" in offer.buttons
    asked = olga.last_message()
    assert "reports that someone else is in the spot" in asked.text
    assert asked.buttons == ["😔 Yes, it was taken", "✋ No, the spot was free"]
    card = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert "Dispute #1 · booking #1: spot occupied" in card.text
    assert "📍 The driver was at the spot at Mon, Jun 1 12:05" in card.text

    move_there = offer.button_data[0]
    await dana.press("Pia's garage")
    moved = dana.last_message()
    assert "✅ Moved. Booking #2 is confirmed, paid with your earlier payment." in moved.text
    assert "ParkShare covers the €0.96 this spot costs more." in moved.text
    assert "🧭 Navigate" in moved.buttons
    assert dana.messages()[-2].buttons == []  # the offer can't be taken twice
    assert _invoices(dana) == 1  # no second payment
    assert "✅ Booking #2 is paid: €6.71" in pia.last_message().text
    answer = await dana.press_data(move_there, offer)
    assert "can't be moved or refunded any more" in answer["text"]

    async with sandbox.database.reading() as uow:
        kinds = [
            kind for (kind,) in await uow.session.execute(
                select(LedgerTransaction.kind).order_by(LedgerTransaction.id)
            )
        ]  # fmt: skip
        subsidy = await uow.session.scalar(
            text("SELECT sum(amount_minor) FROM ledger_entry WHERE account = 'platform_subsidy'")
        )
        new = await uow.session.get(Booking, 2)
    assert kinds == ["payment", "rebooked_out", "rebooked_in"]
    assert subsidy == -96
    assert (new.status, new.price_minor, new.rebooked_from_id) == (BookingStatus.CONFIRMED, 671, 1)

    # The owner says the spot was free, and why: a manager decides.
    await olga.press("No, the spot was free")
    await olga.send("Nobody was parked there at noon")
    evidence = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert "Nobody was parked there at noon" in evidence.text
    maria, group = sandbox.manager, sandbox.managers_group
    await maria.press("Refund driver in full", chat=group)
    await maria.press("Confirm", chat=group)
    assert (await _booking(sandbox)).status == BookingStatus.CANCELLED
    assert await _score(sandbox, olga) == 600 + RULES[CreditEventKind.OWNER_CANCELLED_LATE]

    await maria.send("/report", chat=group)
    report = maria.last_message(chat=group).text
    assert "Covered for drivers moved from occupied spots: €0.96" in report
    assert "Gross bookings: €6.00" in report  # the money came in once


async def test_a_cheaper_spot_sends_the_difference_back(sandbox):
    await _pias_spot(sandbox, hourly_minor=200)  # €3.83 for 12:05-14:00, paid €5.75 for it
    _olga, dana = await _arrived_to_an_occupied_spot(sandbox)
    assert any("back €1.92" in label for label in dana.last_message().buttons)
    await dana.press("Pia's garage")
    assert "€1.92 of what you paid is on its way back to you." in dana.last_message().text
    await sandbox.runtime.run_job("move_money")
    assert "Refunded €1.92 for booking #1" in dana.last_message().text
    async with sandbox.database.reading() as uow:
        (refund,) = await uow.session.scalars(select(Refund))
    assert (refund.reason, refund.status) == ("rebooked", "done")


async def test_with_nothing_free_nearby_the_money_goes_back_and_a_silent_owner_concedes(sandbox):
    await _pias_spot(sandbox, hourly_minor=1000)  # past what the platform covers: not offered
    olga, dana = await _arrived_to_an_occupied_spot(sandbox)
    told = dana.last_message().text
    assert "no other spot is free nearby" in told
    # the time left (115 of 120 minutes); the rest waits for the owner's side
    assert "What you paid for the time left, €5.75, is on its way back to you now" in told
    assert _invoices(dana) == 1

    sandbox.clock.advance(minutes=59)
    await sandbox.runtime.run_job("settle_unanswered_occupied_reports")
    assert "reports that someone else is in the spot" in olga.last_message().text  # not yet
    sandbox.clock.advance(minutes=2)
    await sandbox.runtime.run_job("settle_unanswered_occupied_reports")
    assert "We didn't hear from you about booking #1" in olga.last_message().text
    settled = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert "the owner did not answer in time" in settled.text
    assert (await _booking(sandbox)).status == BookingStatus.CANCELLED
    assert await _score(sandbox, olga) == 600 + RULES[CreditEventKind.OWNER_CANCELLED_LATE]
    answer = await olga.press("Yes, it was taken")
    assert answer["show_alert"]  # too late: nothing changes twice


async def test_an_owner_who_concedes_settles_it_without_a_manager(sandbox):
    olga, dana = await _arrived_to_an_occupied_spot(sandbox)
    assert "What you paid for the time left, €5.75, is on its way back" in dana.last_message().text
    await olga.press("Yes, it was taken")
    assert "Thank you for telling us" in olga.last_message().text
    settled = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert "the owner conceded that the spot was occupied" in settled.text
    assert (await _booking(sandbox)).status == BookingStatus.CANCELLED


async def test_the_driver_can_take_the_money_back_instead_of_moving(sandbox):
    await _pias_spot(sandbox, hourly_minor=300)
    _olga, dana = await _arrived_to_an_occupied_spot(sandbox)
    await dana.press("Refund me instead")
    assert "what you paid for the time left, €5.75, is on its way back" in dana.last_message().text
    answer = await dana.press_data("mv:1:2", dana.messages()[-2])
    assert "can't be moved or refunded any more" in answer["text"]
    async with sandbox.database.reading() as uow:
        assert (await uow.session.scalar(select(Booking).where(Booking.id == 2))) is None


async def test_nobody_else_moves_refunds_or_answers_for_an_occupied_spot(sandbox):
    pia, pias_spot = await _pias_spot(sandbox, hourly_minor=300)
    olga, dana = await _arrived_to_an_occupied_spot(sandbox)
    await pia.send("/start")
    sam = await _a_driver(sandbox, "Sam", "sam_parks")
    await sam.send("/start")
    eve = await _a_driver(sandbox, "Eve", "eve_parks")
    await eve.send("/start")
    async with sandbox.database.reading() as uow:
        eve_id = await uow.session.scalar(
            text("SELECT id FROM person WHERE telegram_id = :id"), {"id": eve.id}
        )
    await sandbox.manager.send(f"/ban {eve_id} spam", chat=sandbox.managers_group)

    def state():
        return sandbox.database.reading()

    async with state() as uow:
        before = await _money_state(uow)
    buttons = ["so:1", f"mv:1:{pias_spot.id}", "ro:1", "oa:1:taken", "oa:1:free", "og:1"]
    for person in (sam, eve, pia, olga):
        for data in buttons[:3]:
            await person.press_data(data, person.last_message())
    for person in (sam, eve, pia, dana):
        for data in buttons[3:]:
            await person.press_data(data, person.last_message())
    async with state() as uow:
        assert await _money_state(uow) == before
        assert (await uow.session.get(Booking, 1)).status == BookingStatus.DISPUTED
    await dana.press("Pia's garage")  # still hers to take
    assert "✅ Moved. Booking #2" in dana.last_message().text


async def _money_state(uow):
    rows = {}
    for table in ("booking", "ledger_entry", "refund", "dispute", "dispute_evidence"):
        rows[table] = [
            tuple(row)
            for row in await uow.session.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        ]
    return rows


async def test_too_early_an_occupied_spot_is_not_reported(sandbox):
    _olga, _spot, dana = await _paid(sandbox)  # 11:00, for 12:00-14:00
    answer = await dana.press("Spot occupied")  # on the payment's confirmation
    assert answer["show_alert"]
    assert "you can report it from" in answer["text"]
    async with sandbox.database.reading() as uow:
        assert await uow.session.scalar(text("SELECT count(*) FROM dispute")) == 0


async def test_a_driver_warned_that_the_car_before_is_still_there_moves_before_setting_off(
    sandbox,
):
    olga, spot, dana = await _paid(sandbox)  # Dana: today 12-14
    sam = await _a_driver(sandbox, "Sam", "sam_parks")
    await _book(sam, spot, when="today 15-17")
    await sam.pay()
    await _pias_spot(sandbox, hourly_minor=300)
    sandbox.clock.advance(hours=3, minutes=15)  # 14:15: Dana's car is still there
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await olga.press("The car is still there")
    assert "the car of the stay before yours is still there" in sam.last_message().text

    await sam.press("Spot occupied")  # 45 minutes before his stay: no need to go and see
    await sam.send("The owner says the car before me is still there")
    await sam.press("Send report")
    await sam.press("Pia's garage")
    moved = sam.last_message().text
    assert "✅ Moved. Booking #3 is confirmed" in moved
    assert "15:00" in moved  # his whole window, at Pia's

    answer = await dana.press_data("so:1", dana.last_message())  # her own stay is long over
    assert answer["show_alert"]
