"""Conversation states and what the bot remembers about people outlive the process."""

import asyncio

import pytest

from bot.context import UserData
from bot.drafts import SearchDraft, SearchInput
from bot.persistence import DatabasePersistence


def persistence_on(db) -> DatabasePersistence:
    async def database():
        return db

    return DatabasePersistence(database)


async def test_a_conversation_state_is_found_again_by_a_new_process(db):
    await persistence_on(db).update_conversation("list_spot", (42, 42), 3)
    assert await persistence_on(db).get_conversations("list_spot") == {(42, 42): 3}


async def test_an_ended_conversation_is_forgotten(db):
    persistence = persistence_on(db)
    await persistence.update_conversation("book", (7, 7), 1)
    await persistence.update_conversation("book", (7, 7), None)
    assert await persistence.get_conversations("book") == {}


async def test_conversations_of_different_flows_are_kept_apart(db):
    persistence = persistence_on(db)
    await persistence.update_conversation("book", (1, 1), 2)
    await persistence.update_conversation("rate", (1, 1), 5)
    assert await persistence.get_conversations("book") == {(1, 1): 2}


async def test_user_data_round_trips(db):
    data = UserData()
    data.person_id, data.language = 12, "ru"
    await persistence_on(db).update_user_data(99, data)
    restored = (await persistence_on(db).get_user_data())[99]
    assert (restored.person_id, restored.language) == (12, "ru")


SEARCH = {
    "lat": 52.5,
    "lon": 13.4,
    "timezone": "Europe/Berlin",
    "start_at": "2026-05-01T10:00:00+00:00",
    "end_at": "2026-05-01T12:00:00+00:00",
}


async def test_what_a_driver_was_asked_to_type_outlives_the_process(db):
    data = UserData()
    data.search = SearchDraft.from_dict(SEARCH)
    data.search.awaiting = SearchInput.MAX_PRICE
    await persistence_on(db).update_user_data(99, data)
    restored = (await persistence_on(db).get_user_data())[99]
    assert restored.asked_for is SearchInput.MAX_PRICE


@pytest.mark.parametrize(
    ("flags", "asked"),
    [
        ({"awaiting_window": True, "awaiting_max_price": False}, SearchInput.WINDOW),
        ({"awaiting_window": False, "awaiting_max_price": True}, SearchInput.MAX_PRICE),
        ({"awaiting_window": False, "awaiting_max_price": False}, None),
    ],
)
def test_a_search_kept_with_the_old_flags_is_read_as_what_was_asked(flags, asked):
    data = UserData.from_dict({"search": {**SEARCH, **flags}})
    assert data.asked_for == asked


def remembered(person_id: int, language: str) -> UserData:
    data = UserData()
    data.person_id, data.language = person_id, language
    return data


async def test_what_changed_for_many_people_at_once_is_all_kept(db):
    persistence = persistence_on(db)
    await asyncio.gather(
        *(persistence.update_user_data(user, remembered(user, "en")) for user in range(1, 6)),
        persistence.update_conversation("book", (1, 1), 2),
    )
    restored = await persistence_on(db).get_user_data()
    assert {user: data.person_id for user, data in restored.items()} == {u: u for u in range(1, 6)}
    assert await persistence_on(db).get_conversations("book") == {(1, 1): 2}


async def test_a_later_change_is_kept_over_an_earlier_one_still_being_written(db):
    persistence = persistence_on(db)
    earlier = asyncio.create_task(persistence.update_user_data(7, remembered(7, "en")))
    await asyncio.sleep(0)  # the first write is under way
    later = asyncio.create_task(persistence.update_user_data(7, remembered(7, "ru")))
    await asyncio.gather(earlier, later)
    assert (await persistence_on(db).get_user_data())[7].language == "ru"
