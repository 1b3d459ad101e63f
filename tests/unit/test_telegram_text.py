"""Texts built from user input are cut or split to Telegram's limits, counted as Telegram
counts them (UTF-16 units of the text after HTML parsing), and stay well-formed HTML."""

import html

import pytest

from bot.telegram_text import fit_html, split_html, utf16_len, visible_len
from sandbox.formatting import parse_html


def shown(text: str) -> str:
    """What Telegram shows for ``text``; raises if Telegram would refuse the markup."""
    return parse_html(text)[0]


def test_utf16_length_counts_an_emoji_as_two_and_cjk_as_one():
    assert utf16_len("🚗") == 2
    assert utf16_len("停车位") == 3
    assert utf16_len("a&b") == 3


def test_visible_length_ignores_tags_and_counts_an_entity_as_one():
    assert visible_len("<b>Tom &amp; Jerry</b> 🚗") == utf16_len("Tom & Jerry 🚗")


def test_a_text_within_the_limit_is_left_alone():
    text = "<b>" + "🚗" * 2048 + "</b>"
    assert fit_html(text, 4096) == text
    assert split_html(text, 4096) == [text]


@pytest.mark.parametrize("filler", ["a", "停", "🚗", "&amp;"])
def test_a_cut_text_is_exactly_at_the_limit_or_one_short_of_an_emoji(filler):
    text = "<b>Report</b>: " + filler * 5000
    cut = fit_html(text, 1024)
    assert utf16_len(shown(cut)) in (1023, 1024)
    assert shown(cut).endswith("…")


def test_a_cut_never_lands_inside_an_entity():
    text = html.escape("x" * 8 + "&<>" * 10)
    for limit in range(5, 30):
        cut = fit_html(text, limit)
        assert utf16_len(shown(cut)) <= limit
        assert shown(cut)[:-1] == ("x" * 8 + "&<>" * 10)[: len(shown(cut)) - 1]


def test_a_cut_never_splits_an_emoji_and_closes_nested_tags():
    text = "<b>bold <i>both <code>" + "🚗" * 100 + "</code></i></b> after"
    cut = fit_html(text, 52)
    assert cut.endswith("</code></i></b>…")
    assert shown(cut) == "bold both " + "🚗" * 20 + "…"


def test_split_parts_fit_keep_every_character_and_reopen_tags():
    text = "<b>Dispute</b>\n<i>" + "停车 " * 900 + "🚗" * 700 + "</i>\n&amp; the end"
    parts = split_html(text, 1000)
    assert len(parts) > 2
    for part in parts:
        assert utf16_len(shown(part)) <= 1000
    assert all(part.startswith("<i>") for part in parts[2:-1])
    joined = "".join(shown(part) for part in parts)
    whole = shown(text)
    assert joined.replace(" ", "").replace("\n", "") == whole.replace(" ", "").replace("\n", "")


def test_split_prefers_a_line_end_in_the_second_half():
    lines = [f"line {n} " + "x" * 50 for n in range(40)]
    parts = split_html("\n".join(lines), 500)
    for part in parts:
        assert shown(part).startswith("line ")
        assert utf16_len(shown(part)) <= 500


def test_split_with_a_caption_first_limit():
    body = "🚗" * 2048
    parts = split_html("<b>Driver of booking #12</b>\n" + body, 4096, first_limit=1024)
    sizes = [utf16_len(shown(part)) for part in parts]
    assert sizes[0] == 1024  # the header and its newline are 22 units, then 501 emoji
    assert all(size <= 4096 for size in sizes)
    assert "".join(shown(part) for part in parts) == "Driver of booking #12\n" + body
