"""Money leaving the platform: card holds taken when a stay is over (or before they lapse), due
refunds and payouts handed to their gateway, and each outcome recorded. Gateway calls happen
outside any database transaction and carry idempotency keys, so a crash between the call and
its record moves money once. What people must be told comes back as plain values: the bot
renders and sends them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from core.clock import Clock
from core.db.models import Payment, Payout, PayoutReversal, Person, Refund, TransferStatus
from core.db.sole_runner import sole_runner
from core.db.uow import Database
from core.money import Money
from core.ports import (
    GatewayDirectory,
    GatewayRefused,
    PayoutAccountMissing,
    PayoutOrder,
    RefundOrder,
    ReversalOrder,
)
from core.services import booking_payments, holds, people, settlement
from core.services.holds import HoldLapsed

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Refunded:
    """Tell the driver their money is on its way back."""

    driver: Person
    amount: Money
    booking_id: int
    simulated: bool


@dataclass(frozen=True, slots=True)
class PaidOut:
    """Tell the owner their share has left."""

    owner: Person
    amount: Money
    booking_id: int
    simulated: bool


@dataclass(frozen=True, slots=True)
class TransferGivenUp:
    """Tell the managers: the gateway refused a transfer too often, a person must act."""

    kind: Literal["refund", "payout"]
    amount: Money
    booking_id: int
    attempts: int
    error: str


Moved = Refunded | PaidOut | TransferGivenUp | HoldLapsed


async def move_money(db: Database, clock: Clock, gateways: GatewayDirectory) -> list[Moved]:
    """One sweep: holds to take, then due refunds, payouts to take back, then due payouts. In
    one process at a time: a payout handed to the gateway stays ``SENDING`` until its answer is
    recorded, and a sweep that finds it so sends it again, as it must after a crash, not while
    another process is waiting for that answer; nor may two tell one refund or payout."""
    async with sole_runner(db, "move_money") as alone:
        if not alone:
            return []
        return await _move_due(db, clock, gateways)


async def _move_due(db: Database, clock: Clock, gateways: GatewayDirectory) -> list[Moved]:
    told: list[Moved] = []
    async with db.reading() as uow:
        due_holds = await booking_payments.holds_to_capture(uow, clock)
    for payment, _booking in due_holds:
        told += await _capture(db, clock, gateways, payment)
    async with db.reading() as uow:
        due = await settlement.due_transfers(uow, clock)
        payments = {
            refund.id: await uow.payments.get(Payment, refund.payment_id) for refund in due.refunds
        }
    for refund in due.refunds:
        told += await _refund(db, clock, gateways, refund, payments[refund.id])
    for reversal in due.reversals:
        await _reverse(db, clock, gateways, reversal)
    for payout in due.payouts:
        told += await _pay_out(db, clock, gateways, payout)
    return told


async def _capture(
    db: Database, clock: Clock, gateways: GatewayDirectory, payment: Payment
) -> list[Moved]:
    """Take a card hold: the stay is over, or the hold would lapse before it is. One refused
    after the issuer's deadline has lapsed: no money will come."""
    try:
        gateway = gateways.of_payment(payment.gateway)
        await gateway.capture(
            payment.external_id, payment.amount,
            f"payment:{payment.id}:capture",
        )  # fmt: skip
    except GatewayRefused as error:
        log.warning("capturing payment %s refused: %s", payment.id, error)
        if clock.now() < holds.lapses_at(payment):
            return []  # tried again on the next sweep; the payout waits for it
        async with db.unit_of_work() as uow:
            lapsed = await holds.hold_let_go(uow, clock, payment.external_id)
        return [lapsed] if lapsed is not None and lapsed.needs_manager else []
    async with db.unit_of_work() as uow:
        await booking_payments.payment_captured(uow, payment.external_id)
    return []


