"""The tables. Amounts are stored as integer minor units beside their currency and read as
``Money`` (a ``composite()`` over the two columns); instants are aware UTC (see ``UTCDateTime``)."""

from __future__ import annotations

from datetime import datetime
from enum import Flag, StrEnum, auto

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    InstanceState,
    Mapped,
    Mapper,
    composite,
    declared_attr,
    mapped_column,
    relationship,
)

from core.db.free_time import FreeTimeType
from core.db.types import FlagSet, UTCDateTime
from core.errors import IllegalTransition, InvalidCurrency
from core.money import Money
from core.requirements import Requirements, requirements_of
from core.status import (
    BookingStatus,
    SpotStatus,
    check_booking_transition,
    check_spot_transition,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


def _enum(enum_type: type[StrEnum], name: str) -> Enum:
    # Stored as the enum's values, checked by a constraint rather than a native PG type,
    # so adding a status is a plain migration on both databases.
    return Enum(
        enum_type,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
    )


@event.listens_for(Base, "mapper_configured", propagate=True)
def _forget_money_when_its_columns_change(mapper: Mapper[object], class_: type) -> None:
    # A composite keeps the value it built until the next flush or expiry; a write to one of its
    # columns (``payout.amount_minor -= cut``) must not leave an older ``payout.amount`` behind.
    for prop in mapper.composites:
        for column in prop.props:

            def forget(state: InstanceState[object], *_: object, key: str = prop.key) -> None:
                state.dict.pop(key, None)

            event.listen(getattr(class_, column.key), "set", forget, raw=True)


class Role(Flag):
    NONE = 0
    DRIVER = auto()
    OWNER = auto()
    MANAGER = auto()


class VehicleSize(StrEnum):
    MOTORBIKE = "motorbike"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    VAN = "van"


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str] = mapped_column(String(8))
    # To greet the person themselves, and to name a manager to the other managers; never shown
    # to the other side of a booking.
    first_name: Mapped[str] = mapped_column(String(64), default="")
    roles: Mapped[Role] = mapped_column(FlagSet(Role), default=Role.NONE)
    credit_score: Mapped[int] = mapped_column(Integer)
    banned: Mapped[bool] = mapped_column(Boolean, default=False)
    ban_reason: Mapped[str | None] = mapped_column(Text)
    # The owner's account with the payout gateway (Stripe Connect), once they opened one.
    payout_account_id: Mapped[str | None] = mapped_column(String(255))
    payouts_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The code in the links this person shares (``core.services.referrals``), made on first
    # use; and who brought them, when they came by someone's link.
    referral_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime]


