"""A seeded marketplace whose money is audited while people and sweeps act on it at once.

Owners, spots, drivers and managers are set up through the services; then ``actors`` asyncio
tasks, each with its own random stream and its own units of work (so on PostgreSQL they are
separate connections, really concurrent), take random steps: drivers book, pay (once, twice
with another charge id, late, with the same report delivered twice at once), cancel and
extend; owners answer requests and cancel; Stripe-like webhooks arrive duplicated, reordered
and late; parties report problems and managers rule; the sweeps (expiry, stays starting and
ending, the money-movement sweep over a gateway that sometimes refuses) run among them; and
time passes. The steps go in rounds: every actor takes its steps, all of them finish, and the
money audit runs with no transaction half-done. Domain refusals are outcomes, counted; any
other exception is a failure, kept with its traceback.

The same seed gives every actor the same choices; what they meet depends on how their
transactions interleave, so two runs on PostgreSQL agree only roughly.
"""

from __future__ import annotations

import asyncio
import random
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from core.availability import WeeklyRule
from core.db.models import Booking, Payment, Payout, Refund, TransferStatus
from core.db.uow import Database
from core.errors import DomainError
from core.geo import GeoPoint
from core.money import Money
from core.ports import GatewayPaymentStatus, GatewayRefused, PaymentState, PayoutOrder, RefundOrder
from core.services import (
    audit,
    booking_payments,
    bookings,
    disputes,
    gateway_events,
    money_movement,
    people,
    spots,
)
from core.services.gateway_events import (
    ChargebackMoney,
    ChargebackOpened,
    Fact,
    GatewayNotice,
    PaymentChanged,
)
from core.services.parties import Side
from core.status import BookingStatus, SpotStatus
from payments.registry import Gateways
from payments.sandbox import SandboxGateway

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SLOT = timedelta(minutes=15)
COMMISSION_BASIS_POINTS = 1500
PAYMENT_WINDOW = timedelta(minutes=15)
REQUEST_WINDOW = timedelta(minutes=30)
FREE_CANCELLATION_HOURS = 2
LATE_CANCELLATION_PERCENT = 50
# Drivers in the "good" tier: they book instant spots at once and ask at the others.
CREDIT = 600
BERLIN = GeoPoint(52.52, 13.405)
ALL_WEEK = [WeeklyRule(weekday, 0, 24 * 60) for weekday in range(7)]
# Some spots close at night, so a window across midnight is refused there.
DAYTIME = [WeeklyRule(weekday, 6 * 60, 23 * 60) for weekday in range(7)]
# How many of the latest bookings in a status a step chooses among, as people act on what is
# recent in their chat.
RECENT = 40
RULINGS = (disputes.Ruling.REFUND, disputes.Ruling.RELEASE, disputes.Ruling.SPLIT,
           disputes.Ruling.PARTIAL)  # fmt: skip


class ManualClock:
    """Time that moves only when a step of the simulation moves it (core's ``Clock``)."""

    def __init__(self, start: datetime = START) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


class UnreliableGateway(SandboxGateway):
    """The sandbox gateway, refusing a share of captures, refunds and payouts as a real one
    does now and then, so the sweep's retries are exercised too."""

    def __init__(self, rng: random.Random, refusal_rate: float) -> None:
        self.rng = rng
        self.refusal_rate = refusal_rate

    def _maybe_refuse(self, what: str) -> None:
        if self.rng.random() < self.refusal_rate:
            raise GatewayRefused(f"{what} refused (simulated)")

    async def capture(self, reference: str, amount: Money, idempotency_key: str) -> None:
        self._maybe_refuse("capture")

    async def refund(self, order: RefundOrder) -> str:
        self._maybe_refuse("refund")
        return await super().refund(order)

    async def pay_out(self, order: PayoutOrder) -> str:
        self._maybe_refuse("payout")
        return await super().pay_out(order)


