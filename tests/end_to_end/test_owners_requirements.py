"""An owner asks for trusted drivers: a driver in good standing sees the spot marked in the
search, is told on its card why it can't be booked yet, and a forged Book button is refused
with the same reasons; a trusted driver books it. Only the owner can change what is asked."""

from sqlalchemy import select

from core.db.models import Booking, Person, Spot
from tests.end_to_end.test_bookings import _book, _owner_and_spot


async def _bookings(sandbox) -> list[Booking]:
    async with sandbox.database.reading() as uow:
        return list(await uow.session.scalars(select(Booking)))


async def _trusted(sandbox, person) -> None:
    async with sandbox.database.unit_of_work() as uow:
        stored = await uow.session.scalar(select(Person).where(Person.telegram_id == person.id))
        stored.credit_score = 800


async def test_a_driver_below_the_tier_an_owner_asks_for_cannot_book_and_sees_why(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    await olga.send("/myspots")
    await olga.press("Who can book")
    assert "Credit: any driver" in olga.last_message().text
    await olga.press("Trusted only")
    await olga.press("3")
    shown = olga.last_message().text
    assert "Credit: trusted drivers only" in shown
    assert "Completed stays on ParkShare: at least 3" in shown
    await olga.press("Back")
    assert "🔒 Books for trusted drivers only" in olga.last_message().text

    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    results = dana.last_message().text
    assert "🔒 Books for trusted drivers only" in results
    assert "🔒 Books for drivers with at least 3 completed stays on ParkShare" in results
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    card = dana.last_message()
    assert (
        "🔒 You can't book this spot yet. Its owner takes trusted drivers only, and your credit "
        "is good standing: see /credit for how it grows. Its owner takes drivers with at least "
        "3 completed stays on ParkShare, and you have 0." in card.text
    )
    assert not any("Book" in label for label in card.buttons)

    # A Book button kept from before, or forged, meets the same rule in the domain.
    await dana.press_data(f"book:{spot.id}", card)
    await dana.press("Confirm")
    assert "🔒 You can't book this spot yet." in dana.last_message().text
    assert await _bookings(sandbox) == []

    # Without the stays asked, a trusted driver books it.
    await olga.send("/myspots")
    await olga.press("Who can book")
    await olga.press("0")
    tom = sandbox.person("Tom")
    await tom.send("/start")
    await _trusted(sandbox, tom)
    await _book(tom, spot)
    (booking,) = await _bookings(sandbox)
    assert booking.status == "awaiting_payment"


async def test_only_the_owner_changes_who_can_book_their_spot(sandbox):
    _olga, spot = await _owner_and_spot(sandbox)
    mallory = sandbox.person("Mallory")
    await mallory.send("/start")
    for data in (f"rq:show:{spot.id}:-", f"rq:tier:{spot.id}:trusted", f"rq:answer:{spot.id}:ask"):
        answer = await mallory.press_data(data, mallory.last_message())
        assert answer is not None
        assert "That spot doesn't exist" in str(answer)
    # A value no owner can choose is refused before anything is read.
    forged = await mallory.press_data(f"rq:stays:{spot.id}:7", mallory.last_message())
    assert "This button is not valid." in str(forged)
    async with sandbox.database.reading() as uow:
        stored = await uow.session.get(Spot, spot.id)
        assert (stored.min_driver_tier, stored.min_completed_stays) == (None, 0)
        assert stored.instant_booking
