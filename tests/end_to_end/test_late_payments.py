"""A payment still on its way when the booking lapses or is called off: the driver's money is
never lost, and what they are told last is what became of the booking."""

from __future__ import annotations

from core.status import BookingStatus
from tests.end_to_end.test_bookings import _book, _bookings_of, _owner_and_spot


async def test_a_payment_that_lands_after_the_booking_lapsed_takes_it_back(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="today 12-14")

    async def the_payment_window_closes():
        sandbox.clock.advance(minutes=16)
        await sandbox.runtime.run_job("expire_overdue")

    await dana.pay(while_charging=the_payment_window_closes)
    expired, paid = dana.messages()[-2:]
    assert "expired before it was paid" in expired.text
    assert "The time was still free, so the booking is yours again: confirmed" in paid.text
    (booking,) = await _bookings_of(sandbox, spot)
    assert booking.status == BookingStatus.CONFIRMED


async def test_a_payment_that_lands_after_the_window_went_to_someone_else_is_refunded(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    dana, eve = sandbox.person("Dana"), sandbox.person("Eve")
    await _book(dana, spot, when="today 12-14")

    async def the_window_lapses_and_eve_books_it():
        sandbox.clock.advance(minutes=16)
        await sandbox.runtime.run_job("expire_overdue")
        await _book(eve, spot, when="today 12-14")

    await dana.pay(while_charging=the_window_lapses_and_eve_books_it)
    assert "arrived after booking" in dana.last_message().text
    assert "refunded in full" in dana.last_message().text
    await sandbox.runtime.run_job("move_money")
    assert "Refunded" in dana.last_message().text
    lapsed, taken = await _bookings_of(sandbox, spot)
    assert (lapsed.status, taken.status) == (BookingStatus.EXPIRED, BookingStatus.AWAITING_PAYMENT)


async def test_a_payment_that_lands_after_the_owner_cancelled_is_refunded(sandbox):
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 12-14")

    async def the_owner_cancels():
        await owner.send("/bookings")
        await owner.press("Cancel")
        await owner.press("Yes, cancel")

    await dana.pay(while_charging=the_owner_cancels)
    assert "was cancelled before your payment arrived" in dana.last_message().text
    (booking,) = await _bookings_of(sandbox, spot)
    assert booking.status == BookingStatus.CANCELLED
    await sandbox.runtime.run_job("move_money")
    assert "Refunded" in dana.last_message().text