class StripeWebhooks:
    """What ``gateway_events.apply_notice`` asks of Stripe: its name, and the state of a
    payment an event names (as Stripe's API would answer)."""

    name = "stripe"
    simulated = True

    def __init__(self) -> None:
        self.states: dict[str, PaymentState] = {}

    async def payment_state(self, reference: str) -> PaymentState:
        return self.states[reference]


@dataclass(frozen=True, slots=True)
class Invoice:
    """A payment on its way: Telegram's successful_payment, not yet delivered to the bot."""

    payload: str
    driver_id: int
    amount: Money
    external_id: str


@dataclass(frozen=True, slots=True)
class Seen:
    """A booking as a person last saw it, in a message or on a button."""

    id: int
    status: BookingStatus
    version: int
    driver_id: int
    spot_id: int
    end_at: datetime


@dataclass(frozen=True, slots=True)
class Failure:
    """An exception no domain rule raised: a bug, in the services or in the simulation."""

    step: str
    kind: str
    trace: str

    def __str__(self) -> str:
        return f"{self.step}: {self.kind}"


def _failure(step: str, error: Exception) -> Failure:
    first_line = (str(error).splitlines() or [""])[0][:200]
    return Failure(
        step,
        f"{type(error).__module__}.{type(error).__name__}: {first_line}",
        "".join(traceback.format_exception(error)),
    )


@dataclass
class Results:
    steps: int = 0
    rounds: int = 0
    audits: int = 0
    seconds: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    # Each distinct violation once, with the round it was first seen in.
    violations: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    # What the store holds at the end: bookings by status, transfers sent, and so on.
    tally: Counter[str] = field(default_factory=Counter)

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0


