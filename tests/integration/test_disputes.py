"""Disputes on both databases: the money waits in escrow while a manager decides, each ruling
divides it through the ledger, the loser pays in credit, and only one decision ever lands."""

from datetime import timedelta

import pytest

from core.db.models import Payout, PayoutReversal, Refund, TransferStatus
from core.errors import (
    AlreadyRated,
    BookingNotDisputable,
    BookingNotFound,
    DisputeAlreadyOpen,
    DisputeTaken,
    NotAsked,
    RatingNotAllowed,
    RelayClosed,
)
from core.services import (
    audit,
    booking_payments,
    bookings,
    disputes,
    gateway_events,
    money_movement,
    profit,
    ratings,
    relay,
    settlement,
)
from core.services.disputes import Problem, Ruling
from core.services.gateway_events import GatewayNotice
from core.services.ledger import (
    ESCROW,
    PLATFORM_REVENUE,
    chargeback_account,
    owner_paid_out_account,
    owner_payable_account,
)
from core.services.ledger import refund_payable_account as refund_payable
from core.services.parties import Side
from core.settings import Settings
from core.status import BookingStatus
from payments.registry import Gateways
from payments.stripe_events import notice_of
from payments.stripe_gateway import StripeGateway
from payments.telegram_invoice import TelegramInvoiceGateway
from tests.integration import test_settlement
from tests.integration.builders import a_person
from tests.integration.test_settlement import balances, eur, pay, stay_through, transfers
from tests.support.recorded_stripe import RecordedStripe
from tests.support.stripe_side import SECRET_KEY, WEBHOOK_SECRET

# The paid-booking setup the settlement tests use: Olga's spot, Dana's two hours for 6.00.
owner = test_settlement.owner
booking = test_settlement.booking


@pytest.fixture
async def manager(db, clock):
    return await a_person(db, clock, "Maria")


async def _report(db, clock, booking, *, problem=Problem.NO_ACCESS):
    async with db.unit_of_work() as uow:
        return await disputes.report(
            uow, clock, booking_id=booking.id, reporter_id=booking.driver_id, problem=problem,
            text="The gate code does not work", photo_file_ids=["photo-1"],
        )  # fmt: skip


@pytest.mark.parametrize(
    ("ruling", "percent", "refund", "owner_share", "revenue", "status"),
    [
        (Ruling.REFUND, 0, 600, 0, 0, BookingStatus.CANCELLED),
        (Ruling.RELEASE, 0, 0, 510, 90, BookingStatus.COMPLETED),
        (Ruling.SPLIT, 0, 300, 255, 45, BookingStatus.COMPLETED),
        (Ruling.PARTIAL, 25, 150, 383, 67, BookingStatus.COMPLETED),
    ],
)
async def test_a_ruling_divides_the_held_money(
    db,
    clock,
    booking,
    owner,
    manager,
    ruling,
    percent,
    refund,
    owner_share,
    revenue,
    status,
):
    await pay(db, clock, booking)
    dispute = await _report(db, clock, booking)
    assert await balances(db, ESCROW) == [600]
    async with db.unit_of_work() as uow:
        decision = await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=ruling,
            refund_percent=percent,
        )  # fmt: skip
    assert decision.refund.minor == refund
    assert decision.owner_share.minor == owner_share
    assert decision.case.parties.booking.status == status
    assert await balances(
        db, ESCROW, refund_payable(booking.driver_id), owner_payable_account(owner.id),
        PLATFORM_REVENUE,
    ) == [0, refund, owner_share, revenue]  # fmt: skip


async def test_the_owners_payout_waits_while_a_dispute_is_open(db, clock, booking, manager):
    await pay(db, clock, booking)
    async with db.unit_of_work() as uow:
        held = await bookings.transition(uow, clock, booking.id, BookingStatus.ACTIVE)
        held = await bookings.transition(uow, clock, booking.id, BookingStatus.COMPLETED)
        await settlement.settle_completed(uow, clock, held)
        dispute = await disputes.open_dispute(
            uow, clock, booking_id=booking.id, kind=Problem.CHARGEBACK
        )
    clock.current += settlement.PAYOUT_HOLD
    async with db.reading() as uow:
        assert (await settlement.due_transfers(uow, clock)).payouts == []
    async with db.unit_of_work() as uow:
        (await disputes.get(uow, dispute.id)).status = "resolved"
    async with db.reading() as uow:
        assert len((await settlement.due_transfers(uow, clock)).payouts) == 1


