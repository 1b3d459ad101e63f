"""Ratings both ways after a stay: the driver rates the owner and the spot, the owner rates
the driver. Once per side per booking, and only for a stay that happened."""

from __future__ import annotations

from core.clock import Clock
from core.credit import rating_event
from core.db.models import Rating
from core.db.uow import UnitOfWork
from core.errors import AlreadyRated, InvalidInput, RatingNotAllowed
from core.services import parties, people
from core.services.parties import Side
from core.status import BookingStatus

MAX_COMMENT = 500


async def check_can_rate(uow: UnitOfWork, *, booking_id: int, rater_id: int) -> Side:
    """The rater's side of a completed stay they have not rated yet."""
    found = await parties.of_booking(uow, booking_id)
    side = found.side_of(rater_id)
    if found.booking.status != BookingStatus.COMPLETED:
        raise RatingNotAllowed(str(booking_id))
    # Once a side: the owner and the operator who manages their spots rate the driver once.
    ratee = found.person(side.other)
    if await uow.trust.rating_of(booking_id, ratee.id) is not None:
        raise AlreadyRated(str(booking_id))
    return side


async def rate(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, rater_id: int, stars: int, comment: str = ""
) -> Rating:
    if not 1 <= stars <= 5:
        raise InvalidInput(f"{stars} stars")
    side = await check_can_rate(uow, booking_id=booking_id, rater_id=rater_id)
    found = await parties.of_booking(uow, booking_id)
    ratee = found.person(side.other)
    rating = Rating(
        booking_id=booking_id, rater_id=rater_id, ratee_id=ratee.id,
        # A driver's stars are the spot's too; an owner's are the driver's alone.
        spot_id=found.spot.id if side == Side.DRIVER else None,
        stars=stars, comment=comment.strip()[:MAX_COMMENT], created_at=clock.now(),
    )  # fmt: skip
    uow.trust.add(rating)
    await uow.trust.flush()
    if rating.spot_id is not None:
        await uow.spots.count_rating(rating.spot_id, stars)
    await people.change_credit(
        uow, clock, ratee.id, kind=rating_event(stars), booking_id=booking_id
    )
    return rating


async def unrated(uow: UnitOfWork, rater_id: int, booking_ids: list[int]) -> list[int]:
    """Which of these bookings the person has not rated yet."""
    rated = await uow.trust.rated_bookings(rater_id, booking_ids)
    return [booking_id for booking_id in booking_ids if booking_id not in rated]