class Spot(Base):
    __tablename__ = "spot"
    __table_args__ = (
        CheckConstraint("hourly_price_minor >= 0", name="hourly_price_not_negative"),
        CheckConstraint(
            "daily_price_minor IS NULL OR daily_price_minor >= 0", name="daily_price_not_negative"
        ),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="on_earth"),
        # The moderation queue and the count of listings read spots by status. Nearest-first
        # search reads each store's own spatial index instead (migration 0013, kept out of the
        # models: see core.db.spatial).
        Index("ix_spot_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(255), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    hourly_price_minor: Mapped[int] = mapped_column(Integer)
    daily_price_minor: Mapped[int | None] = mapped_column(Integer)
    hourly_price: Mapped[Money] = composite(Money, "hourly_price_minor", "currency")
    covered: Mapped[bool] = mapped_column(Boolean, default=False)
    ev_charger: Mapped[bool] = mapped_column(Boolean, default=False)
    max_vehicle_size: Mapped[VehicleSize] = mapped_column(
        _enum(VehicleSize, "vehicle_size"), default=VehicleSize.MEDIUM
    )
    access_instructions: Mapped[str] = mapped_column(Text, default="")
    instant_booking: Mapped[bool] = mapped_column(Boolean, default=True)
    # What the owner asks of drivers (``core.requirements``): a credit tier at least (None:
    # anyone), and stays completed on ParkShare.
    min_driver_tier: Mapped[str | None] = mapped_column(String(16))
    min_completed_stays: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[SpotStatus] = mapped_column(
        _enum(SpotStatus, "spot_status"), default=SpotStatus.DRAFT
    )
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    # The week's slots its free time falls in (``core.free_time.week_slots``), written with the
    # free time: a search passes over a spot whose slots miss the window's on the spot's own
    # row. Every bit (-1) until the free time is first written.
    free_week_slots: Mapped[int] = mapped_column(BigInteger, default=-1, server_default="-1")
    # Its ratings' count and the sum of their stars, written with each rating: a search shows
    # the average without reading a rating (and PostgreSQL's search filters on it).
    rating_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_star_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    owner: Mapped[Person] = relationship(lazy="raise")
    photos: Mapped[list[SpotPhoto]] = relationship(
        order_by="SpotPhoto.position", lazy="raise", cascade="all, delete-orphan"
    )

    # Not a composite: setting a composite to None would clear the currency the hourly price
    # shares with it.
    @property
    def daily_price(self) -> Money | None:
        """The price of a whole day, or None when the spot has no day rate."""
        return Money.optional(self.daily_price_minor or None, self.currency)

    @daily_price.setter
    def daily_price(self, price: Money | None) -> None:
        if price is not None and self.currency is not None and price.currency != self.currency:
            raise InvalidCurrency(f"{price.currency} vs {self.currency}")
        self.daily_price_minor = None if price is None else price.minor

    @property
    def requirements(self) -> Requirements:
        return requirements_of(self.min_driver_tier, self.min_completed_stays)

    def move_to(self, status: SpotStatus) -> None:
        """The next status, if a listing's lifecycle allows it."""
        check_spot_transition(self.status, status)
        self.status = status


class Community(Base):
    """A group chat the bot was added to (a building's, an office's): its members' spots can be
    offered there first. Its admins can turn that off (``active``)."""

    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(128), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class SpotCommunity(Base):
    """A spot offered to a group: to its members first (others only close to the time), or to
    them only."""

    __tablename__ = "spot_community"
    __table_args__ = (UniqueConstraint("spot_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spot.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class SpotShare(Base):
    """A spot's card sent to a chat from inline mode, by whom."""

    __tablename__ = "spot_share"

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spot.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)


class Operatorship(Base):
    """An owner's spots managed by another person (a building manager, an agent), who is paid
    ``share_bp`` (hundredths of a per cent) of the owner's share of each stay. A row no one has
    taken (``operator_id`` empty) is an invitation; one with ``ended_at`` is over."""

    __tablename__ = "operatorship"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    share_bp: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    @property
    def active(self) -> bool:
        return self.operator_id is not None and self.ended_at is None


class SpotPhoto(Base):
    __tablename__ = "spot_photo"
    __table_args__ = (UniqueConstraint("spot_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spot.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    telegram_file_id: Mapped[str] = mapped_column(String(255))


class AvailabilityRule(Base):
    """A weekly opening in the spot's local time: ``weekday`` 0 = Monday, minutes from midnight."""

    __tablename__ = "availability_rule"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name="minutes",
        ),
        # Search asks whether a spot has a rule around a moment, from the index alone.
        Index("ix_availability_rule_spot_day", "spot_id", "weekday", "start_minute", "end_minute"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spot.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_minute: Mapped[int] = mapped_column(SmallInteger)
    end_minute: Mapped[int] = mapped_column(SmallInteger)


class AvailabilityWindow(Base):
    """A one-off opening, or a block when ``blocked``; stored as the instants the owner meant."""

    __tablename__ = "availability_window"
    __table_args__ = (CheckConstraint("start_at < end_at", name="ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spot.id", ondelete="CASCADE"), index=True)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)


class SpotFreeTime(Base):
    """A spot's free time from a little before now to past the bookable horizon (see
    ``core.free_time``), rewritten in the transaction of every change to its hours, one-off
    windows or live bookings, and rolled forward daily. Search and booking test it in SQL."""

    __tablename__ = "spot_free_time"

    spot_id: Mapped[int] = mapped_column(
        ForeignKey("spot.id", ondelete="CASCADE"), primary_key=True
    )
    # Epoch seconds: the stretch [written_from, written_until) the intervals were computed for.
    written_from: Mapped[int] = mapped_column(BigInteger)
    written_until: Mapped[int] = mapped_column(BigInteger, index=True)
    free: Mapped[list[tuple[int, int]]] = mapped_column(FreeTimeType())


class Booking(Base):
    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("start_at < end_at", name="ordered"),
        CheckConstraint("price_minor >= 0 AND commission_minor >= 0", name="amounts"),
        CheckConstraint("commission_minor <= price_minor", name="commission_within_price"),
        Index("ix_booking_spot_window", "spot_id", "start_at", "end_at"),
        # The expiry sweep looks for bookings left waiting in a status.
        Index("ix_booking_status_updated", "status", "updated_at"),
        # The sweeps that start and end stays, and ask owners about them, look by status.
        Index("ix_booking_status_start", "status", "start_at"),
        Index("ix_booking_status_end", "status", "end_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spot.id"))
    driver_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    currency: Mapped[str] = mapped_column(String(3))
    price_minor: Mapped[int] = mapped_column(Integer)
    commission_minor: Mapped[int] = mapped_column(Integer)
    price: Mapped[Money] = composite(Money, "price_minor", "currency")
    # The platform's part of the price.
    commission: Mapped[Money] = composite(Money, "commission_minor", "currency")
    status: Mapped[BookingStatus] = mapped_column(_enum(BookingStatus, "booking_status"))
    # Bumped on every change, so a button rendered for an older state can tell it is stale.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # An extension is a booking of its own, paid on its own, right after the one it extends.
    extends_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    # A stay moved here from a spot found occupied is paid with that booking's money, once.
    rebooked_from_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), unique=True)
    # One of the stays of a weekly pattern booked together.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("booking_series.id"), index=True)
    # Paid by the payment of another booking of its series (the first of those paid together),
    # whose money arrives here when it is paid.
    paid_with_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    # Waits for payment until then, not for the usual few minutes: a monthly pass's next month,
    # billed days before it begins.
    pay_by: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    spot: Mapped[Spot] = relationship(lazy="raise")
    driver: Mapped[Person] = relationship(lazy="raise")

    # Every UPDATE of a booking is a compare-and-set: it says WHERE version = <the version this
    # session read>, and a writer that read an older version changes nothing (StaleDataError).
    # The services bump the version themselves, as it also names the state a button showed.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012

    def move_to(self, status: BookingStatus, at: datetime) -> None:
        """The next status, if the lifecycle allows it; the new version names the new state.
        Written on flush as a compare-and-set on the version this session read."""
        check_booking_transition(self.status, status)
        self.status = status
        self.version += 1
        self.updated_at = at