async def test_only_the_first_manager_decides(db, clock, booking, manager):
    await pay(db, clock, booking)
    dispute = await _report(db, clock, booking)
    other = await a_person(db, clock, "Mark")
    async with db.unit_of_work() as uow:
        await disputes.ask(uow, dispute_id=dispute.id, manager_id=manager.id, side=Side.DRIVER)
    with pytest.raises(DisputeTaken):
        async with db.unit_of_work() as uow:
            await disputes.decide(
                uow, clock, dispute_id=dispute.id, manager_id=other.id, ruling=Ruling.RELEASE
            )
    async with db.unit_of_work() as uow:
        await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=Ruling.REFUND
        )
    with pytest.raises(DisputeTaken):
        async with db.unit_of_work() as uow:
            await disputes.decide(
                uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=Ruling.RELEASE
            )
    assert await balances(db, refund_payable(booking.driver_id)) == [600]


async def test_a_problem_is_reported_once_on_a_paid_stay_by_one_of_its_sides(
    db,
    clock,
    booking,
    owner,
):
    with pytest.raises(BookingNotDisputable):  # not paid yet
        await _report(db, clock, booking)
    await pay(db, clock, booking)
    stranger = await a_person(db, clock, "Sam")
    with pytest.raises(BookingNotFound):
        async with db.unit_of_work() as uow:
            await disputes.report(
                uow, clock, booking_id=booking.id, reporter_id=stranger.id,
                problem=Problem.OTHER, text="?", photo_file_ids=[],
            )  # fmt: skip
    dispute = await _report(db, clock, booking)
    with pytest.raises(DisputeAlreadyOpen):
        await _report(db, clock, booking)
    with pytest.raises(NotAsked):
        async with db.unit_of_work() as uow:
            await disputes.answer(uow, clock, dispute_id=dispute.id, person_id=owner.id, text="x")


async def test_the_relay_is_for_the_two_sides_and_closes_after_the_stay(db, clock, booking, owner):
    with pytest.raises(RelayClosed):  # unpaid
        async with db.unit_of_work() as uow:
            await relay.send(uow, clock, booking_id=booking.id, sender_id=owner.id, kind="text")
    await pay(db, clock, booking)
    async with db.unit_of_work() as uow:
        leg, sent = await relay.send(
            uow, clock, booking_id=booking.id, sender_id=owner.id, kind="text",
            text="Call +49 151 2345 6789",
        )  # fmt: skip
    assert leg.recipient.id == booking.driver_id
    assert sent.text == "Call •••"
    await stay_through(db, clock, booking)
    clock.advance(hours=2)  # two hours past the end
    with pytest.raises(RelayClosed):
        async with db.unit_of_work() as uow:
            await relay.send(uow, clock, booking_id=booking.id, sender_id=owner.id, kind="text")


async def test_a_completed_stay_is_rated_once_per_side(db, clock, booking, owner):
    with pytest.raises(RatingNotAllowed):
        async with db.unit_of_work() as uow:
            await ratings.rate(uow, clock, booking_id=booking.id, rater_id=owner.id, stars=5)
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    async with db.reading() as uow:
        score_after_the_stay = (await uow.people.get(owner.id)).credit_score
    async with db.unit_of_work() as uow:
        rating = await ratings.rate(
            uow, clock, booking_id=booking.id, rater_id=booking.driver_id, stars=2
        )
    assert rating.ratee_id == owner.id and rating.spot_id == booking.spot_id  # noqa: PT018
    with pytest.raises(AlreadyRated):
        async with db.unit_of_work() as uow:
            await ratings.rate(
                uow, clock, booking_id=booking.id, rater_id=booking.driver_id, stars=5
            )
    async with db.reading() as uow:
        assert (await uow.people.get(owner.id)).credit_score == score_after_the_stay - 10
        assert await uow.people.rating_of(owner.id) == (2.0, 1)


