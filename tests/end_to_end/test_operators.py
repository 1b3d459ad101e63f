"""An owner takes on an operator by link; the operator lists twenty spots from a table sent in
chat (three rows refused, each with its reason), manages them, and is paid their share of a
stay at one of them out of the owner's payout; /portfolio, the owner's /earnings and the
managers' report agree with the ledger."""

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from core.db.models import LedgerEntry, LedgerTransaction, Payout, Person, Spot
from core.services.ledger import OPERATOR_SHARE
from core.status import SpotStatus
from tests.end_to_end.test_bookings import _book, _owner_and_spot

HEADER = ["title", "latitude", "longitude", "price_per_hour", "hours", "covered", "size"]


def spots_table(good: int = 17) -> bytes:
    """``good`` spots near Elm St and, as rows 5, 9 and 14, three that can't be listed."""
    rows = [
        [f"Bay {n}", f"{52.5200 + n * 0.0004:.4f}", "13.4050", "3.00", "Mon-Sun 07:00-22:00",
         "yes" if n % 2 else "no", "medium"]
        for n in range(1, good + 1)
    ]  # fmt: skip
    rows.insert(3, ["Bay at sea", "54.5", "5.0", "3.00", "Mon-Sun 07:00-22:00", "no", "small"])
    rows.insert(7, ["Bay no price", "52.53", "13.40", "cheap", "Mon-Sun 07:00-22:00", "no", ""])
    rows.insert(12, ["Bay no hours", "52.53", "13.41", "2.50", "whenever", "no", "large"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


async def take_on_operator(sandbox, owner, name="Oleg", percent="20%"):
    await owner.send("/operator")
    await owner.press(percent)
    link = re.search(r"https://t\.me/\S+", owner.last_message().text).group(0)
    operator = sandbox.person(name)
    await operator.open_link(link)
    assert "asks you to manage their spots" in operator.last_message().text
    await operator.press("Accept")
    return operator


async def _ledger_shares(sandbox) -> int:
    async with sandbox.database.reading() as uow:
        total = await uow.session.scalar(
            select(func.sum(LedgerEntry.amount_minor))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerTransaction.kind == OPERATOR_SHARE, LedgerEntry.amount_minor > 0)
        )
    return int(total or 0)


async def test_an_operator_imports_spots_and_is_paid_their_share_of_a_stay(sandbox):
    olga, _garage = await _owner_and_spot(sandbox)
    oleg = await take_on_operator(sandbox, olga)
    assert "you manage Olga's spots" in oleg.last_message().text
    assert "Oleg accepted: they manage your spots now, for 20% of your share" in (
        olga.last_message().text
    )

    await oleg.send("/portfolio")
    assert "🏢 Olga: 1 spot; your share 20%" in oleg.last_message().text
    await oleg.press("📥 Import")
    await oleg.send_document(spots_table(), "spots.csv", mime_type="text/csv")
    report = oleg.last_message().text
    assert "📥 Listed 17 of 20 rows for Olga." in report
    assert "Row 5: that place is at sea (54.5, 5.0)" in report
    assert "Row 9: the price per hour isn't a price (cheap)" in report
    assert "Row 14: the hours can't be read for certain (whenever)" in report
    maria, group = sandbox.manager, sandbox.managers_group
    assert "An operator listed 17 spots for an owner" in maria.last_message(chat=group).text

    async with sandbox.database.reading() as uow:
        imported = list(
            await uow.session.scalars(select(Spot).where(Spot.title.startswith("Bay ")))
        )
    assert len(imported) == 17
    assert {spot.owner_id for spot in imported} == {_garage.owner_id}
    assert {spot.status for spot in imported} == {SpotStatus.PENDING}
    bay = next(spot for spot in imported if spot.title == "Bay 1")

    await maria.send("/pending", chat=group)
    card = next(m for m in maria.messages(chat=group) if f"mod:approve:{bay.id}" in m.button_data)
    await maria.press_data(f"mod:approve:{bay.id}", card, chat=group)

    await oleg.press("📋 Spots")
    assert any("Bay 1" in m.text for m in oleg.messages())

    dana = sandbox.person("Dana")
    await _book(dana, bay, when="today 12-14")
    await dana.pay()
    assert "is confirmed" in dana.last_message().text

    sandbox.clock.advance(hours=3, minutes=1)
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    # 6.00 less 0.90 commission is Olga's 5.10, of which a fifth, 1.02, is Oleg's.
    assert "Your share, €4.08, is on its way to you, after €1.02 to your operator" in (
        olga.last_message().text
    )
    sandbox.clock.advance(hours=1)
    await sandbox.runtime.run_job("move_money")
    assert "Paid out €1.02 to you for the stay of booking" in oleg.last_message().text
    assert "Paid out €4.08 to you for the stay of booking" in olga.last_message().text

    shares = await _ledger_shares(sandbox)
    assert shares == 102
    async with sandbox.database.reading() as uow:
        payouts = {
            (payout.owner_id, payout.amount_minor)
            for payout in await uow.session.scalars(select(Payout))
        }
        oleg_id = await uow.session.scalar(select(Person.id).where(Person.telegram_id == oleg.id))
    assert payouts == {(oleg_id, 102), (bay.owner_id, 408)}

    await oleg.send("/portfolio")
    folio = next(m.text for m in reversed(oleg.messages()) if "Your portfolio" in m.text)
    assert "18 spots, 1 owner" in folio
    assert "This month: 2 booked hours" in folio
    assert "you earned €1.02" in folio
    assert "Paid out so far: €1.02" in folio
    await olga.send("/earnings")
    earnings = olga.last_message().text
    assert "Paid to your operator out of your share: €1.02" in earnings
    assert "Paid out so far: €4.08" in earnings

    await maria.send("/report", chat=group)
    report = maria.last_message(chat=group).text
    assert "Operators: 1 managing 18 spots for owners; their shares €1.02." in report
    assert "Busiest operators: Oleg (€1.02)" in report


async def test_an_operator_changes_the_owners_spots_one_by_one_and_all_at_once(sandbox):
    olga, garage = await _owner_and_spot(sandbox)
    oleg = await take_on_operator(sandbox, olga)
    await oleg.send("/portfolio")
    await oleg.press("📋 Spots")
    await oleg.press("✏️ Prices")
    await oleg.send("4.00")
    await oleg.send("-")
    assert "Saved." in oleg.last_message().text

    await oleg.send("/portfolio")
    await oleg.press("💶 All prices")
    await oleg.send("+10%")
    assert "Saved: 1 spot has the new price." in oleg.last_message().text
    await oleg.send("/portfolio")
    await oleg.press("🕒 All hours")
    await oleg.send("whenever")
    assert "Write the hours out in full" in oleg.last_message().text
    await oleg.send("Mon-Fri 08:00-18:00")
    assert "Saved: 1 spot has the new regular hours." in oleg.last_message().text
    async with sandbox.database.reading() as uow:
        stored = await uow.spots.get(garage.id)
        rules = await uow.spots.weekly_rules(garage.id)
    assert stored.hourly_price_minor == 440
    assert sorted({rule.weekday for rule in rules}) == [0, 1, 2, 3, 4]

    # One more spot, listed by message for the owner.
    await oleg.send("/portfolio")
    await oleg.press("➕ List one")
    assert "Let's list a spot for Olga." in oleg.last_message().text
    await oleg.share_location(52.5301, 13.4101)
    await oleg.send("Courtyard bay")
    await oleg.send("2.50")
    await oleg.press("Skip")
    await oleg.press("Done")
    await oleg.send("Ring 3")
    await oleg.press("Skip")
    await oleg.send("Mon-Fri 08:00-18:00")
    await oleg.press("✅ Submit")
    assert "its owner hears the answer" in oleg.last_message().text
    async with sandbox.database.reading() as uow:
        olgas = {spot.title for spot in await uow.spots.owned_by(garage.owner_id)}
    assert olgas == {garage.title, "Courtyard bay"}

    # Hours said in plain words open (or block) the owner's spot, as they would for the owner.
    await oleg.send("not available tomorrow")
    assert "↩️ Undo" in oleg.last_message().buttons[0]
    now = sandbox.clock.now()
    async with sandbox.database.reading() as uow:
        touching = await uow.spots.windows_touching(garage.id, now, now + timedelta(days=2))
    assert [blocked for _start, _end, blocked in touching] == [True]

    # The owner sees the operator, changes their share (they are told), and can end it; the
    # operator's buttons stop working.
    await olga.send("/operator")
    assert "Oleg manages your spots" in olga.last_message().text
    await olga.send("/myspots")
    assert any(
        "🤝 Oleg manages these spots for you, for 20% of your share" in m.text
        for m in olga.messages()
    )
    await olga.send("/operator")
    await olga.press("20%")  # chosen already: nothing changes, nobody is told
    await olga.press("25%")
    assert "✅ 25%" in olga.last_message().buttons
    assert "Olga set your share of their spots' stays to 25%" in oleg.last_message().text
    await olga.press("🚫 End their management")
    await olga.press("Yes, end it")
    assert "has ended" in oleg.last_message().text
    await oleg.send("/portfolio")
    assert "You manage no one's spots yet" in oleg.last_message().text


async def test_the_operator_hears_the_driver_and_answers_as_the_owner(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    oleg = await take_on_operator(sandbox, olga)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="today 12-14")
    await dana.pay()
    await dana.send("/bookings")
    await dana.press("💬 Message owner")
    await dana.send("Where is the gate?")
    for owner_side in (olga, oleg):
        heard = owner_side.last_message().text
        assert heard.startswith("💬 Driver of booking #")
        assert "Where is the gate?" in heard
    await oleg.press("↩️ Reply")
    await oleg.send("Behind the bakery")
    answer = dana.last_message().text
    assert answer.startswith("💬 Owner of booking #")
    assert "Behind the bakery" in answer
    assert "Oleg" not in answer


async def test_a_banned_operator_manages_no_more_and_the_owner_is_told(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    oleg = await take_on_operator(sandbox, olga)
    async with sandbox.database.reading() as uow:
        oleg_id = await uow.session.scalar(select(Person.id).where(Person.telegram_id == oleg.id))
    maria, group = sandbox.manager, sandbox.managers_group
    await maria.send(f"/person {oleg_id}", chat=group)
    assert f"Operator for: person #{spot.owner_id} (20%)" in maria.last_message(chat=group).text
    await maria.send(f"/person {spot.owner_id}", chat=group)
    assert f"Their spots' operator: person #{oleg_id} (20%)" in (
        maria.last_message(chat=group).text
    )
    await maria.send(f"/ban {oleg_id} fake listings", chat=group)
    assert "The management of spots between you and Oleg has ended." in olga.last_message().text
    answer = await oleg.press_data(f"my:pause:{spot.id}", oleg.last_message())
    assert answer["show_alert"]
    async with sandbox.database.reading() as uow:
        assert not await uow.operators.manages(oleg_id, spot.owner_id)
        assert (await uow.spots.get(spot.id)).status == SpotStatus.APPROVED