class BookingSeries(Base):
    """Stays a driver booked at one spot by a weekly pattern ("Mon-Fri 8-18 for 2 weeks"), made
    and paid together. Each stay is a booking of its own, for reminders, check-in, disputes,
    cancellation and payout alike."""

    __tablename__ = "booking_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spot.id"))
    driver_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # The pattern as the driver typed it, shown back to both sides.
    pattern: Mapped[str] = mapped_column(Text)
    # A month of a monthly pass: its stays are the pass's daily band within the month.
    pass_id: Mapped[int | None] = mapped_column(ForeignKey("monthly_pass.id"), index=True)
    period_start_at: Mapped[datetime | None]
    period_end_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class PassOffer(Base):
    """An owner's offer of a spot by the month: a daily band (all day, nights, weekdays) as
    weekly rules, a price a month, and the notice either side gives to end a pass."""

    __tablename__ = "pass_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spot.id"), unique=True)
    # The band's weekly rules, "weekday,start,end;..." in the spot's local minutes.
    band: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    monthly_minor: Mapped[int] = mapped_column(Integer)
    monthly_price: Mapped[Money] = composite(Money, "monthly_minor", "currency")
    notice_days: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PassStatus(StrEnum):
    ACTIVE = "active"
    # Ended by notice, at the end of its last month.
    ENDED = "ended"
    # A month was not paid by its start: its time went back to the spot.
    LAPSED = "lapsed"