async def test_a_driver_found_not_to_have_come_loses_credit_for_a_no_show(
    db, clock, booking, owner, manager
):
    await pay(db, clock, booking)
    async with db.unit_of_work() as uow:
        dispute = await disputes.report(
            uow, clock, booking_id=booking.id, reporter_id=owner.id, problem=Problem.NO_SHOW,
            text="Nobody came", photo_file_ids=[],
        )  # fmt: skip
    async with db.unit_of_work() as uow:
        await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=Ruling.RELEASE
        )
    async with db.reading() as uow:
        (event,) = await uow.people.credit_events(booking.driver_id, limit=5)
    assert (event.kind, event.delta) == ("no_show", -60)


async def _damage_reported_after_the_stay(db, clock, booking, owner):
    async with db.unit_of_work() as uow:
        return await disputes.report(
            uow, clock, booking_id=booking.id, reporter_id=owner.id, problem=Problem.DAMAGE,
            text="The gate is scratched", photo_file_ids=[],
        )  # fmt: skip


async def _split(db, clock, dispute, manager):
    async with db.unit_of_work() as uow:
        return await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=Ruling.SPLIT
        )


async def _send(db, clock, payout, reference):
    async with db.unit_of_work() as uow:
        sending = await settlement.payout_to_send(uow, payout.id)
    async with db.unit_of_work() as uow:
        await settlement.payout_sent(uow, clock, sending.id, reference)


async def _earnings(db, owner):
    async with db.reading() as uow:
        return await profit.earnings(uow, owner.id)


async def test_a_refund_decided_after_the_stay_comes_out_of_the_waiting_payout(
    db, clock, booking, owner, manager
):
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    await _split(
        db, clock, await _damage_reported_after_the_stay(db, clock, booking, owner), manager
    )
    (payout,) = await transfers(db, Payout)
    # 6.00 split: 3.00 back to the driver, of which 2.55 from the owner's 5.10 and 0.45 from
    # the platform's 0.90.
    assert payout.amount_minor == 255
    await _send(db, clock, payout, "tr_1")
    earned = await _earnings(db, owner)
    assert (earned.pending, earned.owed_back, earned.paid_out) == ([], [], [eur(255)])
    assert [month.amounts for month in earned.by_month] == [[eur(255)]]