async def _refund(
    db: Database, clock: Clock, gateways: GatewayDirectory, refund: Refund, payment: Payment
) -> list[Moved]:
    amount = refund.amount
    try:
        gateway = gateways.of_payment(payment.gateway)
        reference = await gateway.refund(
            RefundOrder(
                amount=amount, idempotency_key=refund.idempotency_key,
                payment_reference=payment.external_id,
                provider_charge_id=payment.provider_charge_id,
                held_owed=payment.amount if payment.held else None,
            )
        )  # fmt: skip
    except GatewayRefused as error:
        return await _refused(db, Refund, refund.id, str(error))
    async with db.unit_of_work() as uow:
        await settlement.refund_sent(uow, clock, refund.id, reference)
        driver = await people.get(uow, refund.driver_id)
    return [Refunded(driver, amount, refund.booking_id, gateway.simulated)]


async def _pay_out(
    db: Database, clock: Clock, gateways: GatewayDirectory, payout: Payout
) -> list[Moved]:
    gateway = gateways.payouts
    if gateway is None:
        return []  # no payout gateway configured: the money waits, shown in /earnings and /report
    async with db.reading() as uow:
        if await uow.payments.has_held_payment(payout.booking_id):
            return []  # the money is still only held on the driver's card
        owner = await people.get(uow, payout.owner_id)
        source_charge = await settlement.charge_paid_out_from(uow, payout.booking_id)
    destination = owner.payout_account_id if owner.payouts_enabled else None
    if destination is None and not gateway.simulated:
        return []  # waits for the owner to connect an account (the sandbox needs none)
    async with db.unit_of_work() as uow:
        sending = await settlement.payout_to_send(uow, payout.id)
    if sending is None:
        return []  # a dispute opened on the stay meanwhile
    payout = sending
    amount = payout.amount
    try:
        reference = await gateway.pay_out(
            PayoutOrder(
                owner_id=payout.owner_id, amount=amount,
                idempotency_key=payout.idempotency_key, destination=destination,
                booking_id=payout.booking_id, source_charge=source_charge,
            )
        )  # fmt: skip
    except PayoutAccountMissing:
        # No account to send to after all: the payout waits for one; not a failure.
        async with db.unit_of_work() as uow:
            await settlement.payout_not_sent(uow, payout.id)
        return []
    except GatewayRefused as error:
        return await _refused(db, Payout, payout.id, str(error))
    async with db.unit_of_work() as uow:
        await settlement.payout_sent(uow, clock, payout.id, reference)
        owner = await people.get(uow, payout.owner_id)
    return [PaidOut(owner, amount, payout.booking_id, gateway.simulated)]


async def _reverse(
    db: Database, clock: Clock, gateways: GatewayDirectory, reversal: PayoutReversal
) -> None:
    """Take the owner's part of a late refund back from the payout that left; refused, the
    owner owes it from their next payouts instead."""
    gateway = gateways.payouts
    if gateway is None:
        return
    async with db.reading() as uow:
        payout = await uow.payments.get(Payout, reversal.payout_id)
    try:
        reference = await gateway.reverse_payout(
            ReversalOrder(
                payout_reference=payout.external_id or "", idempotency_key=reversal.idempotency_key,
                amount=reversal.amount,
            )
        )  # fmt: skip
    except GatewayRefused as error:
        log.warning("reversing payout %s refused: %s", payout.id, error)
        async with db.unit_of_work() as uow:
            await settlement.reversal_refused(uow, reversal.id, str(error))
        return
    async with db.unit_of_work() as uow:
        await settlement.reversal_made(uow, clock, reversal.id, reference)


async def _refused(
    db: Database, kind: type[Refund] | type[Payout], row_id: int, error: str
) -> list[Moved]:
    log.warning("%s %s refused by the gateway: %s", kind.__name__, row_id, error)
    async with db.unit_of_work() as uow:
        row = await settlement.transfer_refused(uow, kind, row_id, error)
    if row.status != TransferStatus.FAILED:
        return []
    return [
        TransferGivenUp(
            kind="refund" if kind is Refund else "payout",
            amount=row.amount, booking_id=row.booking_id,
            attempts=row.attempts, error=error,
        )
    ]  # fmt: skip
