"""Text a database can store: NUL dropped, a lone surrogate shown as U+FFFD, the rest kept."""

import pytest

from core.text import json_is_storable, storable, storable_json


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("plain, 中文, русский 🚗", "plain, 中文, русский 🚗"),
        ("Da\x00na", "Dana"),
        ("\x00\x00", ""),
        ("broken \ud800 half", "broken \ufffd half"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
    ],
)
def test_only_what_a_database_refuses_is_changed(typed, stored):
    assert storable(typed) == stored


def test_every_string_of_a_decoded_update_is_cleaned_keys_included():
    update = {"update_id": 7, "message": {"text": "a\x00b", "entities": [{"x\x00": "c\x00"}]}}
    assert not json_is_storable(update)
    cleaned = storable_json(update)
    assert cleaned == {"update_id": 7, "message": {"text": "ab", "entities": [{"x": "c"}]}}
    assert json_is_storable(cleaned)
