"""Credit in the chat: what moves a score, and what a tier allows."""

from core.status import BookingStatus
from tests.end_to_end.test_bookings import _book, _bookings_of, _owner_and_spot, _paid_booking


async def _set_score(sandbox, person, score):
    async with sandbox.database.unit_of_work() as uow:
        (await uow.people.by_telegram_id(person.id)).credit_score = score


async def test_a_driver_on_watch_asks_the_owner_even_at_an_instant_spot(sandbox):
    owner, spot = await _owner_and_spot(sandbox, instant=True)
    dana = sandbox.person("Dana")
    await dana.send("/start")
    await _set_score(sandbox, dana, 500)
    await _book(dana, spot, when="tomorrow 10-12")
    assert "sent to the owner" in dana.last_message().text
    assert "✅ Accept" in owner.last_message().buttons
    (booking,) = await _bookings_of(sandbox, spot)
    assert booking.status == BookingStatus.REQUESTED


async def test_a_trusted_driver_books_instantly_where_the_owner_approves_others(sandbox):
    _, spot = await _owner_and_spot(sandbox, instant=False)
    dana = sandbox.person("Dana")
    await dana.send("/start")
    await _set_score(sandbox, dana, 800)
    await _book(dana, spot, when="tomorrow 10-12")
    (booking,) = await _bookings_of(sandbox, spot)
    assert booking.status == BookingStatus.AWAITING_PAYMENT


async def test_credit_shows_the_score_its_tier_and_what_moved_it(sandbox):
    owner, _spot, dana = await _paid_booking(sandbox, when="today 12-14")
    sandbox.clock.advance(hours=3, minutes=1)
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await dana.send("/credit")
    shown = dana.last_message().text
    assert "Your credit: 610" in shown
    assert "Tier: good" in shown
    assert "140 more points to the next tier" in shown
    assert "+10 · a completed stay (#1)" in shown
    await owner.send("/credit")
    assert "Your credit: 610" in owner.last_message().text


async def test_a_manager_reads_what_moved_someone_s_credit_in_words(sandbox):
    _owner, _spot, dana = await _paid_booking(sandbox, when="today 12-14")
    sandbox.clock.advance(hours=3, minutes=1)
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    async with sandbox.database.reading() as uow:
        dana_id = (await uow.people.by_telegram_id(dana.id)).id
    maria, group = sandbox.manager, sandbox.managers_group
    await maria.send(f"/person {dana_id}", chat=group)
    shown = maria.last_message(chat=group).text
    assert "+10 · a completed stay (#1)" in shown
    assert "completed_stay" not in shown
