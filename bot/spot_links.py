"""Links that open a spot in the bot from any chat: ``t.me/<bot>?start=spot_<id>_<code>``,
the code naming who shared it (``core.services.referrals``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.services.referrals import CODE_PATTERN

SPOT_START = re.compile(rf"^spot_(\d{{1,12}})(?:_({CODE_PATTERN}))?$")


def spot_link(bot_username: str, spot_id: int, code: str | None = None) -> str:
    start = f"spot_{spot_id}" + (f"_{code}" if code else "")
    return f"https://t.me/{bot_username}?start={start}"


@dataclass(frozen=True, slots=True)
class SpotStart:
    spot_id: int
    # Who shared the link, when it names them.
    code: str | None


def read_spot_start(payload: str) -> SpotStart | None:
    """A ``/start`` parameter as a spot's link; None when it is not one."""
    if (match := SPOT_START.match(payload)) is None:
        return None
    return SpotStart(int(match.group(1)), match.group(2))
