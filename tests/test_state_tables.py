"""The bot's state machines are tables: every state and every button has its one entry."""

from bot.app import FREE_TEXT_ASKED
from bot.conversations.list_spot import NEXT_STEP, ListState
from bot.drafts import SearchInput
from bot.handlers import search


def test_every_button_under_the_search_results_has_one_entry():
    options = search.ChangeSearch.choices["option"]
    assert not search.REFINING.keys() & search.ASKING.keys()
    assert search.REFINING.keys() | search.ASKING.keys() == options


def test_whatever_a_driver_is_asked_to_type_has_its_reader():
    assert FREE_TEXT_ASKED.keys() == set(SearchInput)


def test_the_listing_steps_run_from_the_location_to_the_review_through_every_step_once():
    visited, step = [ListState.LOCATION], ListState.LOCATION
    while step != ListState.REVIEW:
        step = NEXT_STEP[step]
        visited.append(step)
    assert visited == list(ListState)
