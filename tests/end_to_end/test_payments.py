"""Money end to end in the sandbox: paid through the invoice form, held until the stay ends,
the owner's share paid out, the commission in the managers' report, refunds back to the
driver, and payments that must not go through refused before anything is charged."""

import pytest
from sqlalchemy import select

from core.db.models import Booking, Payment
from core.status import BookingStatus
from tests.end_to_end.test_bookings import _book, _bookings_of, _owner_and_spot, _paid_booking

SANDBOX_NOTE = "(sandbox: no real money)"


async def _payments(sandbox) -> list[Payment]:
    async with sandbox.database.reading() as uow:
        return list(await uow.session.scalars(select(Payment).order_by(Payment.id)))


async def test_a_paid_stay_reaches_the_owner_and_the_managers_report(sandbox):
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="today 12-14")  # the clock stands at 11:00 Berlin time
    assert SANDBOX_NOTE in dana.last_message().raw["invoice"]["description"]
    await dana.pay()
    assert "is confirmed" in dana.last_message().text
    assert SANDBOX_NOTE in dana.last_message().text

    await owner.send("/bookings")
    assert "Garage on Elm St" in owner.last_message().text
    assert "confirmed" in owner.last_message().text

    sandbox.clock.advance(hours=3, minutes=1)  # 14:01: the stay started and ended
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    assert "Your share, €5.10, is on its way" in owner.last_message().text
    await owner.send("/earnings")
    assert "Waiting to be paid out: €5.10" in owner.last_message().text

    await sandbox.runtime.run_job("move_money")
    assert "Waiting to be paid out" in owner.last_message().text  # a problem may still be found
    sandbox.clock.advance(hours=1)
    await sandbox.runtime.run_job("move_money")
    assert "Paid out €5.10" in owner.last_message().text
    assert SANDBOX_NOTE in owner.last_message().text
    await owner.send("/earnings")
    earnings = owner.last_message().text
    assert "Paid out so far: €5.10" in earnings
    assert "June 2026: €5.10" in earnings

    maria, group = sandbox.manager, sandbox.managers_group
    await maria.send("/report", chat=group)
    report = maria.last_message(chat=group)
    assert "Gross bookings: €6.00" in report.text
    assert "Commission: €0.90" in report.text
    assert "Payouts: €5.10" in report.text
    await maria.press("30 days", chat=group)
    assert "the last 30 days" in maria.last_message(chat=group).text
    answer = await sandbox.group_member.press("7 days", chat=group)
    assert answer["show_alert"]  # a member who is not an administrator can't switch it
    assert "the last 30 days" in maria.last_message(chat=group).text


async def test_a_cancelled_paid_booking_is_refunded_through_the_gateway(sandbox):
    _, _spot, dana = await _paid_booking(sandbox, when="tomorrow 10-12")
    await dana.send("/bookings")
    await dana.press("Cancel")
    await dana.press("Yes, cancel")
    await sandbox.runtime.run_job("move_money")
    assert "Refunded €6.00 for booking #1" in dana.last_message().text
    assert SANDBOX_NOTE in dana.last_message().text
    (payment,) = await _payments(sandbox)
    assert payment.status == "refunded"


async def test_an_expired_booking_is_not_charged(sandbox):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 10-12")
    sandbox.clock.advance(minutes=16)
    await sandbox.runtime.run_job("expire_overdue")
    outcome = await dana.pay()
    assert outcome["kind"] == "payment_failed"
    assert "no longer waits for payment" in outcome["error_message"]
    assert await _payments(sandbox) == []
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.EXPIRED


async def test_a_cancelled_booking_is_not_charged(sandbox):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 10-12")
    await dana.send("/bookings")
    await dana.press("Cancel")
    await dana.press("Yes, cancel")
    outcome = await dana.pay()
    assert outcome["kind"] == "payment_failed"
    assert await _payments(sandbox) == []
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.CANCELLED


async def test_an_invoice_whose_amount_no_longer_matches_is_refused(sandbox):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 10-12")
    async with sandbox.database.unit_of_work() as uow:
        booking = await uow.session.scalar(select(Booking))
        booking.price_minor = 900  # repriced after the invoice went out
    outcome = await dana.pay()
    assert outcome["kind"] == "payment_failed"
    assert "doesn't match the booking" in outcome["error_message"]
    assert await _payments(sandbox) == []
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.AWAITING_PAYMENT


async def test_a_payment_reported_twice_confirms_once(sandbox):
    _, spot, dana = await _paid_booking(sandbox, when="tomorrow 10-12")
    (booking,) = await _bookings_of(sandbox, spot)
    await dana.pay_again()
    assert "already received" in dana.last_message().text
    assert len(await _payments(sandbox)) == 1
    (again,) = await _bookings_of(sandbox, spot)
    assert (again.status, again.version) == (BookingStatus.CONFIRMED, booking.version)
    async with sandbox.database.reading() as uow:
        assert await uow.ledger.escrow_of_booking(booking.id) == {"EUR": 600}


async def test_payouts_need_nothing_set_up_in_the_sandbox(sandbox):
    olga = sandbox.person("Olga", language="ru")
    await olga.send("/start")
    await olga.send("/payouts")
    assert "В песочнице" in olga.last_message().text


@pytest.mark.parametrize("settings_overrides", [{"payment_gateway": "telegram"}])
async def test_without_a_payout_gateway_earnings_wait_and_say_so(sandbox):
    olga = sandbox.person("Olga")
    await olga.send("/start")
    await olga.send("/payouts")
    assert "aren't set up on this server yet" in olga.last_message().text


async def test_an_owner_who_cancels_refunds_the_driver_in_full_and_loses_credit(sandbox):
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="this Thursday 10-12")  # three days ahead of Monday 11:00
    await dana.pay()
    (booking,) = await _bookings_of(sandbox, spot)

    mallory = sandbox.person("Mallory")
    await mallory.send("/start")
    answer = await mallory.press_data(
        f"oc:yes:{booking.id}:{booking.version}", mallory.last_message()
    )
    assert answer["show_alert"]
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.CONFIRMED

    await owner.send("/bookings")
    await owner.press(f"Cancel #{booking.id}")
    assert "your credit score drops by 40 points" in owner.last_message().text
    await owner.press("Yes, cancel")
    assert "is cancelled" in owner.last_message().text
    told = dana.last_message().text
    assert "The owner had to cancel booking #1" in told
    assert "You get the full €6.00 back" in told
    async with sandbox.database.reading() as uow:
        assert (await uow.people.by_telegram_id(owner.id)).credit_score == 600 - 40
    await sandbox.runtime.run_job("move_money")
    assert "Refunded €6.00 for booking #1" in dana.last_message().text