class MonthlyPass(Base):
    """A driver's pass at a spot: month after month of the offer's band, each month a series of
    stays paid at once, until either side gives notice or a month goes unpaid. The offer's
    terms are copied, so a later change of the offer does not change a pass already taken."""

    __tablename__ = "monthly_pass"

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spot.id"), index=True)
    driver_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    band: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    monthly_minor: Mapped[int] = mapped_column(Integer)
    monthly_price: Mapped[Money] = composite(Money, "monthly_minor", "currency")
    notice_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[PassStatus] = mapped_column(_enum(PassStatus, "pass_status"), index=True)
    # Set by notice: the pass is not renewed past this moment.
    ends_at: Mapped[datetime | None]
    # The card the first month was paid with, saved at the gateway for the months after
    # (Stripe's customer and payment method); None when it bills each month in chat.
    card_customer_ref: Mapped[str | None] = mapped_column(String(255))
    card_method_ref: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012

    def move_to(self, status: PassStatus, at: datetime) -> None:
        if self.status != PassStatus.ACTIVE:
            raise IllegalTransition(f"{self.status} -> {status}", current=self.status, new=status)
        self.status = status
        self.version += 1
        self.updated_at = at


class OverstayStatus(StrEnum):
    # The car is still there after the stay.
    OPEN = "open"
    # Gone, and the time past the end is billed.
    DUE = "due"
    PAID = "paid"
    # Gone within the grace: nothing to pay.
    WAIVED = "waived"
    # Not paid in time: the managers have it, and the driver lost credit.
    UNPAID = "unpaid"


class Overstay(Base):
    """A car that stayed past the end of its stay, and what that costs its driver: counted from
    the end of the booking until the driver, the owner or a live location says it left."""

    __tablename__ = "overstay"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), unique=True)
    ended_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Money] = composite(Money, "amount_minor", "currency")
    status: Mapped[OverstayStatus] = mapped_column(
        _enum(OverstayStatus, "overstay_status"), index=True
    )
    # Bumped on every change: a bill names the version it was made for.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012

    def move_to(self, status: OverstayStatus, at: datetime) -> None:
        """The next status, if an overstay's lifecycle allows it, as a new version."""
        if status not in OVERSTAY_TRANSITIONS[self.status]:
            raise IllegalTransition(f"{self.status} -> {status}", current=self.status, new=status)
        self.status = status
        self.version += 1
        self.updated_at = at


OVERSTAY_TRANSITIONS: dict[OverstayStatus, frozenset[OverstayStatus]] = {
    OverstayStatus.OPEN: frozenset({OverstayStatus.DUE, OverstayStatus.WAIVED}),
    OverstayStatus.DUE: frozenset({OverstayStatus.PAID, OverstayStatus.UNPAID}),
    OverstayStatus.PAID: frozenset(),
    OverstayStatus.WAIVED: frozenset(),
    OverstayStatus.UNPAID: frozenset(),
}


class PaymentStatus(StrEnum):
    SUCCEEDED = "succeeded"
    # Money arrived for a booking that had already lapsed: it is owed back to the driver.
    REFUND_DUE = "refund_due"
    REFUNDED = "refunded"
    # A card hold the gateway let go (cancelled, or lapsed untaken): no money came.
    LAPSED = "lapsed"