async def test_a_refund_decided_while_the_share_was_on_its_way_comes_out_of_the_next_payout(
    db, clock, booking, owner, manager
):
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    (payout,) = await transfers(db, Payout)
    async with db.unit_of_work() as uow:
        assert (await settlement.payout_to_send(uow, payout.id)).amount_minor == 510
    await _split(
        db, clock, await _damage_reported_after_the_stay(db, clock, booking, owner), manager
    )
    async with db.reading() as uow:
        # A send whose answer never came is asked again, the same, dispute or not.
        assert [p.amount_minor for p in (await settlement.due_transfers(uow, clock)).payouts] == [
            510
        ]
    await _send(db, clock, payout, "tr_1")
    accounts = owner_payable_account(owner.id), owner_paid_out_account(owner.id)
    assert await balances(db, *accounts) == [-255, 510]
    earned = await _earnings(db, owner)
    assert (earned.pending, earned.owed_back) == ([], [eur(255)])

    clock.current += timedelta(days=1)
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        later = await bookings.request(
            uow, clock, driver_id=booking.driver_id, spot_id=booking.spot_id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip
    await pay(db, clock, later, external_id="tg-2")
    await stay_through(db, clock, later)
    _, next_payout = await transfers(db, Payout)
    assert next_payout.amount_minor == 510 - 255
    await _send(db, clock, next_payout, "tr_2")
    earned = await _earnings(db, owner)
    assert (earned.pending, earned.owed_back, earned.paid_out) == ([], [], [eur(765)])


async def test_a_payout_does_not_leave_once_a_dispute_is_open_on_its_stay(
    db, clock, booking, owner, manager
):
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    (payout,) = await transfers(db, Payout)
    await _damage_reported_after_the_stay(db, clock, booking, owner)
    async with db.unit_of_work() as uow:
        assert await settlement.payout_to_send(uow, payout.id) is None
    (payout,) = await transfers(db, Payout)
    assert payout.status == TransferStatus.DUE


async def test_a_refund_the_owners_account_cannot_give_back_comes_out_of_their_waiting_payout(
    db, clock, booking, owner, manager
):
    """The owner's share of the disputed stay has left, and their account no longer has it to
    take back; their next stay's share is waiting. The owner's part of the refund comes out of
    that one before it leaves, so no payout is ever more than the owner is owed."""
    async with db.unit_of_work() as uow:
        later = await bookings.request(
            uow, clock, driver_id=booking.driver_id, spot_id=booking.spot_id,
            start=booking.end_at, end=booking.end_at + timedelta(minutes=45),
            commission_basis_points=1500,
        )  # fmt: skip
    await pay(db, clock, booking)
    await pay(db, clock, later, external_id="tg-2")
    await stay_through(db, clock, booking)
    (first,) = await transfers(db, Payout)
    await _send(db, clock, first, "tr_1")
    await stay_through(db, clock, later)
    _, waiting = await transfers(db, Payout)
    share_of_later = waiting.amount_minor
    await _split(
        db, clock, await _damage_reported_after_the_stay(db, clock, booking, owner), manager
    )
    (reversal,) = await transfers(db, PayoutReversal)
    async with db.unit_of_work() as uow:
        await settlement.reversal_refused(uow, reversal.id, "balance_insufficient")
    still_waiting = [p.amount_minor for p in await transfers(db, Payout) if p.id == waiting.id]
    # 6.00 split: the owner gives back 2.55, from the later stay's share as far as it goes.
    assert sum(still_waiting) == max(share_of_later - 255, 0)
    async with db.reading() as uow:
        report = await audit.run(uow)
    assert report.violations == []
    earned = await _earnings(db, owner)
    assert earned.owed_back == ([eur(255 - share_of_later)] if share_of_later < 255 else [])


# --- a refund after the owner's share left: taken back from their account -----------------


@pytest.fixture
def stripe_payouts(stripe_server, recorded) -> Gateways:
    """Stripe pays owners out (Connect from recordings) and refunds Telegram's charges
    (localstripe)."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=stripe_server.url,
    )  # fmt: skip
    stripe = StripeGateway(settings, http_client=recorded)
    return Gateways(
        checkout=stripe, payouts=stripe,
        by_name={"stripe": stripe, "telegram": TelegramInvoiceGateway("provider-token", stripe)},
    )  # fmt: skip


async def _paid_out_then_split(db, clock, booking, owner, manager, at_stripe, gateways):
    """Paid through Telegram's Stripe connection; the owner's share was on its way when the
    driver's problem was reported, and has left when the manager splits the price."""
    charge = await at_stripe.telegram_charge(booking.price_minor)
    async with db.unit_of_work() as uow:
        await booking_payments.record_payment(
            uow, clock, gateway="telegram", payload=booking_payments.payload_for(booking),
            driver_id=booking.driver_id, amount=eur(booking.price_minor),
            external_id="tg-1", provider_charge_id=charge.id,
        )  # fmt: skip
        person = await uow.people.get(owner.id)
        person.payout_account_id, person.payouts_enabled = "acct_1QzTA2PxW8mR4kLd", True
    await stay_through(db, clock, booking)
    (payout,) = await transfers(db, Payout)
    async with db.unit_of_work() as uow:
        await settlement.payout_to_send(uow, payout.id)
    dispute = await _damage_reported_after_the_stay(db, clock, booking, owner)
    await money_movement.move_money(db, clock, gateways)  # the share leaves
    await _split(db, clock, dispute, manager)
    return charge


async def test_a_payout_is_made_from_its_bookings_charge_in_its_bookings_group(
    db, clock, booking, owner, manager, at_stripe, recorded, stripe_payouts
):
    charge = await _paid_out_then_split(
        db, clock, booking, owner, manager, at_stripe, stripe_payouts
    )

    (transfer,) = recorded.calls_to("POST", "/v1/transfers")
    assert transfer.form["source_transaction"] == charge.id
    assert transfer.form["transfer_group"] == f"booking:{booking.id}"


async def test_a_refund_after_the_payout_left_takes_the_owners_part_back_from_their_account(
    db, clock, booking, owner, manager, at_stripe, recorded, stripe_payouts
):
    await _paid_out_then_split(db, clock, booking, owner, manager, at_stripe, stripe_payouts)

    await money_movement.move_money(db, clock, stripe_payouts)

    (payout,) = await transfers(db, Payout)
    (refund,) = await transfers(db, Refund)
    (reversal,) = recorded.calls_to("POST", f"/v1/transfers/{payout.external_id}/reversals")
    # 6.00 split: 3.00 back to the driver, of which 2.55 from the owner's 5.10.
    assert reversal.form["amount"] == "255"
    assert (
        reversal.headers["Idempotency-Key"] == f"booking:{booking.id}:payout:reversal:{refund.id}"
    )
    accounts = owner_payable_account(owner.id), owner_paid_out_account(owner.id)
    assert await balances(db, *accounts) == [0, 255]
    earned = await _earnings(db, owner)
    assert (earned.owed_back, earned.paid_out) == ([], [eur(255)])


async def test_a_payout_the_owners_account_cannot_give_back_is_owed_from_the_next_payouts(
    db, clock, booking, owner, manager, at_stripe, recorded, stripe_payouts
):
    await _paid_out_then_split(db, clock, booking, owner, manager, at_stripe, stripe_payouts)
    (payout,) = await transfers(db, Payout)
    recorded.unreversible_transfers.add(payout.external_id)

    await money_movement.move_money(db, clock, stripe_payouts)

    (reversal,) = await transfers(db, PayoutReversal)
    assert reversal.status == TransferStatus.FAILED
    accounts = owner_payable_account(owner.id), owner_paid_out_account(owner.id)
    assert await balances(db, *accounts) == [-255, 510]
    assert (await _earnings(db, owner)).owed_back == [eur(255)]


# --- chargebacks: what the driver's bank does with the money --------------------------------


@pytest.fixture
def stripe_gateway() -> StripeGateway:
    """Webhooks about disputes ask Stripe nothing: no server behind it."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET,
    )  # fmt: skip
    return StripeGateway(settings, http_client=RecordedStripe())


def a_dispute_event(kind: str, *, amount: int = 600, status: str = "needs_response",
                    event_id: str | None = None, **fields: object) -> GatewayNotice:  # fmt: skip
    """Stripe's charge.dispute.* event on a Telegram invoice's payment: a charge, no intent."""
    dispute = {
        "id": "dp_1", "object": "dispute", "amount": amount, "currency": "eur",
        "charge": "ch_1", "payment_intent": None, "reason": "fraudulent", "status": status,
        "is_charge_refundable": False, "livemode": False, "metadata": {}, **fields,
    }  # fmt: skip
    return notice_of({"id": event_id or f"evt_{kind}_{status}", "object": "event", "type": kind,
                      "data": {"object": dispute}})  # fmt: skip


async def _bank(db, clock, gateway, kind, **fields):
    return await gateway_events.apply_notice(db, clock, gateway, a_dispute_event(kind, **fields))


async def test_a_chargeback_on_a_telegram_payment_is_found_by_its_charge(
    db, clock, booking, stripe_gateway
):
    await pay(db, clock, booking)  # Telegram's charge id is the payment's; Stripe's is ch_1

    outcome = await _bank(db, clock, stripe_gateway, "charge.dispute.created")

    assert (outcome.kind, outcome.booking_id) == ("dispute", booking.id)
    async with db.reading() as uow:
        assert (await uow.trust.unresolved_dispute_of(booking.id)).kind == "chargeback"


async def test_money_the_bank_takes_back_before_the_stay_is_never_paid_out(
    db, clock, booking, owner, stripe_gateway
):
    await pay(db, clock, booking)
    await _bank(db, clock, stripe_gateway, "charge.dispute.created")

    outcome = await _bank(db, clock, stripe_gateway, "charge.dispute.funds_withdrawn")

    assert outcome.kind == "chargeback_funds"
    assert (outcome.chargeback.moved, outcome.chargeback.taken_back) == (eur(600), True)
    driver_chargeback = chargeback_account(booking.driver_id)
    assert await balances(db, ESCROW, driver_chargeback) == [0, 600]
    await stay_through(db, clock, booking)
    assert await transfers(db, Payout) == []
    assert await balances(db, owner_payable_account(owner.id), PLATFORM_REVENUE) == [0, 0]


async def test_a_chargeback_after_the_stay_comes_out_of_the_owners_share_and_commission(
    db, clock, booking, owner, stripe_gateway
):
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)  # 5.10 owed to the owner, waiting to leave
    await _bank(db, clock, stripe_gateway, "charge.dispute.created")

    await _bank(db, clock, stripe_gateway, "charge.dispute.funds_withdrawn", amount=400)

    # 4.00 of 6.00 taken: 3.40 of the owner's 5.10 and 0.60 of the platform's 0.90.
    accounts = owner_payable_account(owner.id), PLATFORM_REVENUE
    assert await balances(db, *accounts, chargeback_account(booking.driver_id)) == [170, 30, 400]
    (payout,) = await transfers(db, Payout)
    assert payout.amount_minor == 170


async def test_a_won_chargeback_puts_the_money_back_once(db, clock, booking, owner, stripe_gateway):
    await pay(db, clock, booking)
    await _bank(db, clock, stripe_gateway, "charge.dispute.funds_withdrawn")

    returned = await _bank(db, clock, stripe_gateway, "charge.dispute.funds_reinstated")
    closed = await _bank(db, clock, stripe_gateway, "charge.dispute.closed", status="won")

    assert (returned.kind, returned.chargeback.moved) == ("chargeback_funds", eur(600))
    assert (closed.kind, closed.chargeback.moved) == ("chargeback_closed", eur(0))
    assert await balances(db, ESCROW, chargeback_account(booking.driver_id)) == [600, 0]
    await stay_through(db, clock, booking)
    (payout,) = await transfers(db, Payout)
    assert payout.amount_minor == 510


async def test_a_chargeback_won_after_the_stay_is_owed_to_the_owner_again(
    db, clock, booking, owner, stripe_gateway
):
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    await _bank(db, clock, stripe_gateway, "charge.dispute.funds_withdrawn")
    assert await transfers(db, Payout) == []  # nothing left for the owner to be paid

    await _bank(db, clock, stripe_gateway, "charge.dispute.closed", status="won")

    assert await balances(db, owner_payable_account(owner.id), PLATFORM_REVENUE) == [510, 90]
    (payout,) = await transfers(db, Payout)
    assert payout.amount_minor == 510


async def test_a_lost_chargeback_takes_the_money_once_whichever_event_says_so(
    db, clock, booking, stripe_gateway
):
    await pay(db, clock, booking)
    await _bank(db, clock, stripe_gateway, "charge.dispute.funds_withdrawn")
    again = await _bank(db, clock, stripe_gateway, "charge.dispute.funds_withdrawn")
    closed = await _bank(db, clock, stripe_gateway, "charge.dispute.closed", status="lost")

    assert again.kind == "duplicate"
    assert (closed.kind, closed.chargeback.taken_back) == ("chargeback_closed", True)
    assert closed.chargeback.moved == eur(0)
    assert await balances(db, ESCROW, chargeback_account(booking.driver_id)) == [0, 600]


async def test_a_payout_refused_after_a_ruling_cut_what_the_owner_is_owed_waits_cut(
    db, clock, booking, owner, manager
):
    """The share was with the gateway when the ruling took half back; the gateway then refused
    it. It waits again at what the owner is owed now, not at what it was."""
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    (payout,) = await transfers(db, Payout)
    async with db.unit_of_work() as uow:
        await settlement.payout_to_send(uow, payout.id)
    await _split(
        db, clock, await _damage_reported_after_the_stay(db, clock, booking, owner), manager
    )
    async with db.unit_of_work() as uow:
        await settlement.transfer_refused(uow, Payout, payout.id, "card_declined")
    (payout,) = await transfers(db, Payout)
    assert (payout.status, payout.amount_minor) == (TransferStatus.DUE, 510 - 255)
    async with db.reading() as uow:
        assert (await audit.run(uow)).violations == []
