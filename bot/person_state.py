"""What the bot remembers of a person between their updates (``UserData`` and each flow's
step), in the database and nowhere else: put into python-telegram-bot's own places before the
person's update is handled, taken out after, and written with the update's outcome. Any
process may so handle a person's next update, and none holds anybody's state between them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram.ext import Application

from bot.context import UserData
from bot.flow import DEFAULT_TIMEOUT, Flow, flows_of
from core.db.rows import KeptPersonState
from core.db.uow import Database

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
# {flow name: {chat id: [step, when the step times out (ISO 8601)]}}
FlowSteps = dict[str, dict[str, list[Any]]]


@dataclass(frozen=True, slots=True)
class Remembered:
    """A person's state as it is written: documents, and when their quietest flow times out."""

    user_data: str
    flows: str
    flows_expire_at: datetime | None


class PersonStates:
    """Moves one person's state between the database's documents and the application."""

    def __init__(self, application: AnyApplication) -> None:
        self._application = application
        self._flows: dict[str, Flow] | None = None

    @property
    def flows(self) -> dict[str, Flow]:
        if self._flows is None:  # the handlers are all added once the application is built
            self._flows = {flow.name or "": flow for flow in flows_of(self._application)}
        return self._flows

    def put_in(self, user_id: int, kept: KeptPersonState | None) -> FlowSteps:
        """The person's state into the application; their flows' steps as kept (with their
        time-outs, which ``take_out`` keeps for flows the update does not touch)."""
        self.take_out_quietly(user_id)
        user_data: UserData = self._application.user_data[user_id]
        user_data.restore(json.loads(kept.user_data) if kept is not None else {})
        steps: FlowSteps = json.loads(kept.flows) if kept is not None else {}
        for name, by_chat in steps.items():
            if (flow := self.flows.get(name)) is not None:
                flow.resume(user_id, {int(chat): step for chat, (step, _) in by_chat.items()})
        return steps

    def take_out(
        self, user_id: int, before: FlowSteps, taken: set[tuple[str, int]], now: datetime
    ) -> Remembered:
        """The person's state out of the application, to be written. A flow whose step the
        update took is quiet from ``now``; the others keep the time-out they had."""
        user_data: UserData = self._application.user_data[user_id]
        steps: FlowSteps = {}
        for name, flow in self.flows.items():
            for chat, step in flow.steps_of(user_id).items():
                kept = before.get(name, {}).get(str(chat))
                expires = (
                    kept[1]
                    if kept is not None and (name, chat) not in taken
                    else (now + DEFAULT_TIMEOUT).isoformat()
                )
                steps.setdefault(name, {})[str(chat)] = [step, expires]
        self.take_out_quietly(user_id)
        return Remembered(
            json.dumps(user_data.to_dict(), ensure_ascii=False, separators=(",", ":")),
            json.dumps(steps, separators=(",", ":")),
            earliest_time_out(steps),
        )

    def take_out_quietly(self, user_id: int) -> None:
        """Forget the person in the application (their state is written, or must not be)."""
        self._application.drop_user_data(user_id)
        for flow in self.flows.values():
            flow.forget(user_id)


def earliest_time_out(steps: FlowSteps) -> datetime | None:
    """When the quietest of the person's flows times out; None with no flow under way."""
    expiries = [expires for by_chat in steps.values() for _, expires in by_chat.values()]
    return min(map(datetime.fromisoformat, expiries)) if expiries else None


def expired_flows(flows: str, now: datetime) -> tuple[list[tuple[str, int]], str, datetime | None]:
    """The (flow, chat) steps of a person's flows that timed out by ``now``, and the flows
    document and earliest time-out without them."""
    steps: FlowSteps = json.loads(flows)
    expired: list[tuple[str, int]] = []
    for name in list(steps):
        for chat, (_step, expires) in list(steps[name].items()):
            if datetime.fromisoformat(expires) <= now:
                expired.append((name, int(chat)))
                del steps[name][chat]
        if not steps[name]:
            del steps[name]
    return (
        expired,
        json.dumps(steps, separators=(",", ":")),
        earliest_time_out(steps),
    )


# People whose flows are ended in one sweep; the rest wait for the next.
QUIET_FLOWS_PER_SWEEP = 500


async def end_quiet_flows(database: Database, now: datetime) -> list[tuple[str, int, str | None]]:
    """End every flow left quiet past its time-out: the (flow name, chat, language) of each."""
    async with database.reading() as uow:
        quiet = await uow.person_states.with_flows_expired(now, QUIET_FLOWS_PER_SWEEP)
    ended: list[tuple[str, int, str | None]] = []
    for user_id in quiet:
        async with database.unit_of_work() as uow:
            kept = await uow.person_states.locked(user_id)
            if kept is None or kept.flows_expire_at is None or kept.flows_expire_at > now:
                continue  # the person went on meanwhile
            expired, kept.flows, kept.flows_expire_at = expired_flows(kept.flows, now)
            language = json.loads(kept.user_data).get("language")
        ended += [(name, chat, language) for name, chat in expired]
    return ended