class Payment(Base):
    """Money a driver paid for a booking, with the gateway's own references."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    gateway: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[Money] = composite(Money, "amount_minor", "currency")
    status: Mapped[PaymentStatus] = mapped_column(_enum(PaymentStatus, "payment_status"))
    # Telegram's id of the charge; unique, so a repeated successful_payment is recognised.
    external_id: Mapped[str] = mapped_column(String(255), unique=True)
    provider_charge_id: Mapped[str | None] = mapped_column(String(255))
    # Only authorised on the card (a Stripe hold): taken when the stay ends.
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    # A card hold larger than the price (an overstay buffer): what the card may still give.
    # Only ``amount`` is owed; an overstay taken from the buffer is added to it.
    authorized_minor: Mapped[int | None] = mapped_column(BigInteger)
    # When the card's issuer lets a hold go untaken, as the gateway says; None when unknown.
    capture_before: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Checkout(Base):
    """A hosted payment page opened for a booking, so a payment whose webhook never came can
    still be found and recorded."""

    __tablename__ = "checkout"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    gateway: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(255), unique=True)
    url: Mapped[str] = mapped_column(Text)
    # Open until a payment is recorded for it, or the booking no longer waits for one.
    open: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # When the gateway stops taking payments on it; None when it said nothing.
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class GatewayEvent(Base):
    """A webhook event already processed, recorded with its effects so a redelivery is a no-op."""

    __tablename__ = "gateway_event"
    __table_args__ = (UniqueConstraint("gateway", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]


class TransferStatus(StrEnum):
    """Money the platform owes someone outside it, and whether the gateway has moved it."""

    DUE = "due"
    # Handed to the gateway, its answer not recorded yet: the amount is fixed from here on.
    SENDING = "sending"
    DONE = "done"
    # Given up on after repeated refusals; the managers are told.
    FAILED = "failed"


class _Transfer:
    """Money the platform owes someone outside it, until the gateway has moved it."""

    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[TransferStatus] = mapped_column(
        _enum(TransferStatus, "transfer_status"), index=True
    )
    # Sent to the gateway with the request, so a retried transfer is made once.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]

    @declared_attr
    def amount(cls) -> Mapped[Money]:
        return composite(Money, "amount_minor", "currency")


class Refund(_Transfer, Base):
    """Money going back to a driver's card: owed in the ledger at once, sent by the gateway
    when the settlement job gets to it."""

    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    driver_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    reason: Mapped[str] = mapped_column(String(32))


class Payout(_Transfer, Base):
    """An owner's share of a completed stay on its way to their account."""

    __tablename__ = "payout"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"))
    # One payout of a booking to its owner, and one to the operator who manages the spot.
    __table_args__ = (UniqueConstraint("booking_id", "owner_id"),)


class PayoutReversal(_Transfer, Base):
    """Part of a payout taken back from the owner's account (a refund decided after their share
    had left), so the owner owes nothing out of their next payouts."""

    __tablename__ = "payout_reversal"

    id: Mapped[int] = mapped_column(primary_key=True)
    payout_id: Mapped[int] = mapped_column(ForeignKey("payout.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"))