class MoneyWorld:
    """The marketplace, its people and the queues of what is on its way to the bot."""

    def __init__(
        self,
        db: Database,
        *,
        seed: int = 1,
        actors: int = 16,
        steps_per_turn: int = 1,
        refusal_rate: float = 0.1,
        owners: int = 3,
        spots_per_owner: int = 3,
        drivers: int = 16,
        managers: int = 2,
    ) -> None:
        self.db = db
        self.seed = seed
        self.actors = actors
        self.steps_per_turn = steps_per_turn
        self.clock = ManualClock()
        self.sizes = (owners, spots_per_owner, drivers, managers)
        gateway = UnreliableGateway(random.Random(f"{seed}:gateway"), refusal_rate)
        self.gateways = Gateways(
            checkout=gateway, payouts=gateway,
            by_name={"telegram": gateway, "stripe": gateway, "sandbox": gateway},
        )  # fmt: skip
        self.webhook_source = StripeWebhooks()
        self.owner_of: dict[int, int] = {}
        self.spot_ids: list[int] = []
        self.driver_ids: list[int] = []
        self.manager_ids: list[int] = []
        # Deliveries on their way: taken in any order, some more than once.
        self.invoices: list[Invoice] = []
        self.webhooks: list[GatewayNotice] = []
        self.stripe_payments: list[str] = []
        self._ids = 0
        self.results = Results()

    # --- the world ---------------------------------------------------------------------------

    async def set_up(self) -> None:
        owners, spots_per_owner, drivers, managers = self.sizes
        async with self.db.unit_of_work() as uow:
            people_ids = []
            for n in range(owners + drivers + managers):
                person = await people.register(
                    uow, self.clock, telegram_id=2_000_000 + n, language_code="en",
                    first_name=f"Sim {n}", initial_credit=CREDIT,
                )  # fmt: skip
                people_ids.append(person.id)
            owner_ids = people_ids[:owners]
            self.driver_ids = people_ids[owners : owners + drivers]
            self.manager_ids = people_ids[owners + drivers :]
            for n in range(owners * spots_per_owner):
                owner_id = owner_ids[n % owners]
                draft = spots.SpotDraft(
                    title=f"Sim spot {n}", point=BERLIN, hourly_price=Money(200 + 50 * n, "EUR"),
                    instant_booking=n % 3 != 2,
                )  # fmt: skip
                spot = await spots.create(uow, self.clock, owner_id=owner_id, draft=draft)
                await spots.set_status(uow, spot.id, SpotStatus.APPROVED)
                await spots.add_weekly_rules(
                    uow, spot_id=spot.id, owner_id=owner_id,
                    rules=DAYTIME if n % 4 == 3 else ALL_WEEK,
                )  # fmt: skip
                self.spot_ids.append(spot.id)
                self.owner_of[spot.id] = owner_id

    def _external_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}_{self.seed}_{self._ids}"

    async def _recent(self, *statuses: BookingStatus) -> list[Seen]:
        async with self.db.reading() as uow:
            rows = await uow.session.execute(
                select(Booking.id, Booking.status, Booking.version, Booking.driver_id,
                       Booking.spot_id, Booking.end_at)
                .where(Booking.status.in_(statuses))
                .order_by(Booking.id.desc())
                .limit(RECENT)
            )  # fmt: skip
            return [Seen(*row) for row in rows]

    # --- the steps -----------------------------------------------------------------------------

    async def request(self, rng: random.Random) -> str:
        now = self.clock.now()
        # On the quarter hour, from a quarter of an hour to a day ahead, 30 minutes to 4 hours.
        start = (
            now - timedelta(minutes=now.minute % 15, seconds=now.second) + SLOT * rng.randint(1, 96)
        )
        end = start + SLOT * rng.randint(2, 16)
        async with self.db.unit_of_work() as uow:
            booking = await bookings.request(
                uow, self.clock, driver_id=rng.choice(self.driver_ids),
                spot_id=rng.choice(self.spot_ids), start=start, end=end,
                commission_basis_points=COMMISSION_BASIS_POINTS,
            )  # fmt: skip
        return str(booking.status)

    async def answer(self, rng: random.Random) -> str:
        requests = await self._recent(BookingStatus.REQUESTED)
        if not requests:
            return "nothing"
        seen = rng.choice(requests)
        accept = rng.random() < 0.75
        async with self.db.unit_of_work() as uow:
            await bookings.answer_request(
                uow, self.clock, booking_id=seen.id, owner_id=self.owner_of[seen.spot_id],
                accept=accept,
            )  # fmt: skip
        return "accepted" if accept else "declined"

    async def pay(self, rng: random.Random) -> str:
        """The driver opens the invoice, and what happens to the payment then."""
        waiting = await self._recent(BookingStatus.AWAITING_PAYMENT)
        if not waiting:
            return "nothing"
        seen = rng.choice(waiting)
        async with self.db.reading() as uow:
            charge = await booking_payments.charge_for(
                uow, booking_id=seen.id, driver_id=seen.driver_id
            )
        invoice = Invoice(charge.payload, seen.driver_id, charge.amount, self._external_id("tg"))
        how = rng.random()
        if how < 0.1:
            return await self._stripe(rng, invoice)
        if how < 0.3:
            self.invoices.append(invoice)  # it arrives later, maybe after the booking lapsed
            return "on its way"
        if how < 0.4:
            # The same successful_payment delivered twice at once.
            results = await asyncio.gather(
                self._deliver(invoice), self._deliver(invoice), return_exceptions=True
            )
            delivered: list[str] = []
            for result in results:
                if isinstance(result, BaseException):
                    raise result
                delivered.append(result)
            return "twice at once: " + "+".join(sorted(delivered))
        if how < 0.5:
            # Paid twice: a second charge, with its own id, follows the first.
            first = await self._deliver(invoice)
            self.invoices.append(
                Invoice(invoice.payload, invoice.driver_id, invoice.amount,
                        self._external_id("tg"))
            )  # fmt: skip
            return f"paid twice: {first}"
        if how < 0.53:
            wrong = Invoice(
                invoice.payload, invoice.driver_id, invoice.amount + Money(100, "EUR"),
                invoice.external_id,
            )  # fmt: skip
            return f"wrong amount: {await self._deliver(wrong)}"
        return await self._deliver(invoice)

    async def _deliver(self, invoice: Invoice) -> str:
        async with self.db.unit_of_work() as uow:
            outcome = await booking_payments.record_payment(
                uow, self.clock, gateway="telegram", payload=invoice.payload,
                driver_id=invoice.driver_id, amount=invoice.amount,
                external_id=invoice.external_id, provider_charge_id=None,
            )  # fmt: skip
        return "duplicate" if outcome.duplicate else str(outcome.result)

    async def _stripe(self, rng: random.Random, invoice: Invoice) -> str:
        """Paid on Stripe's page: the webhooks queue up, some of them twice."""
        intent = self._external_id("pi")
        held = rng.random() < 0.6
        state = PaymentState(
            GatewayPaymentStatus.HELD if held else GatewayPaymentStatus.CHARGED,
            invoice.amount, f"ch_{intent}",
        )  # fmt: skip
        first = GatewayNotice(
            self._external_id("evt"),
            "payment_intent.amount_capturable_updated" if held else "payment_intent.succeeded",
            PaymentChanged(intent, invoice.payload, state),
        )  # fmt: skip
        self.webhook_source.states[intent] = state
        self.webhooks.append(first)
        if rng.random() < 0.3:
            self.webhooks.append(first)
        self.stripe_payments.append(intent)
        return "stripe page paid"

    async def deliver_invoice(self, rng: random.Random) -> str:
        if not self.invoices:
            return "nothing"
        invoice = self.invoices.pop(rng.randrange(len(self.invoices)))
        if rng.random() < 0.15:
            self.invoices.append(invoice)  # delivered again later
        return await self._deliver(invoice)

    async def deliver_webhook(self, rng: random.Random) -> str:
        if not self.webhooks:
            return "nothing"
        notice = self.webhooks.pop(rng.randrange(len(self.webhooks)))
        if rng.random() < 0.15:
            self.webhooks.append(notice)
        outcome = await gateway_events.apply_notice(
            self.db, self.clock, self.webhook_source, notice
        )
        if outcome.payment is not None and not outcome.payment.duplicate:
            return f"{outcome.kind}: {outcome.payment.result}"
        if outcome.kind == "dispute":
            return "chargeback opened"  # its detail is the gateway's id of the dispute
        if outcome.kind in ("chargeback_funds", "chargeback_closed"):
            return outcome.kind
        return f"{outcome.kind} {outcome.detail}".strip()

    async def chargeback(self, rng: random.Random) -> str:
        if not self.stripe_payments:
            return "nothing"
        intent = rng.choice(self.stripe_payments)
        dispute = self._external_id("dp")
        amount = self.webhook_source.states[intent].amount
        # The bank's steps, queued with the rest, so they may arrive in any order.
        events: list[tuple[str, Fact]] = [
            ("charge.dispute.created", ChargebackOpened(dispute, intent, "fraudulent")),
            ("charge.dispute.funds_withdrawn",
             ChargebackMoney(dispute, intent, None, amount, taken_back=True)),
        ]  # fmt: skip
        if rng.random() < 0.4:
            events.append(
                ("charge.dispute.funds_reinstated",
                 ChargebackMoney(dispute, intent, None, amount, taken_back=False, final=True))
            )  # fmt: skip
        for kind, fact in events:
            self.webhooks.append(GatewayNotice(self._external_id("evt"), kind, fact))
        return "queued"

    async def cancel_by_driver(self, rng: random.Random) -> str:
        live = await self._recent(*bookings.CANCELLABLE)
        if not live:
            return "nothing"
        seen = rng.choice(live)
        async with self.db.unit_of_work() as uow:
            _, terms = await bookings.cancel_by_driver(
                uow, self.clock, booking_id=seen.id, driver_id=seen.driver_id,
                expected_version=seen.version, free_hours=FREE_CANCELLATION_HOURS,
                late_percent=LATE_CANCELLATION_PERCENT,
            )  # fmt: skip
        return f"cancelled {seen.status}" + ("" if terms.free else " late")

    async def cancel_by_owner(self, rng: random.Random) -> str:
        live = await self._recent(*bookings.CANCELLABLE)
        if not live:
            return "nothing"
        seen = rng.choice(live)
        async with self.db.unit_of_work() as uow:
            await bookings.cancel_by_owner(
                uow, self.clock, booking_id=seen.id, owner_id=self.owner_of[seen.spot_id],
                expected_version=seen.version,
            )  # fmt: skip
        return f"cancelled {seen.status}"

    async def extend(self, rng: random.Random) -> str:
        stays = await self._recent(*bookings.EXTENDABLE)
        if not stays:
            return "nothing"
        seen = rng.choice(stays)
        async with self.db.unit_of_work() as uow:
            await bookings.extend(
                uow, self.clock, booking_id=seen.id, driver_id=seen.driver_id,
                minutes=rng.choice((30, 60, 120)),
                commission_basis_points=COMMISSION_BASIS_POINTS,
            )  # fmt: skip
        return "extended"

    async def report(self, rng: random.Random) -> str:
        now = self.clock.now()
        candidates = [
            seen
            for seen in await self._recent(
                BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.COMPLETED
            )
            if seen.status != BookingStatus.COMPLETED
            or now <= seen.end_at + disputes.DISPUTABLE_AFTER_STAY
        ]
        if not candidates:
            return "nothing"
        seen = rng.choice(candidates)
        side = rng.choice((Side.DRIVER, Side.OWNER))
        reporter = seen.driver_id if side == Side.DRIVER else self.owner_of[seen.spot_id]
        async with self.db.unit_of_work() as uow:
            await disputes.report(
                uow, self.clock, booking_id=seen.id, reporter_id=reporter,
                problem=rng.choice(disputes.PROBLEMS_OF[side]), text="simulated",
                photo_file_ids=[],
            )  # fmt: skip
        return f"reported {seen.status}"

    async def rule(self, rng: random.Random) -> str:
        async with self.db.reading() as uow:
            open_ = await uow.trust.unresolved_disputes(limit=20)
        if not open_:
            return "nothing"
        dispute = rng.choice(open_)
        ruling = rng.choice(RULINGS)
        async with self.db.unit_of_work() as uow:
            await disputes.decide(
                uow, self.clock, dispute_id=dispute.id, manager_id=rng.choice(self.manager_ids),
                ruling=ruling, refund_percent=rng.randint(1, 99),
            )  # fmt: skip
        return f"{ruling} {dispute.kind}"

    async def expire(self, rng: random.Random) -> str:
        async with self.db.unit_of_work() as uow:
            expired = await bookings.expire_overdue(
                uow, self.clock, payment_window=PAYMENT_WINDOW, request_window=REQUEST_WINDOW
            )
        self.results.outcomes["bookings expired"] += len(expired)
        return "some" if expired else "none"

    async def advance(self, rng: random.Random) -> str:
        async with self.db.unit_of_work() as uow:
            notices = await bookings.advance(uow, self.clock)
        self.results.outcomes.update(f"notice {notice.kind}" for notice in notices)
        return "some" if notices else "none"

    async def move_money(self, rng: random.Random) -> str:
        moved = await money_movement.move_money(self.db, self.clock, self.gateways)
        self.results.outcomes.update(f"moved: {type(m).__name__}" for m in moved)
        return "some" if moved else "none"

    async def time_passes(self, rng: random.Random) -> str:
        self.clock.advance(minutes=rng.choice((1, 5, 10, 15, 30)))
        return "ok"

    # --- running -------------------------------------------------------------------------------

    def _steps(self) -> list[tuple[str, Callable[[random.Random], Awaitable[str]], int]]:
        return [
            ("request", self.request, 20),
            ("answer", self.answer, 6),
            ("pay", self.pay, 14),
            ("deliver invoice", self.deliver_invoice, 6),
            ("deliver webhook", self.deliver_webhook, 6),
            ("chargeback", self.chargeback, 2),
            ("cancel by driver", self.cancel_by_driver, 4),
            ("cancel by owner", self.cancel_by_owner, 2),
            ("extend", self.extend, 4),
            ("report", self.report, 3),
            ("rule", self.rule, 3),
            ("expire", self.expire, 5),
            ("advance", self.advance, 5),
            ("move money", self.move_money, 5),
            ("time passes", self.time_passes, 6),
        ]

    async def _act(self, rng: random.Random) -> None:
        steps = self._steps()
        for _ in range(self.steps_per_turn):
            name, step, _weight = rng.choices(steps, weights=[w for *_, w in steps])[0]
            try:
                result = await step(rng)
            except DomainError as error:
                result = f"refused {type(error).__name__}"
            except Exception as error:
                result = f"FAILED {type(error).__name__}"
                self.results.failures.append(_failure(name, error))
            self.results.outcomes[f"{name}: {result}"] += 1
            self.results.steps += 1

    async def audit(self) -> None:
        async with self.db.reading() as uow:
            report = await audit.run(uow)
        self.results.audits += 1
        found = [str(violation) for violation in report.violations]
        if not report.ledger.healthy:
            found.append(f"ledger: {report.ledger}")
        for violation in found:
            if not any(v.endswith(violation) for v in self.results.violations):
                self.results.violations.append(f"round {self.results.rounds}: {violation}")

    async def run(self, *, steps: int | None = None, seconds: float | None = None) -> Results:
        """Rounds until ``steps`` are taken or ``seconds`` have passed, an audit after each
        round, then everything still on its way delivered and the money settled."""
        rngs = [random.Random(f"{self.seed}:{n}") for n in range(self.actors)]
        started = time.perf_counter()
        while (steps is None or self.results.steps < steps) and (
            seconds is None or time.perf_counter() - started < seconds
        ):
            await asyncio.gather(*(self._act(rng) for rng in rngs))
            self.results.rounds += 1
            await self.audit()
        await self.settle(random.Random(f"{self.seed}:settle"))
        self.results.seconds = time.perf_counter() - started
        await self._tally()
        return self.results

    async def settle(self, rng: random.Random) -> None:
        """The end of the day: late payments and webhooks all arrive, every stay runs its
        course, and the sweeps run until nothing is left to move (the gateway refusing as
        before). Audited again."""
        while self.invoices or self.webhooks:
            await self._act_as("deliver invoice", self.deliver_invoice, rng)
            await self._act_as("deliver webhook", self.deliver_webhook, rng)
        for _ in range(12):
            self.clock.advance(hours=3)
            for name, step in (
                ("expire", self.expire), ("advance", self.advance), ("move money", self.move_money),
            ):  # fmt: skip
                await self._act_as(name, step, rng)
            for _ in range(50):
                if await self._act_as("rule", self.rule, rng) == "nothing":
                    break
        await self.audit()

    async def _act_as(
        self, name: str, step: Callable[[random.Random], Awaitable[str]], rng: random.Random
    ) -> str:
        try:
            result = await step(rng)
        except DomainError as error:
            result = f"refused {type(error).__name__}"
        except Exception as error:
            result = f"FAILED {type(error).__name__}"
            self.results.failures.append(_failure(f"settle {name}", error))
        self.results.outcomes[f"settle {name}: {result}"] += 1
        return result

    async def _tally(self) -> None:
        tally = self.results.tally
        async with self.db.reading() as uow:
            session = uow.session
            for status, count in await session.execute(
                select(Booking.status, func.count()).group_by(Booking.status)
            ):
                tally[f"bookings {status}"] = count
            for payment_status, count in await session.execute(
                select(Payment.status, func.count()).group_by(Payment.status)
            ):
                tally[f"payments {payment_status}"] = count
            for name, model in (("refunds", Refund), ("payouts", Payout)):
                for money_status, count in await session.execute(
                    select(model.status, func.count()).group_by(model.status)
                ):
                    tally[f"{name} {money_status}"] = count
            tally["refunds done"] = tally[f"refunds {TransferStatus.DONE}"]
            tally["payouts done"] = tally[f"payouts {TransferStatus.DONE}"]
