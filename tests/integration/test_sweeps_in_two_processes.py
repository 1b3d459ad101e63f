"""Every periodic sweep run by two processes at the same moment, on one PostgreSQL: two
independent handles (two pools, as two processes have) with due work waiting, and every effect
happens once: each booking expires once, each reminder and question is claimed once, each
hold is taken once, each refund and payout is handed to the gateway once and told once, each
spot's free time is rolled once, each quiet payment page is reconciled once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from core.db.engine import create_engine
from core.db.migrate import upgrade
from core.db.models import Checkout, LedgerTransaction, TransferStatus
from core.db.sole_runner import sole_runner
from core.db.uow import Database
from core.geo import GeoPoint
from core.ports import PayoutOrder, RefundOrder
from core.services import (
    booking_payments,
    bookings,
    free_times,
    gateway_events,
    money_movement,
    saved_searches,
    stay_checks,
)
from core.services.gateway_events import OutcomeKind
from core.services.money_movement import PaidOut, Refunded
from core.settings import Settings
from payments.registry import Gateways
from payments.sandbox import SandboxGateway
from payments.stripe_gateway import StripeGateway
from tests.conftest import assert_ledger_sound
from tests.integration.builders import a_payment, a_person, a_stay, an_approved_spot
from tests.support.stripe_side import SECRET_KEY, WEBHOOK_SECRET

pytestmark = pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)

STAYS = 6
PAYMENT_WINDOW = timedelta(minutes=15)
REQUEST_WINDOW = timedelta(hours=2)
POLICY = {"free_hours": 24, "late_percent": 50}


@pytest.fixture
async def processes(database_factory) -> AsyncIterator[tuple[Database, Database]]:
    """Two handles on one fresh database, each with its own pool of connections."""
    url = await database_factory.new_url()
    first, second = Database(create_engine(url)), Database(create_engine(url))
    await upgrade(first.bind)
    yield first, second
    await assert_ledger_sound(first)
    await first.close()
    await second.close()


class CountingSandbox(SandboxGateway):
    """The sandbox's gateway, counting what each process hands it."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()

    async def capture(self, reference, amount, idempotency_key) -> None:
        self.calls["capture", idempotency_key] += 1
        await asyncio.sleep(0)  # the network: the other process runs meanwhile

    async def refund(self, order: RefundOrder) -> str:
        self.calls["refund", order.idempotency_key] += 1
        await asyncio.sleep(0)
        return await super().refund(order)

    async def pay_out(self, order: PayoutOrder) -> str:
        self.calls["pay_out", order.idempotency_key] += 1
        await asyncio.sleep(0)
        return await super().pay_out(order)


async def _twice(sweep, processes):
    """The sweep in both processes at once; what each returned."""
    first, second = processes
    return await asyncio.gather(sweep(first), sweep(second))


async def test_each_overdue_booking_expires_once(processes, clock):
    db = processes[0]
    driver = await a_person(db, clock, "Dana")
    owner = await a_person(db, clock, "Olga")
    waiting = [(await a_stay(db, clock, owner=owner, driver=driver)).booking for _ in range(STAYS)]
    clock.advance(minutes=16)

    async def expire(db):
        async with db.unit_of_work() as uow:
            return await bookings.expire_overdue(
                uow, clock, payment_window=PAYMENT_WINDOW, request_window=REQUEST_WINDOW
            )

    expired = [booking.id for run in await _twice(expire, processes) for booking in run]
    assert sorted(expired) == sorted(booking.id for booking in waiting)


async def test_each_waiting_driver_hears_once_of_a_spot_freed_in_both(processes, clock):
    db = processes[0]
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    start = clock.now() + timedelta(hours=1)
    for n in range(STAYS):
        driver = await a_person(db, clock, f"Driver {n}")
        async with db.unit_of_work() as uow:
            await saved_searches.save(
                uow, clock, person_id=driver.id, radius_m=1000, start=start,
                point=GeoPoint(spot.lat + 0.001, spot.lon), end=start + timedelta(hours=2),
            )  # fmt: skip

    async def tell(db):  # two expiries at the spot, one in each process
        async with db.unit_of_work() as uow:
            return await saved_searches.freed_for_waiting_drivers(uow, clock, [spot.id])

    told = [freed.telegram_id for run in await _twice(tell, processes) for freed in run]
    assert len(told) == len(set(told)) == STAYS


async def test_each_reminder_and_question_is_claimed_once(processes, clock):
    db = processes[0]
    owner = await a_person(db, clock, "Olga")
    stays = []
    for n in range(STAYS):
        stay = await a_stay(
            db, clock, owner=owner, driver=await a_person(db, clock, f"Driver {n}"),
            start_in=timedelta(minutes=10), length=timedelta(minutes=50),
        )  # fmt: skip
        await a_payment(db, clock, stay.booking, external_id=f"paid-{n}")
        stays.append(stay)

    async def advance(db):
        async with db.unit_of_work() as uow:
            notices = await bookings.advance(uow, clock)
            checks = await stay_checks.due(uow, clock)
        return [(n.kind, n.booking.id) for n in notices] + [
            (c.kind, c.parties.booking.id) for c in checks
        ]

    claimed: list[tuple[object, int]] = []
    # Starts soon; under way (the driver not seen: the owner is asked); ends soon; ended; and
    # past the departure's grace (the owner is asked whether the car left).
    for minutes in (0, 41, 10, 10, 15):
        clock.advance(minutes=minutes)
        for run in await _twice(advance, processes):
            claimed += run
    kinds = Counter(kind for kind, _ in claimed)
    assert len(claimed) == len(set(claimed)), Counter(claimed).most_common(3)
    assert set(kinds.values()) == {STAYS}, kinds
    assert len(kinds) == 5, kinds
    async with db.reading() as uow:
        completions = await uow.session.scalar(
            select(func.count()).where(LedgerTransaction.kind == "completion")
        )
    assert completions == STAYS