class LedgerTransaction(Base):
    """One movement of money; its entries sum to zero."""

    __tablename__ = "ledger_transaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    # Makes posting idempotent: the same business event never moves money twice.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]

    entries: Mapped[list[LedgerEntry]] = relationship(lazy="raise")


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transaction.id"), index=True)
    # e.g. "driver:12", "escrow", "owner_payable:7", "platform_revenue"
    account: Mapped[str] = mapped_column(String(64), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[Money] = composite(Money, "amount_minor", "currency")


class Rating(Base):
    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("booking_id", "rater_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        # SQLite's search averages a spot's stars from this index alone, for a least rating.
        Index("ix_rating_spot_stars", "spot_id", "stars"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    ratee_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    spot_id: Mapped[int | None] = mapped_column(ForeignKey("spot.id"))
    stars: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class CreditEvent(Base):
    __tablename__ = "credit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    delta: Mapped[int] = mapped_column(Integer)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class DisputeStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


class Dispute(Base):
    __tablename__ = "dispute"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[DisputeStatus] = mapped_column(
        _enum(DisputeStatus, "dispute_status"), default=DisputeStatus.OPEN, index=True
    )
    # The manager who claimed it by acting first; only they act on it after that.
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    # The party a manager asked for more; only their answer is taken as evidence.
    asked_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # An owner whose spot was reported occupied concedes by saying nothing until then.
    answer_by: Mapped[datetime | None]
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class DisputeEvidence(Base):
    """What a party sent a manager about a dispute: the report itself, photos, later answers."""

    __tablename__ = "dispute_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]


class PersonState(Base):
    """What the chat front end remembers of one person between their updates: their drafts and
    the step of each flow under way, read when their update is handled and written with its
    outcome, so that any process may handle their next one."""

    __tablename__ = "person_state"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # JSON documents of the front end's own shape; the domain never reads them.
    user_data: Mapped[str] = mapped_column(Text, default="{}")
    flows: Mapped[str] = mapped_column(Text, default="{}")
    # When the quietest flow under way times out, if one is under way.
    flows_expire_at: Mapped[datetime | None] = mapped_column(index=True)


class InboxState(StrEnum):
    WAITING = "waiting"  # to be handled; being handled while its lease lasts
    DONE = "done"
    DROPPED = "dropped"  # the excess of one person's flood, never handled
    DEAD = "dead"  # failed every attempt; the managers were told


class InboxUpdate(Base):
    """An update from a chat platform, kept before it is acknowledged and handled by whichever
    worker claims it. Its row is marked done in the same transaction as its first effects, so
    a redelivery (the same update id) or a second worker changes nothing a second time."""

    __tablename__ = "inbox_update"
    __table_args__ = (
        UniqueConstraint("source", "update_id"),
        # A person's unfinished updates in order (waiting, or handled with their answers still
        # going out): what the claim and the flood check read.
        Index(
            "ix_inbox_update_unfinished_by_sender",
            "sender",
            "update_id",
            postgresql_where="finished_at IS NULL",
            sqlite_where=text("finished_at IS NULL"),
        ),
        Index(
            "ix_inbox_update_waiting",
            "id",
            postgresql_where="state = 'waiting'",
            sqlite_where=text("state = 'waiting'"),
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    # The bot the update came to, and the update's own id there.
    source: Mapped[int] = mapped_column(BigInteger, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, autoincrement=False)
    # Whose updates are handled one at a time and in order; None orders with nobody.
    sender: Mapped[int | None] = mapped_column(BigInteger)
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[InboxState] = mapped_column(
        _enum(InboxState, "inbox_state"), default=InboxState.WAITING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime]
    # Not claimed before this moment: a failed attempt backs off.
    not_before: Mapped[datetime]
    # The worker handling it, until when; a lease that runs out is anybody's to take over.
    # Done by its first write, an update keeps its lease until its worker has finished it:
    # one whose lease ran out unfinished lost its worker (``Inbox.take_abandoned``).
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The calls to the chat platform its handlers made after its first write, kept in that
    # write's transaction (JSON, ``core.db.uow.HeldCall``) until they are made: a worker that
    # stops before it has made them leaves them to another (``Inbox.take_abandoned``).
    answers: Mapped[str | None] = mapped_column(Text)


class BookingNotice(Base):
    """A message about a booking that must go out once: a reminder, the driver's arrival time.
    Claimed by inserting its row, so a restart or a second sweep never sends it twice."""

    __tablename__ = "booking_notice"
    __table_args__ = (UniqueConstraint("booking_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"))
    kind: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime]


class SavedSearch(Base):
    """A driver who found nothing asked to hear when a spot near there frees up."""

    __tablename__ = "saved_search"
    __table_args__ = (Index("ix_saved_search_place", "lat", "lon"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[int] = mapped_column(Integer)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    created_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]


class RelayMessage(Base):
    """What one side of a booking sent the other through the bot; kept for disputes."""

    __tablename__ = "relay_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