async def test_each_hold_refund_and_payout_moves_and_is_told_once(processes, clock):
    db = processes[0]
    owner = await a_person(db, clock, "Olga")
    completed, cancelled = [], []
    for n in range(STAYS):
        driver = await a_person(db, clock, f"Driver {n}")
        stay = await a_stay(
            db, clock, owner=owner, driver=driver, start_in=timedelta(minutes=10),
            length=timedelta(minutes=50),
        )  # fmt: skip
        await a_payment(db, clock, stay.booking, external_id=f"held-{n}", held=True)
        completed.append(stay.booking)
        stay = await a_stay(db, clock, owner=owner, driver=driver, start_in=timedelta(hours=3))
        await a_payment(db, clock, stay.booking, external_id=f"paid-{n}")
        async with db.unit_of_work() as uow:
            paid = await bookings.locked(uow, stay.booking.id)
            await bookings.cancel_by_driver(
                uow, clock, booking_id=paid.id, driver_id=driver.id,
                expected_version=paid.version, **POLICY,
            )  # fmt: skip
        cancelled.append(stay.booking)
    clock.advance(hours=1, minutes=1)  # the held stays are over
    async with db.unit_of_work() as uow:
        await bookings.advance(uow, clock)
    clock.advance(hours=1, minutes=1)  # and their owner's hour has passed
    sandbox = CountingSandbox()
    gateways = Gateways(checkout=sandbox, payouts=sandbox, by_name={"sandbox": sandbox})

    async def move(db):
        return await money_movement.move_money(db, clock, gateways)

    told = [outcome for run in await _twice(move, processes) for outcome in run]
    # Ones a process left to the other are moved by the next sweep, in either.
    told += await money_movement.move_money(db, clock, gateways)

    assert sorted(o.booking_id for o in told if isinstance(o, Refunded)) == sorted(
        booking.id for booking in cancelled
    )
    paid_out = sorted(o.booking_id for o in told if isinstance(o, PaidOut))
    assert paid_out == sorted(booking.id for booking in completed + cancelled)
    assert set(sandbox.calls.values()) == {1}, sandbox.calls.most_common(3)
    assert Counter(kind for kind, _ in sandbox.calls) == {
        "capture": STAYS, "refund": STAYS, "pay_out": 2 * STAYS,
    }  # fmt: skip
    async with db.reading() as uow:
        assert await uow.payments.due_refunds(limit=100) == []
        payouts = await uow.payments.payouts_of_owner(owner.id)
        sent = await uow.session.scalars(
            select(LedgerTransaction.kind).where(LedgerTransaction.kind.in_(("refund", "payout")))
        )
        assert Counter(sent) == {"refund": STAYS, "payout": 2 * STAYS}
    assert {payout.status for payout in payouts} == {TransferStatus.DONE}


async def test_each_spots_free_time_rolls_forward_once(processes, clock):
    db = processes[0]
    owner = await a_person(db, clock, "Olga")
    for _ in range(STAYS):
        await an_approved_spot(db, clock, owner)
    clock.advance(days=2)  # every spot's free time now reaches too little past the horizon

    rolled = await _twice(lambda db: free_times.roll_forward(db, clock, batch=2), processes)

    assert sum(rolled) == STAYS


async def test_each_quiet_paid_page_is_reconciled_once(
    processes, clock, stripe_server, recorded, at_stripe
):
    db = processes[0]
    owner = await a_person(db, clock, "Olga")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=stripe_server.url,
    )  # fmt: skip
    gateway = StripeGateway(settings, http_client=recorded)
    pages = []
    for n in range(STAYS):
        stay = await a_stay(db, clock, owner=owner, driver=await a_person(db, clock, f"D{n}"))
        async with db.unit_of_work() as uow:
            page = await booking_payments.open_checkout(
                uow, clock, booking_id=stay.booking.id, gateway="stripe",
                reference=f"cs_test_{n}", url=f"https://checkout.stripe.com/c/{n}",
            )  # fmt: skip
        intent = await at_stripe.pays(
            stay.booking.price_minor, payload=booking_payments.payload_for(stay.booking)
        )
        recorded.paid_sessions[page.reference] = intent.id
        pages.append(page)
    clock.advance(minutes=11)

    async def reconcile(db):
        return await gateway_events.reconcile_quiet_checkouts(
            db, clock, gateway, quiet_for=timedelta(minutes=10)
        )

    outcomes = [outcome for run in await _twice(reconcile, processes) for outcome in run]
    outcomes += await reconcile(db)

    paid = sorted(o.booking_id for o in outcomes if o.kind == OutcomeKind.PAID)
    assert paid == sorted(page.booking_id for page in pages)
    async with db.reading() as uow:
        still_open = await uow.session.scalars(select(Checkout).where(Checkout.open.is_(True)))
        assert list(still_open) == []


async def test_a_sweep_whose_process_died_is_taken_over(processes):
    first, second = processes
    async with sole_runner(first, "move_money") as alone:
        assert alone
        async with sole_runner(second, "move_money") as also:
            assert not also
        # The first process dies: the server ends its connections, and its lock with them
        # (waited for, up to 5 s: a backend's ending is not done when it is asked for).
        async with second.bind.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid, 5000) FROM pg_locks"
                    " WHERE locktype = 'advisory'"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            )
        async with sole_runner(second, "move_money") as alone_now:
            assert alone_now
    async with sole_runner(first, "move_money") as alone_again:  # the first one, restarted
        assert alone_again
